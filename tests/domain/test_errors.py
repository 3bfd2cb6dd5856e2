"""Error messages never send input text raw to a terminal (``domain/errors.py``)."""

from __future__ import annotations

from territory_opt.domain.errors import InfeasibleError, InputError, printable


def test_printable_escapes_controls_and_bidi_overrides() -> None:
    assert printable("a\x1b[31mb\x07c\x00\x7f\x9b\u202e") == \
        "a\\x1b[31mb\\x07c\\x00\\x7f\\x9b\\u202e"
    assert printable("line 1\n\tline 2") == "line 1\n\tline 2"
    assert printable("a\tb\nc", newlines=False) == "a\\x09b\\x0ac"
    assert printable(printable("\x1b")) == "\\x1b"  # idempotent
    assert printable("Café Müller, 東京") == "Café Müller, 東京"


def test_errors_escape_message_file_and_column() -> None:
    err = InputError("owner 'R\x1b]0;x\x07' unknown", file="in\x1b.csv", row=3,
                     column="c\x07")
    assert str(err) == "file in\\x1b.csv, row 3, column 'c\\x07': owner 'R\\x1b]0;x\\x07' unknown"
    assert "\x1b" not in str(InfeasibleError("rep \x1b[2J short"))
