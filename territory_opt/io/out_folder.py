"""The output-folder contract, for every command that writes a folder (run, compare, measure,
export) or a file (segment --out, report --out). Everything is checked before any work starts:

- the path is resolved (a symlink is followed, and the real folder it points at is replaced;
  the link stays a link);
- a folder that is, or holds, an input of the run is refused;
- something that is not a folder (a file, a FIFO, a device) is refused;
- an existing non-empty folder is replaced only when territory_opt wrote it: it holds the
  marker file :data:`MARKER_FILE` of the same kind of output and nothing the marker does not
  list (other than outputs of the tool nested in it, such as ``measure/``). ``force`` lifts
  this last rule only;
- the parent must be (or become) a writable folder, not a file, and the name must fit the
  file system with the temporary sibling's suffix;
- stale temporary siblings of the tool (``.<name>.tmp-<pid>-…``, ``.<name>.old-<pid>`` of a
  process that no longer runs, e.g. after SIGKILL) are removed; an old folder whose swap was
  cut between its two renames is put back.

A file output (``segment --out``, ``report --out``) follows the same rules, except that a file
is recognised as the tool's own by its content (see :func:`prepare_output_file`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from territory_opt.domain.errors import InputError

#: the file inside every folder territory_opt writes: {"tool", "kind", "complete", "entries"}
MARKER_FILE = ".territory-opt.json"
TOOL = "territory_opt"
#: longest folder name made from a scenario name
MAX_SLUG = 80
#: what a temporary sibling adds to a name: ".", ".tmp-", the pid, "-" and 8 random characters
_TMP_EXTRA = 32


def slug(name: str, fallback: str = "plan") -> str:
    """A folder name made from ``name``: runs of characters other than letters, digits, ``_``,
    ``-`` and ``.`` become ``-``; leading dots and dashes are dropped (so ``.``, ``..`` and
    ``../x`` cannot leave out/), at most :data:`MAX_SLUG` characters."""
    text = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).lstrip(".-")
    text = text[:MAX_SLUG].rstrip(".-")
    return text or fallback


def default_plan_dir(scenario_name: str) -> Path:
    """out/<scenario name>/, the name made safe for a folder (:func:`slug`)."""
    return Path("out") / slug(scenario_name)


@dataclass(frozen=True)
class OutputTarget:
    """A checked output: ``path`` is the real location to write, ``given`` what was asked."""

    path: Path
    given: Path
    kind: str
    force: bool = False


def _real(path: Path) -> Path:
    try:
        return Path(os.path.realpath(path))
    except (OSError, ValueError) as err:
        raise InputError(f"cannot resolve the output path: {err}", file=str(path)) from None


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return path.lstat()
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        raise InputError("the output path lies under a file, not a folder",
                         file=str(path)) from None
    except OSError as err:
        raise InputError(f"cannot use the output path: {err.strerror or err}",
                         file=str(path)) from None


def _refuse_inputs(real: Path, given: Path, inputs: Iterable[tuple[str, Path]],
                   what: str) -> None:
    for name, p in inputs:
        src = _real(Path(p))
        if real == src or real in src.parents:
            raise InputError(f"the output {what} is or holds the {name} input {p}; choose "
                             "another --out", file=str(given))


def _check_parent(real: Path, given: Path) -> None:
    """The nearest existing ancestor must be a writable folder, and the name must fit."""
    ancestor = real.parent
    while _lstat(ancestor) is None:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise InputError(f"the output path lies under {ancestor}, which is a file, not a "
                         "folder", file=str(given))
    try:
        name_max = os.pathconf(ancestor, "PC_NAME_MAX")
        path_max = os.pathconf(ancestor, "PC_PATH_MAX")
    except (OSError, ValueError):
        name_max, path_max = 255, 4096
    for part in real.relative_to(ancestor).parts:
        if len(os.fsencode(part)) + _TMP_EXTRA > name_max:
            raise InputError(f"the name '{part[:40]}…' is too long for this file system "
                             f"(at most {name_max - _TMP_EXTRA} bytes for an output)",
                             file=str(given))
    if len(os.fsencode(str(real))) + _TMP_EXTRA > path_max:
        raise InputError(f"the output path is too long (at most {path_max - _TMP_EXTRA} bytes)",
                         file=str(given))
    try:  # the one reliable test of writing (root ignores permission bits; read-only mounts)
        probe = tempfile.mkdtemp(prefix=".territory-opt-probe-", dir=ancestor)
        os.rmdir(probe)
    except OSError as err:
        raise InputError(f"cannot write in {ancestor}: {err.strerror or err}",
                         file=str(given)) from None


def read_marker(folder: Path) -> dict[str, Any] | None:
    """The marker of a folder territory_opt wrote, or None."""
    try:
        with open(folder / MARKER_FILE, "rb") as f:
            doc = json.loads(f.read(1 << 16).decode("utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) and doc.get("tool") == TOOL else None


def _foreign_entries(folder: Path, marker: dict[str, Any]) -> list[str]:
    """Entries of ``folder`` that its marker does not list and that are not outputs of the
    tool themselves (a ``measure/`` folder inside a plan folder)."""
    listed = set(marker.get("entries") or []) | {MARKER_FILE}
    foreign = []
    for entry in sorted(os.listdir(folder)):
        if entry in listed:
            continue
        path = folder / entry
        if path.is_dir() and not path.is_symlink() and read_marker(path) is not None:
            continue
        foreign.append(entry)
    return foreign


def check_existing_folder(real: Path, given: Path, kind: str, force: bool) -> None:
    st = _lstat(real)
    if st is None:
        return
    if not stat.S_ISDIR(st.st_mode):
        what = ("a FIFO" if stat.S_ISFIFO(st.st_mode) else
                "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else
                "a socket" if stat.S_ISSOCK(st.st_mode) else
                "a symbolic link that loops" if stat.S_ISLNK(st.st_mode) else "a file")
        raise InputError(f"the output exists and is {what}, not a folder; choose another --out",
                         file=str(given))
    if force or not os.listdir(real):
        return
    marker = read_marker(real)
    if marker is None:
        raise InputError("the output folder exists and holds files territory_opt did not "
                         "write; choose a new or empty folder, or add --force to replace it",
                         file=str(given))
    if marker.get("kind") != kind:
        raise InputError(f"the output folder holds a {marker.get('kind')} output of "
                         f"territory_opt, not a {kind}; choose another folder, or add --force",
                         file=str(given))
    foreign = _foreign_entries(real, marker)
    if foreign:
        shown = ", ".join(foreign[:5]) + (" …" if len(foreign) > 5 else "")
        raise InputError(f"the output folder holds files territory_opt did not write ({shown}); "
                         "move them, choose another folder, or add --force", file=str(given))


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_STALE = re.compile(r"\.(?P<name>.+)\.(?:tmp|old)-(?P<pid>\d+)(?:-[A-Za-z0-9_]+)?")


def clean_stale_siblings(real: Path) -> None:
    """Remove the temporary siblings of ``real`` left by a process that no longer runs (a
    SIGKILL); an ``.old-<pid>`` folder whose swap stopped half way is put back first."""
    parent = real.parent
    try:
        entries = os.listdir(parent)
    except OSError:
        return
    for entry in entries:
        m = _STALE.fullmatch(entry)
        if not m or m["name"] != real.name or _pid_alive(int(m["pid"])):
            continue
        path = parent / entry
        if path.is_symlink() or not path.is_dir() or read_marker(path) is None:
            continue  # not ours: leave it
        if ".old-" in entry and _lstat(real) is None:
            os.replace(path, real)  # the swap stopped between its two renames
        else:
            shutil.rmtree(path, ignore_errors=True)


def prepare_output_dir(given: str | Path, inputs: Iterable[tuple[str, Path]], *, kind: str,
                       force: bool = False) -> OutputTarget:
    """Check an output folder before any work (module docstring); raises InputError.

    Parameters
    ----------
    given
        The folder as the user named it.
    inputs
        (name, path) of every input of the run: files, or folders such as a plan folder.
    kind
        What is written (``plan``, ``comparison``, ``measure``, ``crm``); a folder of another
        kind is not replaced without ``force``.
    force
        Replace a non-empty folder that territory_opt did not write.
    """
    given = Path(given)
    real = _real(given)
    if real.parent == real:
        raise InputError("the output folder cannot be the root of the file system",
                         file=str(given))
    _refuse_inputs(real, given, list(inputs), "folder")
    check_existing_folder(real, given, kind, force)
    _check_parent(real, given)
    clean_stale_siblings(real)
    return OutputTarget(real, given, kind, force)


def prepare_output_file(given: str | Path, inputs: Iterable[tuple[str, Path]], *,
                        recognise: Callable[[bytes], bool], force: bool = False) -> OutputTarget:
    """Check an output file before any work: not an input, not a folder/FIFO/device, and an
    existing file is replaced only when ``recognise(its first 4 KB)`` says the tool wrote it
    (or with ``force``)."""
    given = Path(given)
    real = _real(given)
    _refuse_inputs(real, given, list(inputs), "file")
    st = _lstat(real)
    if st is not None:
        if not stat.S_ISREG(st.st_mode):
            raise InputError("the output exists and is not a regular file (a folder, FIFO or "
                             "device); choose another --out", file=str(given))
        if not force:
            with open(real, "rb") as f:
                head = f.read(4096)
            if not recognise(head):
                raise InputError("the output file exists and was not written by territory_opt; "
                                 "choose another --out, or add --force to replace it",
                                 file=str(given))
    _check_parent(real, given)
    return OutputTarget(real, given, "file", force)


def write_file_atomically(target: OutputTarget, content: bytes) -> None:
    """Write ``content`` to a temporary file beside the target, then rename it into place."""
    path = target.path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.tmp-{os.getpid()}-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
