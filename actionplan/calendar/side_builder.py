"""The side process of a big export: it reads and builds the events it is sent on another core.

:func:`start` forks it before this process opens the database: SQLite lets a process use only
connections it opened itself (a fork after the open would give the child a copy of the parent's
locks and file state), so the child opens its own, read-only, when the first export tells it
where the database is.  Each request is (a :data:`Setup` or None, task ids); the reply is
what :func:`actionplan.calendar.ical._components` gives for those tasks.  Whatever fails in the
child, the export builds those tasks itself (see :mod:`actionplan.calendar.side_process`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from actionplan.calendar import side_process

if TYPE_CHECKING:  # pragma: no cover - typing only
    from actionplan.calendar.events import EventContext
    from actionplan.store.calendar import EventRowReader


#: What the side process needs to know for one export, sent with its first request: the database
#: file, the language the events are written in and the events' contexts by plan key.
Setup = tuple[str, str, Mapping[str, "EventContext"]]


def start() -> side_process.SideProcess | None:
    """Fork the side process now, before this process opens the database; None when there is
    no fork, no second core or another thread runs (the export then builds alone)."""
    if not side_process.can_fork():
        return None
    # what the child runs, imported once for both (the export needs it too)
    import actionplan.calendar.events
    import actionplan.calendar.ical
    import actionplan.store.calendar  # noqa: F401

    try:
        return side_process.SideProcess(_work)
    except OSError:  # no process or pipe left: build alone
        return None


class _Child:
    """The side process's state: its own connection and the current export's setup."""

    reader: EventRowReader | None = None
    contexts: Mapping[str, EventContext] | None = None


def _work(request: tuple[Setup | None, list[int]]) -> Any:
    from actionplan.calendar.ical import _components
    from actionplan.core.i18n import language, set_language
    from actionplan.store.calendar import EventRowReader, event_tasks

    setup, ids = request
    if setup is not None:
        path, lang, contexts = setup
        _Child.contexts = None
        if _Child.reader is None or _Child.reader.path != path:
            if _Child.reader is not None:
                _Child.reader.close()
            _Child.reader = EventRowReader(path)
        if language() != lang:
            set_language(lang)
        _Child.contexts = contexts
    if _Child.reader is None or _Child.contexts is None:
        raise RuntimeError("no export set up in the side process")
    return _components(event_tasks(_Child.reader.event_rows(ids)), ids, _Child.contexts)
