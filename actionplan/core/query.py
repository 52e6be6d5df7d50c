"""The small filter language shared by the CLI and the UI's filter bar.

    lead:MPS status:open due<2026-05-01 tag:legal overdue words...

Terms (all combined with AND):

* ``plan:KEY``          tasks of a plan (repeat for several)
* ``lead:ORG``          led by an org (key, or any org whose name matches)
* ``coord:ORG``         coordinated by an org; ``org:ORG`` led *or* coordinated
* ``who:NAME``          accountable person contains NAME
* ``status:S``          not-started, in-progress, blocked, done, cancelled, or
                        ``open`` (not done/cancelled), ``closed``; comma for several
* ``tag:T``             carries the tag
* ``priority:P``        low, normal, high, critical
* ``due<D`` ``due<=D`` ``due>D`` ``due>=D`` ``due:D``   deadline compared with a date
                        (any deadline form: ``due<"end of Q3 2026"`` or ``due<Q3-2026``)
* ``overdue``           open with the deadline passed; ``soon`` / ``soon:N`` due in N days
* anything else         words searched in title, description, output and tags;
                        words side by side are one phrase, quoted or not
                        (accents optional: bo cong an finds "Bộ Công an")

The CLI and the UI read a query the same way: the CLI turns its arguments into
this text with :func:`query_text`, the UI's filter bar is this text already.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from actionplan.core.errors import QueryError
from actionplan.core.i18n import _
from actionplan.core.limits import MAX_FILTER_TERMS, MAX_SOON_DAYS
from actionplan.core.model import DEFAULT_HORIZON_DAYS, parse_priority, parse_status


@dataclass
class TaskFilter:
    """What to select; every set field narrows the result."""

    plans: list[str] = field(default_factory=list)
    leads: list[str] = field(default_factory=list)
    coordinating: list[str] = field(default_factory=list)
    involving: list[str] = field(default_factory=list)
    accountable: str = ""
    accountable_exact: bool = False
    statuses: list[str] = field(default_factory=list)
    open_only: bool = False
    closed_only: bool = False
    tags: list[str] = field(default_factory=list)
    priorities: list[str] = field(default_factory=list)
    due_before: date | None = None  # deadline < due_before
    due_after: date | None = None  # deadline > due_after
    overdue: bool = False
    due_within: int | None = None
    words: list[str] = field(default_factory=list)
    top_level_only: bool = False

    def is_empty(self) -> bool:
        return self == TaskFilter()

    def merged(self, other: TaskFilter) -> TaskFilter:
        """Both filters at once (lists concatenated, flags or-ed)."""
        return replace(
            self,
            plans=self.plans + other.plans,
            leads=self.leads + other.leads,
            coordinating=self.coordinating + other.coordinating,
            involving=self.involving + other.involving,
            accountable=other.accountable or self.accountable,
            accountable_exact=other.accountable_exact if other.accountable else self.accountable_exact,
            statuses=self.statuses + other.statuses,
            open_only=self.open_only or other.open_only,
            closed_only=self.closed_only or other.closed_only,
            tags=self.tags + other.tags,
            priorities=self.priorities + other.priorities,
            due_before=min((d for d in (self.due_before, other.due_before) if d), default=None),
            due_after=max((d for d in (self.due_after, other.due_after) if d), default=None),
            overdue=self.overdue or other.overdue,
            due_within=other.due_within if other.due_within is not None else self.due_within,
            words=self.words + other.words,
            top_level_only=self.top_level_only or other.top_level_only,
        )


_DUE = re.compile(r"^(due|deadline)(<=|>=|<|>|:|=)(.+)$", re.IGNORECASE)


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        # an unclosed quote while typing: fall back to plain words
        return text.replace('"', " ").replace("'", " ").split()


_FILTER_NAMES = "plan|lead|coord|coordinating|org|agency|who|accountable|tag|status|priority|soon|due|deadline|is"
_HEAD = re.compile(r"^([A-Za-z_]+)(<=|>=|<|>|:|=)(.*)$", re.DOTALL)
_ANOTHER = re.compile(r"\s(" + _FILTER_NAMES + r")(<=|>=|<|>|:)", re.IGNORECASE)


#: Vietnamese words for the filters, without diacritics; they are unambiguous in a filter.
_VIETNAMESE_TERMS = {
    ("qua", "han"): "overdue",
    ("sap", "den", "han"): "soon",
    ("chua", "thuc", "hien"): "status:not-started",
    ("dang", "thuc", "hien"): "status:in-progress",
    ("vuong", "mac"): "status:blocked",
    ("hoan", "thanh"): "status:done",
    ("huy", "bo"): "status:cancelled",
}


def _vietnamese_terms(words: list[str]) -> list[str]:
    """Replace "quá hạn", "vướng mắc", "hoàn thành", ... (written apart, with dashes or quoted) by their filters."""
    from actionplan.core.model import _fold

    out: list[str] = []
    folded = [_fold(w) for w in words]
    i = 0
    while i < len(words):
        parts = folded[i].replace("-", " ").replace("_", " ").split()
        for phrase, term in _VIETNAMESE_TERMS.items():
            n = len(phrase)
            if tuple(parts) == phrase:
                out.append(term)
                i += 1
                break
            if len(parts) == 1 and tuple(folded[i : i + n]) == phrase:
                out.append(term)
                i += n
                break
        else:
            out.append(words[i])
            i += 1
    return out


def quote_terms(terms: Sequence[str]) -> list[str]:
    """Shell arguments -> filter-language terms.

    An argument with spaces is one term whose value has spaces ('due<end of Q1 2027',
    'who:Chief of Office') or a phrase, and is quoted as such; an argument that already
    holds quotes or several terms ('lead:MPS due<"end of Q1 2027"') is kept as written.
    """
    out = []
    for t in terms:
        if " " not in t or '"' in t or "'" in t or _ANOTHER.search(t):
            out.append(t)
            continue
        m = _HEAD.match(t)
        out.append(f'{m[1]}{m[2]}"{m[3]}"' if m else f'"{t}"')
    return out


def query_text(terms: Sequence[str]) -> str:
    """The filter-language text of the CLI's arguments (see :func:`quote_terms`)."""
    return " ".join(quote_terms(terms))


def parse_query(text: str) -> TaskFilter:
    """Parse the filter language into a TaskFilter; raises QueryError naming the bad term.

    Words side by side make one phrase, so ``bo cong an`` (typed in the UI, or three
    arguments to the CLI) means what ``"bo cong an"`` means: the tasks of Bộ Công an,
    not every task with "bo", "cong" and "an" somewhere.
    """
    f = TaskFilter()
    phrase: list[str] = []
    for term in _vietnamese_terms(_split(text or "")):
        if _apply_term(f, term):
            if phrase:
                f.words.append(" ".join(phrase))
                phrase = []
        else:
            phrase.append(term)
    if phrase:
        f.words.append(" ".join(phrase))
    check_size(f)
    return f


def check_size(f: TaskFilter) -> None:
    """Refuse a filter with more terms than SQLite can combine into one query."""
    count = sum(
        len(values) for values in (f.plans, f.leads, f.coordinating, f.involving, f.tags, f.statuses, f.priorities)
    ) + sum(len(phrase.split()) for phrase in f.words)  # each word of a phrase counts as a term
    if count > MAX_FILTER_TERMS:
        raise QueryError(
            _("a filter may have at most {most} terms, this one has {count}").format(most=MAX_FILTER_TERMS, count=count)
        )


def _apply_term(f: TaskFilter, term: str) -> bool:
    """Put a filter term into *f*; False when *term* is a plain word."""
    from actionplan.core.dates import DateError, parse_deadline

    low = term.lower()
    m = _DUE.match(term)
    if m:
        op, raw = m.group(2), m.group(3)
        try:
            d = parse_deadline(raw)
        except DateError as e:
            try:
                d = parse_deadline(raw.replace("-", " ").replace("_", " "))
            except DateError:
                raise QueryError(f"{term}: {e}") from None
        if op == "<":
            f.due_before = d
        elif op == "<=":
            f.due_before = d + timedelta(days=1)
        elif op == ">":
            f.due_after = d
        elif op == ">=":
            f.due_after = d - timedelta(days=1)
        else:
            f.due_after, f.due_before = d - timedelta(days=1), d + timedelta(days=1)
        return True
    if low == "overdue" or low == "is:overdue":
        f.overdue = True
        return True
    if low in ("soon", "is:soon"):
        f.due_within = DEFAULT_HORIZON_DAYS
        return True
    if low in ("top", "is:top"):
        f.top_level_only = True
        return True
    if ":" in term and not term.startswith(":"):
        _apply_named(f, term)
        return True
    return False


def _apply_named(f: TaskFilter, term: str) -> None:
    """A ``name:value`` term (``lead:MPS``, ``status:open,blocked``)."""
    name, _sep, value = term.partition(":")
    name = name.lower()
    if not value:
        raise QueryError(f"{term}: " + _("give a value after the colon"))
    if name == "plan":
        f.plans.extend(v for v in value.split(",") if v)
    elif name == "lead":
        f.leads.extend(v for v in value.split(",") if v)
    elif name in ("coord", "coordinating"):
        f.coordinating.extend(v for v in value.split(",") if v)
    elif name in ("org", "agency"):
        f.involving.extend(v for v in value.split(",") if v)
    elif name in ("who", "accountable"):
        f.accountable = value
    elif name == "tag":
        f.tags.extend(v for v in value.split(",") if v)
    elif name == "status":
        from actionplan.core.model import _fold

        for v in value.split(","):
            word = " ".join(_fold(v).replace("-", " ").replace("_", " ").split())
            if word in ("open", "dang mo"):
                f.open_only = True
            elif word in ("closed", "da ket thuc"):
                f.closed_only = True
            elif word in ("overdue", "qua han"):  # not a stored status, but what people call one
                f.overdue = True
            elif word in ("soon", "due soon", "sap den han"):
                f.due_within = DEFAULT_HORIZON_DAYS
            else:
                try:
                    f.statuses.append(parse_status(v.replace("-", " ")).value)
                except ValueError as e:
                    raise QueryError(f"{term}: {e}") from None
    elif name == "priority":
        for v in value.split(","):
            try:
                f.priorities.append(parse_priority(v).value)
            except ValueError as e:
                raise QueryError(f"{term}: {e}") from None
    elif name == "soon":
        if not (value.isascii() and value.isdigit()):
            raise QueryError(f"{term}: " + _("soon:N needs a number of days"))
        if int(value) > MAX_SOON_DAYS:
            raise QueryError(f"{term}: " + _("soon:N looks at most {days} days ahead").format(days=MAX_SOON_DAYS))
        f.due_within = int(value)
    else:
        raise QueryError(
            _('{term}: unknown filter "{name}"; {hint}').format(
                term=term,
                name=name,
                hint=_("use plan:, lead:, coord:, org:, who:, status:, tag:, priority:, due<, due>, overdue, soon"),
            )
        )


def describe_filter(f: TaskFilter) -> str:
    """A short human description of the active filter, in the current language."""
    from actionplan.core.l10n import iso_or_day
    from actionplan.core.model import status_label

    def joined(values: Sequence[str]) -> str:
        return ", ".join(values)

    parts: list[str] = []
    if f.plans:
        parts.append(_("plan {keys}").format(keys=joined(f.plans)))
    if f.leads:
        parts.append(_("lead {keys}").format(keys=joined(f.leads)))
    if f.coordinating:
        parts.append(_("coordinated by {keys}").format(keys=joined(f.coordinating)))
    if f.involving:
        parts.append(_("involving {keys}").format(keys=joined(f.involving)))
    if f.accountable:
        parts.append(_("accountable ~ {name}").format(name=f.accountable))
    if f.open_only:
        parts.append(_("open"))
    if f.closed_only:
        parts.append(_("closed"))
    if f.statuses:
        parts.append(_("status {values}").format(values=joined([status_label(v) for v in f.statuses])))
    if f.tags:
        parts.append(_("tag {values}").format(values=joined(f.tags)))
    if f.priorities:
        parts.append(_("priority {values}").format(values=joined([status_label(v) for v in f.priorities])))
    if f.overdue:
        parts.append(_("overdue"))
    if f.due_within is not None:
        parts.append(_("due within {n} days").format(n=f.due_within))
    if f.due_after:
        parts.append(_("due after {date}").format(date=iso_or_day(f.due_after)))
    if f.due_before:
        parts.append(_("due before {date}").format(date=iso_or_day(f.due_before)))
    if f.words:
        parts.append(_("words {words}").format(words=" ".join(f'"{w}"' for w in f.words)))
    return "; ".join(parts) if parts else _("all tasks")
