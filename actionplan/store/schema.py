"""Schema and migrations of the SQLite database."""

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils


SCHEMA_VERSION = 3


def _migrate_1(db: "sqlite_utils.Database") -> None:
    """The first released schema: plans, orgs, tasks, links, updates, history."""
    db.executescript(
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
        CREATE TABLE plans (
            id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, reference TEXT NOT NULL DEFAULT '',
            title TEXT NOT NULL, issuer TEXT NOT NULL DEFAULT '', issued_on TEXT, period TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'active', reminders TEXT NOT NULL DEFAULT '',
            version INTEGER NOT NULL DEFAULT 1, updated_at TEXT);
        CREATE TABLE orgs (
            id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
            short_name TEXT NOT NULL DEFAULT '', parent_id INTEGER REFERENCES orgs(id),
            head TEXT NOT NULL DEFAULT '', head_title TEXT NOT NULL DEFAULT '', email TEXT NOT NULL DEFAULT '',
            search TEXT NOT NULL DEFAULT '', version INTEGER NOT NULL DEFAULT 1, updated_at TEXT);
        CREATE TABLE tasks (
            id INTEGER PRIMARY KEY,
            plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
            key TEXT NOT NULL, parent_id INTEGER REFERENCES tasks(id),
            title TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',
            lead_id INTEGER NOT NULL REFERENCES orgs(id), accountable TEXT NOT NULL DEFAULT '',
            start TEXT, deadline TEXT, deadline_text TEXT NOT NULL DEFAULT '', recurrence TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'not started', progress INTEGER NOT NULL DEFAULT 0,
            priority TEXT NOT NULL DEFAULT 'normal', output TEXT NOT NULL DEFAULT '',
            kpi_metric TEXT, kpi_target REAL, kpi_current REAL, kpi_unit TEXT, kpi_baseline REAL,
            evidence TEXT NOT NULL DEFAULT '', completed_on TEXT, blocked_reason TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '', search_text TEXT NOT NULL DEFAULT '',
            version INTEGER NOT NULL DEFAULT 1, created_at TEXT, updated_at TEXT,
            UNIQUE (plan_id, key));
        CREATE INDEX idx_tasks_deadline ON tasks(deadline);
        CREATE INDEX idx_tasks_status ON tasks(status);
        CREATE INDEX idx_tasks_lead ON tasks(lead_id);
        CREATE INDEX idx_tasks_parent ON tasks(parent_id);
        CREATE TABLE task_coordinators (
            task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
            org_id INTEGER NOT NULL REFERENCES orgs(id), position INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (task_id, org_id));
        CREATE INDEX idx_coord_org ON task_coordinators(org_id);
        CREATE TABLE task_dependencies (
            task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
            depends_on_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
            position INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (task_id, depends_on_id));
        CREATE TABLE task_tags (
            task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
            tag TEXT NOT NULL, position INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (task_id, tag));
        CREATE INDEX idx_tags_tag ON task_tags(tag);
        CREATE TABLE updates (
            id INTEGER PRIMARY KEY, task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
            on_date TEXT NOT NULL, author TEXT NOT NULL, text TEXT NOT NULL, progress INTEGER,
            created_at TEXT NOT NULL);
        CREATE INDEX idx_updates_task ON updates(task_id);
        CREATE TABLE changes (
            id INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
            summary TEXT NOT NULL DEFAULT '', undo_of INTEGER, undone_by INTEGER);
        CREATE TABLE history (
            id INTEGER PRIMARY KEY, change_id INTEGER NOT NULL REFERENCES changes(id),
            entity TEXT NOT NULL, entity_id INTEGER NOT NULL, ref TEXT NOT NULL,
            field TEXT NOT NULL, old TEXT, new TEXT);
        CREATE INDEX idx_history_entity ON history(entity, entity_id);
        CREATE INDEX idx_history_change ON history(change_id);
        CREATE INDEX idx_history_field ON history(field);
        """
    )
    db.table("tasks").enable_fts(["search_text"], create_triggers=True, tokenize="unicode61 remove_diacritics 2")


def _migrate_2(db: "sqlite_utils.Database") -> None:
    """Digests on record, cached iCal events and calendar feed subscriptions."""
    db.executescript(
        """
        CREATE TABLE digests (
            id INTEGER PRIMARY KEY, as_of TEXT NOT NULL, since TEXT, created_at TEXT NOT NULL,
            actor TEXT NOT NULL, params TEXT NOT NULL DEFAULT '{}');
        CREATE TABLE ical_cache (
            task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
            options TEXT NOT NULL, version INTEGER NOT NULL, body TEXT NOT NULL,
            PRIMARY KEY (task_id, options));
        CREATE TABLE feeds (
            id INTEGER PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, label TEXT NOT NULL DEFAULT '',
            scope_kind TEXT NOT NULL, scope_value TEXT NOT NULL, options TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL, created_by TEXT NOT NULL, revoked_at TEXT);
        """
    )


def _change_reasons(db: "sqlite_utils.Database") -> None:
    """Why a change was made (a deadline moving on an active plan says why; an import names its file)."""
    db.execute("ALTER TABLE changes ADD COLUMN reason TEXT NOT NULL DEFAULT ''")


def _baseline_tables(db: "sqlite_utils.Database") -> None:
    """Saved baselines: each task's deadline, output and lead as a plan was approved.

    A baseline is a record of what was promised, so the triggers refuse to change or
    delete one once saved, whatever program writes to the file.  Tasks are named by key,
    not by a foreign key: a task deleted later still has its line in the baseline.  Lines
    go only into the newest baseline, in the transaction that saves it.
    """
    db.executescript(
        """
        CREATE TABLE baselines (
            id INTEGER PRIMARY KEY, plan_id INTEGER NOT NULL REFERENCES plans(id),
            name TEXT NOT NULL, saved_at TEXT NOT NULL, saved_by TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '', after_change INTEGER NOT NULL DEFAULT 0, UNIQUE (plan_id, name));
        CREATE TABLE baseline_tasks (
            baseline_id INTEGER NOT NULL REFERENCES baselines(id),
            task_key TEXT NOT NULL, title TEXT NOT NULL, lead TEXT NOT NULL,
            deadline TEXT, deadline_text TEXT NOT NULL DEFAULT '', output TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (baseline_id, task_key));
        CREATE TRIGGER baselines_no_update BEFORE UPDATE ON baselines
            BEGIN SELECT RAISE(ABORT, 'a saved baseline is never changed'); END;
        CREATE TRIGGER baselines_no_delete BEFORE DELETE ON baselines
            BEGIN SELECT RAISE(ABORT, 'a saved baseline is never deleted'); END;
        CREATE TRIGGER baseline_tasks_no_update BEFORE UPDATE ON baseline_tasks
            BEGIN SELECT RAISE(ABORT, 'a saved baseline is never changed'); END;
        CREATE TRIGGER baseline_tasks_no_delete BEFORE DELETE ON baseline_tasks
            BEGIN SELECT RAISE(ABORT, 'a saved baseline is never deleted'); END;
        CREATE TRIGGER baseline_tasks_only_new BEFORE INSERT ON baseline_tasks
            WHEN NEW.baseline_id != (SELECT max(id) FROM baselines)
            BEGIN SELECT RAISE(ABORT, 'a saved baseline is never changed'); END;
        """
    )


def _mail_log_tables(db: "sqlite_utils.Database") -> None:
    """The send log: each message delivered, once per kind, recipient and what it covers."""
    db.executescript(
        """
        CREATE TABLE mail_log (
            id INTEGER PRIMARY KEY, kind TEXT NOT NULL, recipient TEXT NOT NULL, covers TEXT NOT NULL,
            org TEXT NOT NULL DEFAULT '', as_of TEXT NOT NULL, subject TEXT NOT NULL DEFAULT '',
            message_id TEXT NOT NULL, sent_at TEXT NOT NULL, actor TEXT NOT NULL,
            UNIQUE (kind, recipient, covers));
        CREATE INDEX idx_mail_log_org ON mail_log(kind, org, as_of);
        """
    )


def _migrate_3(db: "sqlite_utils.Database") -> None:
    """Schema 3: each concern adds its tables and columns in a function of its own."""
    _change_reasons(db)
    _baseline_tables(db)
    _mail_log_tables(db)


MIGRATIONS: list[Callable[["sqlite_utils.Database"], None]] = [_migrate_1, _migrate_2, _migrate_3]
