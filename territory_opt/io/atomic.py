"""Atomic folder writes: everything goes to a temporary folder beside the target, which then
replaces the target in one rename. An interrupted write leaves either the previous folder or
the complete new one, and no temporary sibling."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path


def _rearm_sigint() -> None:
    """Put Python's SIGINT handler back: a CP-SAT solve leaves the process's SIGINT action at
    the OS default, so Ctrl-C while writing would kill the run and leave the temporary folder
    behind instead of unwinding through the cleanup below."""
    if threading.current_thread() is threading.main_thread():
        handler = signal.getsignal(signal.SIGINT)
        if handler is not None:
            signal.signal(signal.SIGINT, handler)


def write_atomically(out_dir: Path, fill: Callable[[Path], None]) -> None:
    """Call ``fill(tmp)`` to write a complete folder, then swap it in for ``out_dir``."""
    _rearm_sigint()
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    old = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes 0700; the result should read like any folder
    try:
        fill(tmp)
        if out_dir.exists():
            os.replace(out_dir, old)
        os.replace(tmp, out_dir)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:  # Ctrl-C or SIGTERM included: leave no temporary sibling behind
        shutil.rmtree(tmp, ignore_errors=True)
        if old.exists():
            if out_dir.exists():  # the new folder is in place; only the old one's removal broke
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(old, out_dir)
        raise
