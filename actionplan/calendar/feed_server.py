"""The HTTP app that serves calendar subscription feeds (Starlette, served by uvicorn).

A member's calendar polls ``GET /feeds/<token>.ics``; the feeds themselves
(tokens, scopes) are :mod:`actionplan.services.feeds`.  The app is built to be polled
cheaply:

* the ETag is derived from the feed, the store's ``data_stamp()`` and the
  options, so ``If-None-Match`` / ``If-Modified-Since`` answer 304 after a
  few small queries, without building the calendar;
* a built body is kept in memory per (feed, data stamp), plain and gzipped,
  so clients that do not send conditional headers cost a dictionary lookup;
* every request reads through a short-lived borrow of a pooled SQLite
  connection in autocommit mode, so the next request sees the latest commit;
  the few tiny lookup reads run on the event loop, a calendar build runs in a
  worker thread (one build per feed version, however many clients wait).

Nothing outside these two modules knows a token: unknown, revoked and
malformed tokens get the same 404 body, and the request log names the feed by
its id.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from actionplan.core.dates import get_zone
from actionplan.services.feeds import Feed, feed_window, find_feed, token_from_name, window_spans
from actionplan.store import Store

if TYPE_CHECKING:  # pragma: no cover
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response

#: The request log keeps the name it had when server and feeds were one module.
log = logging.getLogger("actionplan.services.feeds")

#: Bump when the calendar a feed produces changes shape, so every ETag changes with it.
FEED_FORMAT = "2"

#: What every unknown, revoked or malformed feed URL gets: the same bytes, nothing more.
NOT_FOUND_BODY = b"Not found\n"
#: Longest request path looked at; anything longer is refused before routing.
MAX_PATH = 256
_TOKENISH = re.compile(r"[A-Za-z0-9_-]{20,}")
CACHE_CONTROL = "private, max-age=300"


# --- HTTP helpers ---------------------------------------------------------------------------------


def _opaque_tags(header: str) -> list[str]:
    """The entity tags of an If-None-Match header, compared weakly (RFC 9110 13.1.2).

    ``W/`` is dropped, and so is an encoding suffix a compressing proxy may
    have appended (Apache's ``-gzip``), so 304s keep working behind it.
    """
    tags = []
    for part in header.split(","):
        part = part.strip()
        if part == "*":
            tags.append("*")
            continue
        if part.startswith("W/"):
            part = part[2:]
        part = part.strip('"')
        part = re.sub(r"-(gzip|br|zstd|deflate)$", "", part)
        if part:
            tags.append(part)
    return tags


def not_modified(headers: Any, etag: str, last_modified: datetime) -> bool:
    """Whether the client already holds this version (If-None-Match wins over If-Modified-Since)."""
    inm = headers.get("if-none-match")
    if inm is not None:
        tags = _opaque_tags(inm)
        return "*" in tags or etag.strip('"') in tags
    ims = headers.get("if-modified-since")
    if ims:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError, IndexError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return last_modified.replace(microsecond=0) <= since
    return False


def _parse_instant(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _printable(path: str) -> str:
    """A request path fit for one log line: no control characters, no token-like runs, bounded."""
    path = _TOKENISH.sub("<redacted>", path)
    path = "".join(c if " " < c < "\x7f" else "?" for c in path)
    return path[:120] + ("…" if len(path) > 120 else "")


# --- connections and the body cache ------------------------------------------------------------


class StorePool:
    """Stores lent to one request at a time (SQLite connections are never shared between threads at once).

    Each connection runs in autocommit mode, so every query sees the latest
    committed data: an edit shows in the very next request.
    """

    def __init__(self, factory: Callable[[], Store]) -> None:
        self._factory = factory
        self._idle: list[Store] = []
        self._all: list[Store] = []
        self._lock = threading.Lock()

    @contextmanager
    def borrow(self) -> Iterator[Store]:
        with self._lock:
            store = self._idle.pop() if self._idle else None
        if store is None:
            store = self._factory()
            with self._lock:
                self._all.append(store)
        try:
            yield store
        finally:
            with self._lock:
                self._idle.append(store)

    def close(self) -> None:
        with self._lock:
            for store in self._all:
                store.close()
            self._all.clear()
            self._idle.clear()


@dataclass(frozen=True)
class Body:
    """One built calendar, as sent plain and gzip-compressed (compressed once, sent many times)."""

    plain: bytes
    gzip: bytes

    @classmethod
    def of(cls, text: str) -> Body:
        plain = text.encode("utf-8")
        return cls(plain, gzip.compress(plain, compresslevel=6, mtime=0))  # mtime=0: same bytes every time

    @property
    def size(self) -> int:
        return len(self.plain) + len(self.gzip)


class BodyCache:
    """Built calendars by ETag, least recently used first out, bounded in count and bytes.

    A per-feed lock makes concurrent clients of a feed that just changed wait
    for one build instead of building it each.
    """

    def __init__(self, max_entries: int = 64, max_bytes: int = 256 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._bodies: OrderedDict[str, Body] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self._build_locks: dict[int, threading.Lock] = {}
        self.builds = 0

    def get(self, etag: str) -> Body | None:
        with self._lock:
            body = self._bodies.get(etag)
            if body is not None:
                self._bodies.move_to_end(etag)
            return body

    def put(self, etag: str, body: Body) -> None:
        with self._lock:
            if etag in self._bodies:
                return
            self._bodies[etag] = body
            self._size += body.size
            while self._bodies and (len(self._bodies) > self.max_entries or self._size > self.max_bytes):
                _old, dropped = self._bodies.popitem(last=False)
                self._size -= dropped.size

    def get_or_build(self, feed_id: int, etag: str, build: Callable[[], str]) -> Body:
        body = self.get(etag)
        if body is not None:
            return body
        with self._lock:
            lock = self._build_locks.setdefault(feed_id, threading.Lock())
        with lock:
            body = self.get(etag)
            if body is None:
                body = Body.of(build())
                self.builds += 1
                self.put(etag, body)
            return body


# --- the feed service ------------------------------------------------------------------------------

#: Builds the calendar text of a feed: (store, feed, now) -> iCalendar text.
Renderer = Callable[[Store, Feed, datetime], str]


def build_feed(store: Store, feed: Feed, now: datetime):
    """The feed's calendar and its counts (see :func:`render_feed`)."""
    from actionplan.calendar.ical import IcalOptions, build_calendar, calendar_name

    f = feed.scope.task_filter()
    options = IcalOptions(reminder_events=feed.reminder_events)
    today = store.today()
    window = feed_window(store, feed, today)
    return build_calendar(
        store, f, options, now=now, name=calendar_name(store, f), today=today, window=window, select_window=True
    )


def render_feed(store: Store, feed: Feed, now: datetime) -> str:
    """The feed's calendar, through the iCal export (same events, same UIDs as ``actionplan ics``),
    within the feed's window of dates (services.feeds.feed_window).

    *now* is the feed's Last-Modified time, so the same data on the same day always
    gives the same bytes (a strong ETag promises that); it is also the calendar's DTSTAMP.
    """
    from actionplan.calendar.ical import size_advice

    result = build_feed(store, feed, now)
    if result.too_big:
        log.warning("feed %d: %s", feed.id, size_advice(result.size, feed=True))
    return result.text


def accepts_gzip(header: str | None) -> bool:
    """Whether an Accept-Encoding header allows gzip (``gzip``, ``gzip;q=0.5``; not ``gzip;q=0``)."""
    for part in (header or "").lower().split(","):
        name, _sep, params = part.partition(";")
        if name.strip() not in ("gzip", "x-gzip"):
            continue
        q = 1.0
        for param in params.split(";"):
            key, _eq, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        return q > 0
    return False


@dataclass
class FeedVersion:
    """What identifies one version of a feed, computed without building it."""

    feed: Feed
    etag: str
    last_modified: datetime


@dataclass
class Outcome:
    """The answer to one feed request, before it becomes an HTTP response.

    ``pending`` is set when the calendar still has to be built (a 200 not in
    the cache): :meth:`FeedService.complete` builds it, in a worker thread.
    """

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    feed_id: int | None = None
    pending: FeedVersion | None = None
    compressed: bool = False


class FeedService:
    """Looks feeds up and answers for them.

    :meth:`prepare` runs a few sub-millisecond queries and may run on the
    event loop (it never waits on a writer: readers of a WAL database do not
    block); :meth:`complete` builds a calendar and belongs in a worker thread.
    """

    def __init__(self, pool: StorePool, render: Renderer = render_feed, cache: BodyCache | None = None) -> None:
        self.pool = pool
        self.render = render
        self.cache = cache or BodyCache()
        #: per feed, the last (ETag, Last-Modified) answered: see :meth:`_monotonic`
        self._answered: dict[int, tuple[str, datetime]] = {}
        self._answered_lock = threading.Lock()

    def version(self, store: Store, feed: Feed) -> FeedVersion:
        """ETag and Last-Modified from the data stamp: a few small queries, no calendar built."""
        stamp = store.data_stamp()
        created = _parse_instant(feed.created_at) or datetime(1970, 1, 1, tzinfo=UTC)
        changed = _parse_instant(store.last_change_at()) or created
        # The calendar also depends on the day (its window, how late late tasks are): it changes at
        # the committee's midnight, so that is a modification too.
        today = store.today()
        midnight = datetime.combine(today, datetime.min.time(), get_zone(store.timezone)).astimezone(UTC)
        last_modified = max(changed, created, midnight).replace(microsecond=0)
        spans = ",".join(window_spans(store, feed))
        seed = "|".join(
            [FEED_FORMAT, str(feed.id), stamp, feed.scope.kind, feed.scope.value, feed.options_text, str(today), spans]
        )
        digest = hashlib.sha256(seed.encode("utf-8")).hexdigest()[:32]
        etag = f'"{feed.id}-{digest}"'
        return FeedVersion(feed, etag, self._monotonic(feed.id, etag, last_modified))

    def _monotonic(self, feed_id: int, etag: str, last_modified: datetime) -> datetime:
        """Last-Modified moves whenever the ETag does.

        Changes are timed to the second, so two edits in one second would give two bodies the
        same Last-Modified, and a client that sends only If-Modified-Since would keep the first.
        A new ETag therefore gets at least a second more than the one answered before it.
        """
        with self._answered_lock:
            before = self._answered.get(feed_id)
            if before is not None and before[0] != etag and last_modified <= before[1]:
                last_modified = before[1] + timedelta(seconds=1)
            elif before is not None and before[0] == etag:
                last_modified = before[1]
            self._answered[feed_id] = (etag, last_modified)
        return last_modified

    def prepare(self, token: str, request_headers: Any) -> Outcome:
        """404, 304, or 200 from the cache; else a 200 with ``pending`` set (the calendar must be built)."""
        compressed = accepts_gzip(request_headers.get("accept-encoding"))
        with self.pool.borrow() as store:
            feed = find_feed(store, token)
            if feed is None:
                return Outcome(404, NOT_FOUND_BODY, {"content-type": "text/plain; charset=utf-8"})
            v = self.version(store, feed)
        # each encoding is its own representation, with its own strong ETag
        etag = v.etag[:-1] + '-gzip"' if compressed else v.etag
        headers = {
            "etag": etag,
            "last-modified": format_datetime(v.last_modified, usegmt=True),
            "cache-control": CACHE_CONTROL,
            "vary": "Accept-Encoding",
        }
        if not_modified(request_headers, v.etag, v.last_modified):
            return Outcome(304, b"", headers, feed.id)
        headers["content-type"] = "text/calendar; charset=utf-8"
        if compressed:
            headers["content-encoding"] = "gzip"
        body = self.cache.get(v.etag)
        if body is None:
            return Outcome(200, b"", headers, feed.id, pending=v, compressed=compressed)
        return Outcome(200, body.gzip if compressed else body.plain, headers, feed.id, compressed=compressed)

    def complete(self, outcome: Outcome) -> Outcome:
        """Build the pending calendar (once, however many requests wait for it) and fill the body.

        The ETag was computed before the build, so the body is never older
        than its ETag says; an edit in between only makes the next request a 200.
        """
        v = outcome.pending
        if v is None:
            return outcome
        with self.pool.borrow() as store:
            body = self.cache.get_or_build(v.feed.id, v.etag, lambda: self.render(store, v.feed, v.last_modified))
        outcome.body = body.gzip if outcome.compressed else body.plain
        outcome.pending = None
        return outcome

    def answer(self, token: str, request_headers: Any) -> Outcome:
        """The whole answer in one call (for callers without an event loop)."""
        return self.complete(self.prepare(token, request_headers))

    def health(self) -> dict[str, Any]:
        """Whether the database answers; nothing about its content (the address is public)."""
        with self.pool.borrow() as store:
            store.count_tasks()  # reads the tasks table: a database that cannot be read fails here
            return {"status": "ok", "schema": store.schema_version}


# --- the ASGI app ----------------------------------------------------------------------------------


def _not_found() -> Response:
    from starlette.responses import Response

    return Response(NOT_FOUND_BODY, status_code=404, media_type="text/plain")


class RequestLog:
    """ASGI middleware: one log line per request, with the token replaced by the feed id.

    It also refuses over-long paths before any routing happens.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        note: dict[str, Any] = {"feed_id": None}
        scope["actionplan.log"] = note
        answer = {"status": 500, "bytes": 0, "logged": False}

        def write_line() -> None:
            answer["logged"] = True
            path = scope["path"]
            if path.startswith("/feeds/") or path == "/feeds":
                feed_id = note["feed_id"]
                shown = f"/feeds/<feed {feed_id}>.ics" if feed_id is not None else "/feeds/<unknown>"
            else:
                shown = _printable(path)
            size = 0 if scope.get("method") == "HEAD" else answer["bytes"]
            ms = (time.perf_counter() - started) * 1000
            log.info("%s %s %d %dB %.1fms", _printable(scope.get("method", "?")), shown, answer["status"], size, ms)

        async def counting_send(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                if scope.get("method") == "HEAD" or message["status"] in (204, 304):
                    write_line()  # the client is done once it has the headers
            elif message["type"] == "http.response.body":
                answer["bytes"] += len(message.get("body", b""))
                if not message.get("more_body", False) and not answer["logged"]:
                    write_line()  # before the last byte leaves: the line exists when the client has its answer
            await send(message)

        try:
            if len(scope.get("raw_path") or b"") > MAX_PATH or len(scope["path"]) > MAX_PATH:
                await _not_found()(scope, receive, counting_send)
            else:
                await self.app(scope, receive, counting_send)
        finally:
            if not answer["logged"]:
                write_line()


def create_app(
    db_path: str | Path | None = None,
    *,
    store_factory: Callable[[], Store] | None = None,
    render: Renderer = render_feed,
    cache: BodyCache | None = None,
) -> Starlette:
    """The feeds app: ``GET /feeds/<token>.ics`` and ``GET /health`` (HEAD works too)."""
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.middleware import Middleware
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    if store_factory is None:
        if db_path is None:
            raise ValueError("create_app needs db_path or store_factory")
        path = Path(db_path)

        def store_factory() -> Store:
            return Store(path, actor="feeds")

    pool = StorePool(store_factory)
    service = FeedService(pool, render, cache)

    async def feed(request: Request) -> Response:
        token = token_from_name(request.path_params["name"])
        if token is None:
            return _not_found()
        outcome = service.prepare(token, request.headers)  # a few tiny reads: no thread hop needed
        if outcome.pending is not None:
            outcome = await run_in_threadpool(service.complete, outcome)
        if outcome.feed_id is not None:
            request.scope["actionplan.log"]["feed_id"] = outcome.feed_id
        if outcome.status == 404:
            return _not_found()
        return Response(outcome.body, status_code=outcome.status, headers=outcome.headers)

    async def health(request: Request) -> Response:
        try:
            return JSONResponse(await run_in_threadpool(service.health))
        except Exception:  # the database is gone or unreadable: say so without details
            log.exception("health check failed")
            return JSONResponse({"status": "error"}, status_code=503)

    async def not_found(request: Request, exc: Exception) -> Response:
        return _not_found()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> Any:
        yield
        pool.close()

    app = Starlette(
        routes=[Route("/feeds/{name:path}", feed, methods=["GET"]), Route("/health", health, methods=["GET"])],
        middleware=[Middleware(RequestLog)],
        exception_handlers={404: not_found},
        lifespan=lifespan,
    )
    app.router.redirect_slashes = False  # /feeds must not answer differently from /feeds/<anything>
    app.state.service = service
    return app


def serve(db_path: str | Path, *, host: str = "127.0.0.1", port: int = 8080) -> None:
    """Run the feeds server in the foreground (uvicorn's own access log off: we log each request)."""
    import sys

    import uvicorn

    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
    app = create_app(db_path)
    uvicorn.run(app, host=host, port=port, access_log=False, server_header=False, log_level="info", proxy_headers=False)
