"""SQLite storage: schema and migrations, reads, filter -> SQL, writes with history and undo,
bulk import, read models for reports, the iCal cache and feeds.

All SQL of the program lives in this package.  Every write runs in one
``BEGIN IMMEDIATE`` transaction, records who changed what in ``history``
and bumps the row's version; an edit that carries a stale version is
refused with :class:`ConflictError` and writes nothing.  :class:`Store`
is the facade: one object per database file, made of one part per concern.
"""

from __future__ import annotations

from actionplan.core.errors import ConflictError, NotFoundError, StoreError, ValidationError
from actionplan.core.model import ImportReport
from actionplan.store.base import default_actor
from actionplan.store.baselines import Baselines
from actionplan.store.calendar import CalendarCache
from actionplan.store.feeds import Feeds, hash_token
from actionplan.store.imports import Imports
from actionplan.store.mail_log import MailLog
from actionplan.store.maintenance import Maintenance
from actionplan.store.reporting import Reporting
from actionplan.store.rows import TASK_FIELDS, key_order_text, task_field_text, task_field_values
from actionplan.store.schema import SCHEMA_VERSION
from actionplan.store.undo import Undo


class Store(Undo, Imports, Reporting, Baselines, CalendarCache, Feeds, Maintenance, MailLog):
    """One database file: open it, read plans and tasks, and change them safely."""


__all__ = [
    "SCHEMA_VERSION",
    "TASK_FIELDS",
    "ConflictError",
    "ImportReport",
    "NotFoundError",
    "Store",
    "StoreError",
    "ValidationError",
    "default_actor",
    "hash_token",
    "key_order_text",
    "task_field_text",
    "task_field_values",
]
