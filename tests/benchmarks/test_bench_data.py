"""benchmarks/data.py: checksums of a mirror, downloads into the cache (file:// URLs only, no
network, no data outside the temporary folder) and the manifest's consistency."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import sys
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
CONTENT = b"2 3\n1 2 3\n4 5 6\n"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_data", BENCHMARKS / "data.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_data"] = module
    spec.loader.exec_module(module)
    return module


data = _load()


def toy_manifest(url: str | None, sha256: str | None = None, **extra: Any) -> dict:
    entry = {"path": "sub/toy.txt", "bytes": len(CONTENT),
             "sha256": sha256 or hashlib.sha256(CONTENT).hexdigest(), "url": url, **extra}
    return {"toy": {"title": "toy set", "licence": "test", "citation": "-", "source": "-",
                    "reference": [], "files": [entry]}}


@pytest.fixture(autouse=True)
def no_real_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither a real mirror nor the real cache: both point into tmp_path."""
    monkeypatch.delenv(data.MIRROR_ENV, raising=False)
    monkeypatch.setenv(data.CACHE_ENV, str(tmp_path / "default_cache"))


def test_verify_mirror_right_and_wrong_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    mirror = tmp_path / "mirror"
    target = mirror / "toy" / "sub" / "toy.txt"
    target.parent.mkdir(parents=True)
    target.write_bytes(CONTENT)
    sets = toy_manifest(None)
    monkeypatch.setattr(data, "_manifest", sets)
    monkeypatch.setenv(data.MIRROR_ENV, str(mirror))

    assert data.data_root() == (mirror.resolve(), "mirror")
    assert data.bench_root("toy") == mirror.resolve()
    assert data.verify_set(mirror, "toy", sets) == []
    assert data.main(["verify"]) == 0
    assert "toy: 1 files ok" in capsys.readouterr().out

    target.write_bytes(CONTENT.replace(b"6", b"7"))  # same size, other bytes
    [problem] = data.verify_set(mirror, "toy", sets)
    assert "toy/sub/toy.txt" in problem and "sha256 mismatch" in problem
    assert data.main(["verify", "toy"]) == 1
    assert "toy/sub/toy.txt: sha256 mismatch" in capsys.readouterr().out

    target.unlink()
    with pytest.raises(data.DataError, match=r"copy the set into the mirror"):
        data.bench_root("toy")


def test_fetch_file_url_then_bench_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    remote = tmp_path / "remote.txt"
    remote.write_bytes(CONTENT)
    cache = tmp_path / "cache"
    sets = toy_manifest(remote.as_uri())
    monkeypatch.setattr(data, "_manifest", sets)

    with pytest.raises(data.DataError, match=r"python benchmarks/data.py fetch toy"):
        data.bench_root("toy")  # the default cache is empty
    assert data.main(["--cache", str(cache), "fetch", "toy"]) == 0
    assert (cache / "toy" / "sub" / "toy.txt").read_bytes() == CONTENT
    assert data.main(["verify", "--cache", str(cache)]) == 0
    monkeypatch.setenv(data.CACHE_ENV, str(cache))
    assert data.bench_root("toy") == cache.resolve()


def test_fetch_wrong_checksum_leaves_no_file(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    remote = tmp_path / "remote.txt"
    remote.write_bytes(CONTENT)
    cache = tmp_path / "cache"
    expected = "0" * 64
    sets = toy_manifest(remote.as_uri(), sha256=expected)

    assert data.main(["--cache", str(cache), "fetch", "toy"], sets=sets) == 1
    err = capsys.readouterr().err
    assert "toy/sub/toy.txt" in err and expected in err
    assert hashlib.sha256(CONTENT).hexdigest() in err
    assert not (cache / "toy" / "sub" / "toy.txt").exists()
    assert not [p for p in cache.rglob("*") if p.is_file()]  # no temporary file either


def test_fetch_zip_member(tmp_path: Path) -> None:
    archive = tmp_path / "remote.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("folder/toy.txt", CONTENT)
    sets = toy_manifest(archive.as_uri(), member="toy.txt")
    assert data.fetch_set("toy", tmp_path / "cache", sets=sets, log=lambda _: None) == []
    assert (tmp_path / "cache" / "toy" / "sub" / "toy.txt").read_bytes() == CONTENT


def test_manifest_is_consistent() -> None:
    """Every file has a size, a sha256 and an https URL (or its set says why it has none);
    every set's README and reference tables are in benchmarks/reference."""
    sets = json.loads((BENCHMARKS / "datasets.json").read_text(encoding="utf-8"))["sets"]
    assert sets
    for name, spec in sets.items():
        assert spec["licence"] and spec["citation"] and spec["source"], name
        downloadable = spec.get("downloadable", True)
        assert downloadable or spec["not_downloadable"], name
        paths = [e["path"] for e in spec["files"]]
        assert len(paths) == len(set(paths)), name
        for e in spec["files"]:
            assert re.fullmatch(r"[0-9a-f]{64}", e["sha256"]) and e["bytes"] > 0, e
            if downloadable:
                assert e["url"].startswith("https://"), e
        ref = BENCHMARKS / "reference" / name
        assert "README.md" in spec["reference"], name
        for f in spec["reference"]:
            assert (ref / f).is_file(), ref / f
            assert f not in paths, (name, f)
