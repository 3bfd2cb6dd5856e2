"""The safe YAML loader of scenario and sweep files (``io/yaml_file.py``): duplicate keys,
deep nesting and alias bombs are refused with the line; anchors for reuse still work."""

from __future__ import annotations

from pathlib import Path

import pytest

from territory_opt.domain.errors import InputError
from territory_opt.headcount.sweep_file import load_sweep
from territory_opt.io.yaml_file import MAX_DEPTH, MAX_NODES, read_yaml


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text, words", [
    ("a: 1\nb: 2\na: 3\n", "line 3: the key 'a' is given twice (first on line 1)"),
    ("x: {k: 1, k: 2}\n", "the key 'k' is given twice"),
    ("x: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n", "nested more than"),
    ("a: &a [1,2,3,4,5,6,7,8,9,10]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
     "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
     "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n", f"more than {MAX_NODES:,} values"),
    ("a: &a [*a]\n", "more than"),
    ("a: !!python/name:os.system\n", "could not determine a constructor"),
    ("a: 1\x00\n", "NUL"),
])
def test_refused_with_the_line(tmp_path: Path, text: str, words: str) -> None:
    with pytest.raises(InputError, match="not valid YAML") as err:
        read_yaml(write(tmp_path, text))
    assert words in str(err.value)


def test_anchors_for_reuse_and_a_1000_value_list_are_fine(tmp_path: Path) -> None:
    raw = read_yaml(write(tmp_path, "p: &p {A: 1}\nq: *p\nr: [" + ",".join("1" * 1000) + "]\n"))
    assert raw["q"] == {"A": 1} and len(raw["r"]) == 1000


def test_the_sweep_file_refuses_duplicate_keys_too(tmp_path: Path) -> None:
    path = write(tmp_path, "ranges: {farmer: [1, 2]}\nranges: {farmer: [3, 4]}\n")
    with pytest.raises(InputError, match="given twice"):
        load_sweep(path)
