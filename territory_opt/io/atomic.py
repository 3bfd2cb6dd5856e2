"""Atomic folder writes: everything goes to a temporary folder beside the target, which then
replaces the target in one rename. An interrupted write leaves either the previous folder or
the complete new one, and no temporary sibling (after a SIGKILL, the next run removes it: see
:func:`territory_opt.io.out_folder.clean_stale_siblings`).

The target is an :class:`~territory_opt.io.out_folder.OutputTarget`, checked before the work
started; the check of an existing folder runs again just before the swap, and the new folder
gets the marker file that lets a later run replace it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from territory_opt.io.out_folder import (
    MARKER_FILE,
    TOOL,
    OutputTarget,
    check_existing_folder,
    prepare_output_dir,
)


def _rearm_sigint() -> None:
    """Put Python's SIGINT handler back: a CP-SAT solve leaves the process's SIGINT action at
    the OS default, so Ctrl-C while writing would kill the run and leave the temporary folder
    behind instead of unwinding through the cleanup below."""
    if threading.current_thread() is threading.main_thread():
        handler = signal.getsignal(signal.SIGINT)
        if handler is not None:
            signal.signal(signal.SIGINT, handler)


def _write_marker(folder: Path, kind: str, complete: bool) -> None:
    doc = {"tool": TOOL, "kind": kind, "complete": complete, "pid": os.getpid()}
    if complete:
        doc["entries"] = sorted(e for e in os.listdir(folder) if e != MARKER_FILE)
    (folder / MARKER_FILE).write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


def write_atomically(target: OutputTarget | Path, fill: Callable[[Path], None], *,
                     kind: str = "folder") -> None:
    """Call ``fill(tmp)`` to write a complete folder, then swap it in for ``target.path``.

    A plain path is checked here (:func:`~territory_opt.io.out_folder.prepare_output_dir`
    without inputs) as an output of ``kind``."""
    if not isinstance(target, OutputTarget):
        target = prepare_output_dir(target, (), kind=kind)
    _rearm_sigint()
    out_dir = target.path
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    pid = os.getpid()
    old = out_dir.parent / f".{out_dir.name}.old-{pid}"
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-{pid}-", dir=out_dir.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes 0700; the result should read like any folder
    try:
        _write_marker(tmp, target.kind, complete=False)  # a SIGKILLed run's tmp is recognised
        fill(tmp)
        _write_marker(tmp, target.kind, complete=True)
        # again just before the swap: the folder may have appeared or changed while solving
        check_existing_folder(out_dir, target.given, target.kind, target.force)
        if os.path.lexists(out_dir):
            os.replace(out_dir, old)
        os.replace(tmp, out_dir)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:  # Ctrl-C or SIGTERM included: leave no temporary sibling behind
        shutil.rmtree(tmp, ignore_errors=True)
        if os.path.lexists(old):
            if os.path.lexists(out_dir):  # the new folder is in place; only the removal broke
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(old, out_dir)
        raise
