"""A forked second process that does part of an export's work on another core.

A cold export spends most of its time reading tasks and building event text in Python, which
one process does on one core.  :class:`SideProcess` forks once; the child applies one function
to each request the parent sends and sends back the result, while the parent builds other
chunks itself.

The child never uses anything of the parent's that holds the database: it is forked before
the parent opens it (see :mod:`actionplan.calendar.side_builder`).  It leaves with
``os._exit``, so no inherited buffer or ``atexit`` handler runs twice.  One request is
outstanding at a time, so the two pipes can never both be full.  Whatever goes wrong in the
child (an error, a crash, a signal), the parent is told "no result" and does the work itself:
the output does not depend on the child.
"""

from __future__ import annotations

import os
import pickle
import struct
import threading
from collections.abc import Callable
from typing import Any

_LENGTH = struct.Struct("!Q")
#: What the child sends back when *work* failed: the parent builds that request itself.
_FAILED = b"\x00"


def cores() -> int:
    """The CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS has no sched_getaffinity
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether a side process is possible and safe here: fork exists, a second core too, and no
    other thread runs (a thread holding a lock at the fork would leave the child stuck)."""
    return hasattr(os, "fork") and cores() >= 2 and threading.active_count() == 1


class SideProcess:
    """Runs *work(request)* in a forked child, one request at a time (see the module's notes)."""

    def __init__(self, work: Callable[[Any], Any]) -> None:
        to_child, self._to_child = os.pipe()
        self._from_child, from_parent = os.pipe()
        self._busy = False
        self.pid = os.fork()
        if self.pid == 0:  # the child: serve, then leave without running anything of the parent's
            status = 1
            try:
                os.close(self._to_child)
                os.close(self._from_child)
                _serve(work, to_child, from_parent)
                status = 0
            finally:
                os._exit(status)
        os.close(to_child)
        os.close(from_parent)
        self._out = os.fdopen(self._to_child, "wb")
        self._in = os.fdopen(self._from_child, "rb")
        self.alive = True

    def submit(self, request: Any) -> bool:
        """Send *request*; False when the child is gone (the caller does the work itself)."""
        if not self.alive:
            return False
        try:
            _send(self._out, pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:  # BrokenPipeError: the child died
            self._gone()
            return False
        self._busy = True
        return True

    def receive(self) -> tuple[bool, Any]:
        """(True, result) of the request sent last, or (False, None) when the child could not do it."""
        if not self._busy:
            return False, None
        self._busy = False
        data = _read(self._in)
        if data is None:
            self._gone()
            return False, None
        if data == _FAILED:
            return False, None
        return True, pickle.loads(data)

    def close(self) -> None:
        """End the child and wait for it (also after an error in the parent)."""
        for stream in (self._out, self._in):
            try:
                stream.close()
            except OSError:
                pass
        self.alive = False
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:  # pragma: no cover - already reaped
            pass

    def _gone(self) -> None:
        self.alive = False


def _serve(work: Callable[[Any], Any], inbox: int, outbox: int) -> None:
    import gc

    gc.disable()  # a short life: collecting the parent's objects copied at the fork would only cost time
    with os.fdopen(inbox, "rb") as requests, os.fdopen(outbox, "wb") as replies:
        while (data := _read(requests)) is not None:
            try:
                reply = pickle.dumps(work(pickle.loads(data)), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # the parent does this request itself
                reply = _FAILED
            try:
                _send(replies, reply)
            except OSError:  # the parent has gone
                return


def _send(stream: Any, data: bytes) -> None:
    stream.write(_LENGTH.pack(len(data)))
    stream.write(data)
    stream.flush()


def _read(stream: Any) -> bytes | None:
    """One message, or None at the end of the pipe (or a message cut short)."""
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (size,) = _LENGTH.unpack(head)
    data = stream.read(size)
    return data if len(data) == size else None
