"""A silent HiGHS instance, for the LP relaxation and branch and cut."""

from __future__ import annotations

import os
import sys

import highspy


def silent_highs() -> highspy.Highs:
    """A HiGHS instance with its output off. The library prints its banner to the process's
    stdout when the first instance is made; that would break `run --json`, so stdout points
    at /dev/null meanwhile."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    h.setOptionValue("output_flag", False)
    return h
