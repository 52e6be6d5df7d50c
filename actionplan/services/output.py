"""Writing an output file safely: every command and screen that writes a file the user named goes through here.

* A regular file (or a new one) is written to a temporary file beside it and renamed over it,
  so a crash leaves the old file or the new one, never half of each.
* A target that exists and is not a regular file (a device such as ``/dev/null``, a FIFO, a
  terminal) is written in place: renaming over it would replace the device with a plain file.
* A symbolic link is followed: its target is written, the link stays a link.
* A name with a NUL byte, a folder, or a missing folder is refused with a message naming it.

Temporary files are named ``.actionplan-<kind>-<pid>-<random>``; one left by a process that was
killed is removed the next time something is written into that folder (:func:`remove_stale`).
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from actionplan.core.errors import OutputError
from actionplan.core.i18n import _

_STALE = re.compile(r"^\.actionplan-(?P<kind>[a-z]+)-(?:(?P<pid>\d+)-)?.+$")


def usable_path(out: str | os.PathLike[str]) -> Path:
    """*out* as a path, refused when no file can be written there; a symlink is resolved to its target."""
    text = os.fspath(out)
    if "\x00" in text:
        raise OutputError(f"{text!r}: " + _("not a usable file name (it holds a NUL byte)"))
    if not text.strip():
        raise OutputError(_("an empty output file name"))
    path = Path(text)
    try:  # a name too long for the file system, or a loop of links, fails in these checks already
        if path.is_symlink():
            path = Path(os.path.realpath(path))
        if path.is_dir():
            raise OutputError(f"{text}: " + _("is a folder; give a file name"))
        folder = path.parent if str(path.parent) else Path(".")
        if not folder.is_dir():
            raise OutputError(f"{text}: " + _("no such folder:") + f" {folder}")
        is_special(path)
    except OSError as e:
        raise OutputError(f"{text}: " + _("cannot write:") + f" {e.strerror or e}") from None
    return path


def is_special(path: Path) -> bool:
    """True for an existing target that is not a regular file (a device, a FIFO, a socket)."""
    try:
        return not stat.S_ISREG(path.stat().st_mode)
    except FileNotFoundError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def remove_stale(folder: Path, kind: str) -> tuple[int, int]:
    """Remove temporaries of *kind* whose process has ended; (files removed, bytes freed)."""
    removed = freed = 0
    try:
        names = os.listdir(folder)
    except OSError:
        return 0, 0
    for name in names:
        m = _STALE.match(name)
        if not m or m["kind"] != kind:
            continue
        if m["pid"] and (int(m["pid"]) == os.getpid() or _alive(int(m["pid"]))):
            continue  # another backup is writing it right now
        try:
            size = (folder / name).stat().st_size
            (folder / name).unlink()
        except OSError:
            continue
        removed += 1
        freed += size
    return removed, freed


def temporary_beside(path: Path, kind: str, suffix: str = "") -> str:
    """A new empty temporary file in *path*'s folder, named so that :func:`remove_stale` knows it."""
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".actionplan-{kind}-{os.getpid()}-", suffix=suffix)
    os.close(fd)
    return tmp


def write_file(out: str | os.PathLike[str], fill: Callable[[str], None], kind: str = "out") -> Path:
    """Write the file *out* by calling ``fill(path)`` on a temporary path, then putting it in place.

    For a special target (device, FIFO), *fill* writes to a temporary file whose bytes are then
    copied into the target in place.
    """
    path = usable_path(out)
    special = is_special(path)
    tmp = temporary_beside(Path(tempfile.gettempdir()) / "x" if special else path, kind)
    try:
        fill(tmp)
        if special:
            with open(tmp, "rb") as src, open(path, "wb") as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
        else:
            _keep_mode(path, tmp)
            os.replace(tmp, path)
    except OSError as e:
        raise OutputError(f"{os.fspath(out)}: " + _("cannot write:") + f" {e.strerror or e}") from None
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def _keep_mode(path: Path, tmp: str) -> None:
    """A replaced file keeps its permissions (mkstemp makes 0600)."""
    try:
        os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)


def write_text(out: str | os.PathLike[str], text: str) -> Path:
    """Write *text* (UTF-8, line ends as given) to the file *out*; see the module's rules."""
    return write_bytes(out, text.encode("utf-8"))


def write_bytes(out: str | os.PathLike[str], data: bytes) -> Path:
    """Write *data* to the file *out*: in place for a device or FIFO, else atomically."""
    path = usable_path(out)
    if is_special(path):
        try:
            with open(path, "wb") as fh:
                fh.write(data)
        except OSError as e:
            raise OutputError(f"{os.fspath(out)}: " + _("cannot write:") + f" {e.strerror or e}") from None
        return path

    def fill(tmp: str) -> None:
        with open(tmp, "wb") as fh:
            fh.write(data)

    return write_file(path, fill)
