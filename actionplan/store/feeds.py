"""Calendar feed subscriptions."""

import hashlib
import json
from typing import TYPE_CHECKING, Any

from actionplan.core.i18n import _
from actionplan.core.text import clean

if TYPE_CHECKING:
    pass
from actionplan.core.errors import NotFoundError
from actionplan.store.base import StoreBase, rowid


def hash_token(token: str) -> str:
    """How feed tokens are kept: only their SHA-256."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Feeds(StoreBase):
    """Calendar feed subscriptions (tokens are stored hashed)."""

    def add_feed(
        self, token: str, scope_kind: str, scope_value: str, label: str = "", options: dict[str, Any] | None = None
    ) -> int:
        with self.write():
            cur = self.conn.execute(
                "INSERT INTO feeds(token_hash, label, scope_kind, scope_value, options, created_at, created_by) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    hash_token(token),
                    clean(label),
                    scope_kind,
                    scope_value,
                    json.dumps(options or {}, sort_keys=True),
                    self._now(),
                    self.actor,
                ),
            )
            return rowid(cur)

    def list_feeds(self, include_revoked: bool = False) -> list[dict[str, Any]]:
        sql = "SELECT id, label, scope_kind, scope_value, options, created_at, created_by, revoked_at FROM feeds"
        if not include_revoked:
            sql += " WHERE revoked_at IS NULL"
        return [dict(r) for r in self._q(sql + " ORDER BY id")]

    def revoke_feed(self, feed_id: int) -> None:
        with self.write():
            cur = self.conn.execute(
                "UPDATE feeds SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", (self._now(), feed_id)
            )
            if cur.rowcount != 1:
                raise NotFoundError(_("no active feed with id") + f" {feed_id}")

    def feed_by_hash(self, token_hash: str) -> dict[str, Any] | None:
        row = self._one("SELECT * FROM feeds WHERE token_hash = ? AND revoked_at IS NULL", (token_hash,))
        return dict(row) if row else None

    def active_feed_hashes(self) -> list[tuple[str, int]]:
        return [
            (r["token_hash"], r["id"]) for r in self._q("SELECT token_hash, id FROM feeds WHERE revoked_at IS NULL")
        ]
