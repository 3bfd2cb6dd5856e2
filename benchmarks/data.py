"""Benchmark data: where the instance files are, and how to fetch and verify them.

The public instance files are not in the repository. ``benchmarks/datasets.json`` lists every
file of every set with its size, its sha256 and the URL of the original public source (pinned
to a commit where the source is a repository). The small tables compiled by the data curator
(best known values, bounds, summaries, READMEs) are in the repository, in
``benchmarks/reference/<set>/``.

Where the instance files are read from, first match wins:

1. ``$TERRITORY_OPT_BENCH``: a local mirror laid out as ``<mirror>/<set>/<path>``, used as it
   is (``verify`` checks its checksums);
2. the cache: ``--cache DIR``, else ``$TERRITORY_OPT_CACHE``, else
   ``~/.cache/territory_opt/bench``, filled by ``fetch``.

    python benchmarks/data.py list [SET...]            sets, files, sizes, licence, present?
    python benchmarks/data.py fetch [SET...] [--force]  download into the cache, checked
    python benchmarks/data.py verify [SET...]          sha256 of the mirror's or cache's files
    (each takes --cache DIR)

Downloads use urllib from the standard library: this is a developer script, and a download
library would be one more dependency for the few lines of streaming, hashing and renaming
done here. Every file is written to a temporary file next to its target, hashed while written
and renamed into place only when its sha256 matches, so a wrong or partial download leaves no
file behind.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MANIFEST_PATH = HERE / "datasets.json"
REFERENCE_DIR = HERE / "reference"
MIRROR_ENV = "TERRITORY_OPT_BENCH"
CACHE_ENV = "TERRITORY_OPT_CACHE"
DEFAULT_CACHE = "~/.cache/territory_opt/bench"
FETCH_COMMAND = "python benchmarks/data.py fetch"
TIMEOUT_S = 60.0
CHUNK = 1 << 16

Manifest = dict[str, dict[str, Any]]


class DataError(Exception):
    """A set that is missing, incomplete, not downloadable or not as the manifest says."""


class ChecksumError(DataError):
    """Downloaded bytes whose sha256 is not the manifest's."""


_manifest: Manifest | None = None


def load_manifest(path: Path = MANIFEST_PATH) -> Manifest:
    """The ``sets`` of a manifest file: {set: {title, licence, ..., files: [...]}}."""
    return json.loads(path.read_text(encoding="utf-8"))["sets"]


def manifest() -> Manifest:
    """``benchmarks/datasets.json``, read once."""
    global _manifest
    if _manifest is None:
        _manifest = load_manifest()
    return _manifest


# --------------------------------------------------------------------------- where


def cache_dir(override: str | Path | None = None) -> Path:
    """``override``, else ``$TERRITORY_OPT_CACHE``, else ``~/.cache/territory_opt/bench``."""
    raw = override or os.environ.get(CACHE_ENV) or DEFAULT_CACHE
    return Path(raw).expanduser().resolve()


def mirror_dir() -> Path | None:
    """``$TERRITORY_OPT_BENCH`` when set."""
    raw = os.environ.get(MIRROR_ENV)
    return Path(raw).expanduser().resolve() if raw else None


def data_root(cache: str | Path | None = None) -> tuple[Path, str]:
    """The folder the instance files are read from and its kind, ``mirror`` or ``cache``."""
    mirror = mirror_dir()
    if mirror is not None:
        return mirror, "mirror"
    return cache_dir(cache), "cache"


def reference_dir(name: str) -> Path:
    """``benchmarks/reference/<set>``: the set's README and compiled tables."""
    return REFERENCE_DIR / name


def _spec(name: str, sets: Manifest) -> dict[str, Any]:
    try:
        return sets[name]
    except KeyError:
        raise DataError(f"unknown benchmark set {name!r}; known sets: "
                        f"{', '.join(sets)}") from None


def missing_files(root: Path, name: str, sets: Manifest | None = None) -> list[str]:
    """Files of the set absent from ``root/<set>`` or of the wrong size (no hashing)."""
    spec = _spec(name, sets or manifest())
    out = []
    for entry in spec["files"]:
        path = root / name / entry["path"]
        if not path.is_file() or path.stat().st_size != entry["bytes"]:
            out.append(entry["path"])
    return out


def require(root: Path, kind: str, names: Iterable[str], sets: Manifest | None = None) -> None:
    """Raise DataError, naming the way to get it, for the first set not complete in ``root``."""
    sets = sets or manifest()
    for name in names:
        spec = _spec(name, sets)
        missing = missing_files(root, name, sets)
        if not missing:
            continue
        total = len(spec["files"])
        if len(missing) == total:
            where = f"the mirror ${MIRROR_ENV}" if kind == "mirror" else "the cache"
            what = f"benchmark set {name!r} is not in {root} ({where})"
        else:
            what = (f"benchmark set {name!r} is incomplete in {root / name}: {len(missing)} of "
                    f"{total} files missing or of the wrong size, e.g. {missing[0]}")
        if not spec.get("downloadable", True):
            how = f"it cannot be downloaded: {spec['not_downloadable']}"
        elif kind == "mirror":
            how = (f"copy the set into the mirror ({MIRROR_ENV}), or unset {MIRROR_ENV} to "
                   f"read the cache ({cache_dir()}), filled by:\n    {FETCH_COMMAND} {name}")
        else:
            how = f"get it with:\n    {FETCH_COMMAND} {name}"
        raise DataError(f"{what};\n{how}")


def bench_root(*names: str) -> Path:
    """The data folder (mirror or cache), after checking that the named sets are complete."""
    root, kind = data_root()
    require(root, kind, names)
    return root


# --------------------------------------------------------------------------- verify


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def verify_set(root: Path, name: str, sets: Manifest | None = None) -> list[str]:
    """Problems with the set's files in ``root/<set>``, one line each naming the file
    (empty: every file is there with the manifest's sha256)."""
    spec = _spec(name, sets or manifest())
    problems = []
    for entry in spec["files"]:
        path = root / name / entry["path"]
        if not path.is_file():
            problems.append(f"{name}/{entry['path']}: missing")
            continue
        got = sha256_file(path)
        if got != entry["sha256"]:
            problems.append(f"{name}/{entry['path']}: sha256 mismatch: expected "
                            f"{entry['sha256']}, got {got}")
    return problems


# --------------------------------------------------------------------------- fetch


def _open(url: str) -> Any:
    request = urllib.request.Request(url, headers={"User-Agent": "territory_opt-bench-data"})
    return urllib.request.urlopen(request, timeout=TIMEOUT_S)


def _stream(url: str) -> Iterator[bytes]:
    with _open(url) as response:
        while chunk := response.read(CHUNK):
            yield chunk


def _member(blob: bytes, member: str, url: str) -> bytes:
    """One file of a zip archive: ``*`` for its only file, else the file of that name (or,
    when no name matches exactly, the only file with that base name)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(blob))
    except zipfile.BadZipFile as exc:
        raise DataError(f"{url}: not a zip archive ({exc})") from None
    with zf:
        names = [n for n in zf.namelist()
                 if not n.endswith("/") and not n.startswith("__MACOSX/")]
        if member == "*":
            found = names if len(names) == 1 else []
        elif member in names:
            found = [member]
        else:
            found = [n for n in names if n.rsplit("/", 1)[-1] == member]
        if len(found) != 1:
            raise DataError(f"{url}: no single archive member {member!r} "
                            f"({len(names)} files in the archive)")
        return zf.read(found[0])


def write_checked(target: Path, chunks: Iterable[bytes], sha256: str, label: str) -> None:
    """Write ``chunks`` to ``target`` through a temporary file in the same folder, renamed into
    place only when the sha256 matches; on any failure no file (and no temporary) is left."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        h = hashlib.sha256()
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                h.update(chunk)
                f.write(chunk)
        got = h.hexdigest()
        if got != sha256:
            raise ChecksumError(f"{label}: sha256 mismatch: expected {sha256}, got {got}; "
                                f"nothing written")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def fetch_set(name: str, dest: Path, *, sets: Manifest | None = None, force: bool = False,
              log: Any = print) -> list[str]:
    """Download the set's missing (or, with ``force``, all) files into ``dest/<set>``; return
    the errors, one line each naming the file (empty: the set is complete and checked)."""
    spec = _spec(name, sets or manifest())
    if not spec.get("downloadable", True):
        raise DataError(f"{name} cannot be downloaded: {spec['not_downloadable']}")
    archives: dict[str, bytes] = {}
    broken: dict[str, str] = {}  # archive URL -> why its download failed
    errors: list[str] = []
    fetched = kept = 0
    for entry in spec["files"]:
        label = f"{name}/{entry['path']}"
        target = dest / name / entry["path"]
        if not force and target.is_file() and sha256_file(target) == entry["sha256"]:
            kept += 1
            continue
        url = entry["url"]
        try:
            if "member" in entry:
                if url in broken:
                    raise DataError(f"{label}: {broken[url]}")
                if url not in archives:
                    try:
                        archives[url] = b"".join(_stream(url))
                    except (urllib.error.URLError, OSError) as exc:
                        broken[url] = f"download from {url} failed: {exc}"
                        raise DataError(f"{label}: {broken[url]}") from exc
                chunks: Iterable[bytes] = [_member(archives[url], entry["member"], url)]
            else:
                chunks = _stream(url)
            write_checked(target, chunks, entry["sha256"], f"{label} (from {url})")
            fetched += 1
        except (urllib.error.URLError, OSError) as exc:
            errors.append(f"{label}: download from {url} failed: {exc}")
        except DataError as exc:
            errors.append(str(exc))
    log(f"{name}: {fetched} fetched, {kept} already present, {len(errors)} failed "
        f"-> {dest / name}")
    return errors


# --------------------------------------------------------------------------- CLI


def _size(n: int) -> str:
    if n < 1000:
        return f"{n} B"
    return f"{n / 1e3:,.1f} kB" if n < 1_000_000 else f"{n / 1e6:,.1f} MB"


def _status(root: Path, name: str, sets: Manifest) -> str:
    missing = missing_files(root, name, sets)
    total = len(sets[name]["files"])
    if not missing:
        return "present"
    return "missing" if len(missing) == total else f"partial ({total - len(missing)}/{total})"


def _where(args: argparse.Namespace) -> tuple[Path, str]:
    if getattr(args, "cache", None):
        return cache_dir(args.cache), "cache"
    return data_root()


def cmd_list(args: argparse.Namespace, sets: Manifest) -> int:
    root, kind = _where(args)
    print(f"instance files: {root} ({kind})")
    print(f"reference tables: {REFERENCE_DIR}")
    names = args.sets or list(sets)
    width = max(len(n) for n in names)
    print(f"{'set':<{width}}  {'files':>5}  {'size':>9}  {'status':<14}  licence")
    for name in names:
        spec = sets[name]
        size = sum(e["bytes"] for e in spec["files"])
        print(f"{name:<{width}}  {len(spec['files']):>5}  {_size(size):>9}  "
              f"{_status(root, name, sets):<14}  {spec['licence']}")
    if args.sets:
        for name in args.sets:
            print(f"\n{name}: {sets[name]['title']}\n  source: {sets[name]['source']}\n"
                  f"  cite: {sets[name]['citation']}")
            missing = set(missing_files(root, name, sets))
            for e in sets[name]["files"]:
                state = "missing" if e["path"] in missing else "present"
                print(f"  {e['path']:<48} {_size(e['bytes']):>10}  {state}")
    return 0


def cmd_fetch(args: argparse.Namespace, sets: Manifest) -> int:
    chosen = getattr(args, "cache", None)
    dest = cache_dir(chosen)
    mirror = mirror_dir()
    if mirror is not None and not chosen:
        print(f"note: {MIRROR_ENV}={mirror} is set, so the benchmarks read that mirror, "
              f"not the cache {dest} filled here")
    errors: list[str] = []
    for name in args.sets or list(sets):
        if not sets[name].get("downloadable", True):
            if args.sets:
                errors.append(f"{name} cannot be downloaded: {sets[name]['not_downloadable']}")
            else:
                print(f"{name}: skipped, not downloadable (mirror only)")
            continue
        errors += fetch_set(name, dest, sets=sets, force=args.force)
    for line in errors:
        print(f"error: {line}", file=sys.stderr)
    return 1 if errors else 0


def cmd_verify(args: argparse.Namespace, sets: Manifest) -> int:
    root, kind = _where(args)
    print(f"verifying {root} ({kind})")
    failed = False
    for name in args.sets or list(sets):
        n = len(sets[name]["files"])
        if not args.sets and len(missing_files(root, name, sets)) == n:
            print(f"{name}: not present (skipped)")
            continue
        problems = verify_set(root, name, sets)
        if problems:
            failed = True
            print(f"{name}: {len(problems)} of {n} files bad")
            for line in problems:
                print(f"  {line}")
        else:
            print(f"{name}: {n} files ok")
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None, sets: Manifest | None = None) -> int:
    sets = sets or manifest()
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--cache", metavar="DIR", default=argparse.SUPPRESS,
                        help=f"cache folder (default ${CACHE_ENV} or {DEFAULT_CACHE})")
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], parents=[common])
    sub = ap.add_subparsers(dest="command", required=True)
    for cmd, text in (("list", "sets, files, sizes, licence and whether they are present"),
                      ("fetch", "download sets into the cache, checking every sha256"),
                      ("verify", "check the sha256 of the mirror's (or cache's) files")):
        p = sub.add_parser(cmd, help=text, description=text, parents=[common])
        p.add_argument("sets", nargs="*", metavar="SET", help="default: every set")
        if cmd == "fetch":
            p.add_argument("--force", action="store_true", help="download files already there")
    args = ap.parse_args(argv)
    unknown = [s for s in args.sets if s not in sets]
    if unknown:
        ap.error(f"unknown set(s) {', '.join(unknown)}; known: {', '.join(sets)}")
    run = {"list": cmd_list, "fetch": cmd_fetch, "verify": cmd_verify}[args.command]
    try:
        return run(args, sets)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
