"""The task editor: every field of a task in one scrolling form.

Each field is parsed with :func:`actionplan.core.fields.parse_field`, the same
parsing as ``actionplan add``/``set``, so a field accepts the same text
everywhere and fails with the same message.  Problems show under the field as
you type; Save is refused while any field is invalid.  A save that meets a
newer version (someone else saved first) opens :class:`ConflictDialog`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.suggester import Suggester, SuggestFromList
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, TextArea

from actionplan.core import model, rules
from actionplan.core.dates import DateError
from actionplan.core.fields import (
    BY_NAME,
    FORM,
    KPI_FIELDS,
    FieldError,
    field_label,
    history_text,
    next_task_key,
    parse_field,
)
from actionplan.core.i18n import _
from actionplan.core.model import Org, Priority, Task, TaskStatus
from actionplan.core.recurrence import RecurrenceError, describe_rrule, validate_rrule
from actionplan.services import tasks as task_service
from actionplan.store import ConflictError, StoreError, ValidationError
from actionplan.tui.base import ActionPlanModal
from actionplan.tui.screens.dialogs import ConfirmDialog, ConflictChoice, ConflictDialog, last_saved_by, resolved_date
from actionplan.tui.widgets.footer import FittingFooter

REQUIRED = frozenset({"key", "title", "lead"})
DATE_FIELDS = frozenset({"start", "deadline", "completed_on"})


def widget_id(name: str) -> str:
    """DOM id of a field's input widget ("kpi.target" -> "f-kpi-target")."""
    return "f-" + name.replace(".", "-").replace("_", "-")


def field_text(task: Task, name: str) -> str:
    """A task field as the form shows it (the deadline as it was written, if it was)."""
    if name == "key":
        return task.key
    if name == "deadline":
        if task.deadline is None:
            return ""
        return task.deadline_text or task.deadline.isoformat()
    if name in ("status", "priority"):
        return str(getattr(task, name))
    if name == "progress":
        return str(task.progress)
    return history_text(task, name.replace(".", "_")) or ""


class ListSuggester(Suggester):
    """Completes the last item of a comma-separated list from known values."""

    def __init__(self, values: Iterable[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.values = list(values)

    async def get_suggestion(self, value: str) -> str | None:
        head, sep, last = value.rpartition(",")
        typed = last.lstrip()
        if not typed:
            return None
        taken = {p.strip().casefold() for p in head.split(",")} if sep else set()
        for candidate in self.values:
            if candidate.casefold().startswith(typed.casefold()) and candidate.casefold() not in taken:
                return value[: len(value) - len(typed)] + candidate
        return None


@dataclass
class _Check:
    """Outcome of reading the whole form."""

    values: dict[str, dict[str, Any]]
    errors: dict[str, str]


class TaskEditor(ActionPlanModal[Task | None]):
    """Add a task (``task=None``) or edit one; dismisses with the saved task or None.

    ``plan`` is the plan of a new task (an edited task keeps its own);
    ``parent`` and ``key`` prefill a new task (the key defaults to the next
    free one under ``parent``).  Needs ``app.store`` and ``app.today``; after a
    save it calls ``app.data_changed()`` and ``app.notify()``.
    """

    DEFAULT_CSS = """
    TaskEditor {
        align: center middle;
    }
    TaskEditor > #editor-box {
        width: 100%;
        max-width: 112;
        height: 100%;
        max-height: 48;
        border: thick $primary 70%;
        background: $panel;
        padding: 0 1;
    }
    TaskEditor #editor-title {
        width: 100%;
        text-style: bold;
        color: $text-primary;
    }
    TaskEditor #editor-form {
        height: 1fr;
        scrollbar-size-vertical: 1;
    }
    TaskEditor .field-row {
        height: auto;
        width: 100%;
    }
    TaskEditor .field-label {
        width: 16;
        padding-right: 1;
        color: $text-muted;
    }
    TaskEditor .field-row:focus-within > .field-label {
        color: $text-accent;
        text-style: bold;
    }
    TaskEditor .field-row Input, TaskEditor .field-row Select {
        width: 1fr;
    }
    TaskEditor .field-row Input {
        background: $surface;
    }
    TaskEditor .field-row Input:focus {
        background: $boost;
        background-tint: $primary 20%;
    }
    TaskEditor .field-row TextArea {
        width: 1fr;
        height: 4;
        background: $surface;
    }
    TaskEditor .hint, TaskEditor .error {
        margin-left: 16;
        width: 1fr;
        height: auto;
    }
    TaskEditor .hint {
        color: $text-muted;
    }
    TaskEditor .error {
        color: $text-error;
    }
    TaskEditor .hint.-empty, TaskEditor .error.-empty {
        display: none;
    }
    TaskEditor .section {
        margin-top: 1;
        width: 100%;
        text-style: bold;
        color: $text-secondary;
        border-bottom: solid $secondary 40%;
    }
    TaskEditor #editor-bar {
        height: auto;
        width: 100%;
    }
    TaskEditor #editor-status {
        width: 1fr;
        height: 3;
        content-align: left middle;
        color: $text-warning;
    }
    TaskEditor #editor-bar Button {
        margin-left: 1;
    }
    """

    HELP_TITLE = _("Task editor")

    BINDINGS = [
        Binding("escape", "cancel", _("Cancel")),
        Binding("ctrl+s", "save", _("Save")),
    ]

    def __init__(self, task: Task | None = None, *, plan: str = "", parent: str = "", key: str | None = None) -> None:
        super().__init__()
        if task is None and not plan:
            raise ValueError("TaskEditor needs the plan of the new task")
        self.original: Task | None = task
        self.plan_key = task.plan if task is not None else plan
        self._new_parent = parent
        self._new_key = key
        self._initial: dict[str, str] = {}
        self._touched: set[str] = set()
        self._store_errors: dict[str, str] = {}
        self._show_all = False
        self._orgs: list[Org] = []
        self._task_keys: list[str] = []
        self._lead_key = ""
        #: the head the form put into "accountable" itself (replaced when the lead changes again)
        self._auto_head = ""
        self._shown: dict[str | None, str] = {}

    # --- building the form ----------------------------------------------------------------

    @property
    def is_new(self) -> bool:
        return self.original is None

    @property
    def names(self) -> list[str]:
        """The fields of this form (no key when editing)."""
        return [n for n, _k in FORM if n != "key" or self.is_new]

    def _initial_texts(self) -> dict[str, str]:
        if self.original is not None:
            return {name: field_text(self.original, name) for name in self.names}
        key = self._new_key or next_task_key(self._task_keys, self._new_parent)
        blank = Task(plan=self.plan_key, key=key, title="", parent=self._new_parent)
        return {name: field_text(blank, name) for name in self.names}

    def _title_text(self) -> str:
        if self.original is None:
            return _("New task in") + f" {self.plan_key}"
        return _("Edit") + f" {self.original.ref} (" + _("version") + f" {self.original.version})"

    def compose(self) -> ComposeResult:
        store = self.app.store
        self._orgs = store.list_orgs()
        self._task_keys = store.task_keys(self.plan_key)
        self._initial = self._initial_texts()
        self._lead_key = self._initial.get("lead", "")
        # the first layout already has the hints and the Save state, so nothing moves after mounting
        first = self._check(self._initial)
        with Vertical(id="editor-box"):
            yield Label(self._title_text(), id="editor-title", markup=False)
            with VerticalScroll(id="editor-form"):
                for name in self.names:
                    if name == "kpi.metric":
                        yield Label(_("KPI (optional)"), classes="section")
                    with Horizontal(classes="field-row", id=f"row-{widget_id(name)[2:]}"):
                        label = field_label(name) + (" *" if name in REQUIRED else "")
                        yield Label(label, classes="field-label")
                        yield self._make_widget(name)
                    hint = "" if name in first.errors else self._hint(name, first, self._initial[name])
                    yield Label(
                        hint,
                        id=f"hint-{widget_id(name)[2:]}",
                        classes="hint" + ("" if hint else " -empty"),
                        markup=False,
                    )
                    self._shown[f"hint-{widget_id(name)[2:]}"] = hint
                    self._shown[f"error-{widget_id(name)[2:]}"] = ""
                    yield Label("", id=f"error-{widget_id(name)[2:]}", classes="error -empty", markup=False)
            with Horizontal(id="editor-bar"):
                status = self._status_text(first, [])
                self._shown["editor-status"] = status
                yield Label(status, id="editor-status", markup=False)
                yield Button(_("Save"), id="save", variant="primary", tooltip="ctrl+s", disabled=bool(first.errors))
                yield Button(_("Cancel"), id="cancel", tooltip="escape")
        yield FittingFooter()

    def _make_widget(self, name: str) -> Widget:
        kind = dict(FORM)[name]
        text = self._initial[name]
        wid = widget_id(name)
        if kind == "status":
            return Select(
                [(_(str(s)), str(s)) for s in TaskStatus], id=wid, compact=True, allow_blank=False, value=text
            )
        if kind == "priority":
            return Select([(_(str(p)), str(p)) for p in Priority], id=wid, compact=True, allow_blank=False, value=text)
        if kind == "text":
            return TextArea(text, id=wid, compact=True, tab_behavior="focus", soft_wrap=True)
        suggester: Suggester | None = None
        if name == "accountable":
            suggester = self._heads_suggester(self._lead_key)
        elif name == "lead":  # an Input, not a Select: typed or pasted text names exactly one agency or none
            suggester = SuggestFromList([o.key for o in self._orgs], case_sensitive=False)
        elif name == "coordinating":
            suggester = ListSuggester(org.key for org in self._orgs)
        elif name == "depends_on":
            suggester = ListSuggester(self._task_keys)
        elif name == "tags":
            suggester = ListSuggester(self.app.store.tags())
        elif name == "parent":
            suggester = SuggestFromList(self._task_keys, case_sensitive=False)
        elif name == "recurrence":
            suggester = SuggestFromList(["monthly", "quarterly", "yearly"], case_sensitive=False)
        help_text = _(BY_NAME[name].help)
        return Input(
            text,
            placeholder=help_text,
            id=wid,
            compact=True,
            suggester=suggester,
            tooltip=help_text,
            select_on_focus=False,
        )

    def _heads_suggester(self, lead: str) -> SuggestFromList:
        """Heads of the known orgs, the lead agency's head first."""
        heads = [o.head for o in self._orgs if o.key == lead and o.head]
        heads += [o.head for o in self._orgs if o.head and o.head not in heads]
        return SuggestFromList(heads, case_sensitive=False)

    def on_mount(self) -> None:
        self._refresh_checks()
        self._widget("title").focus()

    # --- reading the form -----------------------------------------------------------------

    def _widget(self, name: str) -> Widget:
        return self.query_one(f"#{widget_id(name)}")

    def text_of(self, name: str) -> str:
        """What the form holds for a field, as text."""
        widget = self._widget(name)
        if isinstance(widget, Select):
            value = widget.value
            return "" if value == Select.NULL else str(value)
        if isinstance(widget, TextArea):
            return widget.text
        assert isinstance(widget, Input)
        return widget.value

    def set_text(self, name: str, text: str) -> None:
        """Put a value into a field's widget."""
        widget = self._widget(name)
        if isinstance(widget, Select):
            widget.value = text if text else Select.NULL
        elif isinstance(widget, TextArea):
            widget.load_text(text)
        else:
            assert isinstance(widget, Input)
            widget.value = text

    @property
    def dirty(self) -> list[str]:
        """Fields whose text differs from what the editor started with."""
        return [n for n in self.names if self.text_of(n) != self._initial.get(n, "")]

    def _resolve_org(self, text: str, field_name: str) -> str:
        try:
            return self.app.store.resolve_org(text, field_name).key
        except StoreError as e:
            raise FieldError(field_name, getattr(e, "reason", str(e))) from None

    def _check(self, texts: dict[str, str] | None = None) -> _Check:
        """Parse every field (the form's, or *texts*); problems keyed by field."""
        values: dict[str, dict[str, Any]] = {}
        errors: dict[str, str] = {}
        texts = texts if texts is not None else {n: self.text_of(n) for n in self.names}
        for name in self.names:
            if name in KPI_FIELDS:
                continue
            text = texts[name]
            try:
                if name == "key":
                    values[name] = {"key": self._check_key(text)}
                else:
                    values[name] = parse_field(name, text, self._resolve_org)
                    self._check_refs(name, values[name], self._own_key(texts))
            except FieldError as e:
                errors[e.field if e.field in texts else name] = e.reason
        kpi: model.KPI | None = None
        try:
            current: Task | None = None
            for name in ("kpi.metric", "kpi.unit", "kpi.baseline", "kpi.target", "kpi.current"):
                parsed = parse_field(name, texts[name], self._resolve_org, current)
                kpi = parsed["kpi"]
                current = Task(plan="", key="", title="", kpi=kpi)
        except FieldError as e:
            errors[e.field if e.field in texts else "kpi.metric"] = e.reason
        values["kpi"] = {"kpi": kpi}
        self._check_status(texts, errors)
        for name, message in self._store_errors.items():
            errors.setdefault(name, message)
        return _Check(values, errors)

    def _own_key(self, texts: dict[str, str]) -> str:
        return self.original.key if self.original is not None else texts.get("key", "").strip()

    def _check_key(self, text: str) -> str:
        key = text.strip()
        if not model.TASK_KEY_RE.match(key):
            raise FieldError("key", _("task key must look like 2 or 2.3 (letters, digits and dots)"))
        if key in self._task_keys:
            raise FieldError("key", _("a task with this key already exists in the plan") + f': "{key}"')
        return key

    def _check_refs(self, name: str, parsed: dict[str, Any], own_key: str) -> None:
        """Parent and dependencies must name tasks of this plan."""
        if name == "parent" and parsed["parent"]:
            if parsed["parent"] == own_key:
                raise FieldError("parent", _("a task cannot be its own parent"))
            if parsed["parent"] not in self._task_keys:
                raise FieldError("parent", _("no task") + f' "{parsed["parent"]}" ' + _("in this plan"))
        if name == "depends_on":
            for key in parsed["depends_on"]:
                if key == own_key:
                    raise FieldError("depends_on", _("a task cannot depend on itself"))
                if key not in self._task_keys:
                    raise FieldError("depends_on", _("no task") + f' "{key}" ' + _("in this plan"))

    def _check_status(self, texts: dict[str, str], errors: dict[str, str]) -> None:
        """Done needs evidence, blocked needs a reason (when set here): the rules of every front end."""
        changed = self.is_new or texts.get("status") != self._initial.get("status")
        if not changed:
            return
        for name, message in rules.status_problems(
            texts.get("status", ""), texts.get("evidence", ""), texts.get("blocked_reason", "")
        ):
            errors.setdefault(name, message)

    def changes(self, check: _Check | None = None) -> dict[str, Any]:
        """Typed changes to save: every field for a new task, the changed ones when editing."""
        check = check or self._check()
        names = self.names if self.is_new else self.dirty
        result: dict[str, Any] = {}
        for name in names:
            if name == "key":
                continue
            result.update(check.values["kpi"] if name in KPI_FIELDS else check.values[name])
        return result

    # --- showing problems and hints -------------------------------------------------------

    def _line(self, label: Label, text: str) -> None:
        """Set a hint/error line (only when it changes: every update costs a layout)."""
        if self._shown.get(label.id) == text:
            return
        self._shown[label.id] = text
        label.update(text)
        label.set_class(not text, "-empty")

    def _refresh_checks(self) -> _Check:
        check = self._check()
        for name in self.names:
            suffix = widget_id(name)[2:]
            message = check.errors.get(name, "")
            shown = message if (self._show_all or name in self._touched or name in self._store_errors) else ""
            self._line(self.query_one(f"#error-{suffix}", Label), shown)
            self._widget(name).set_class(bool(shown), "-invalid")
            self._line(
                self.query_one(f"#hint-{suffix}", Label), "" if message else self._hint(name, check, self.text_of(name))
            )
        self._line(self.query_one("#editor-status", Label), self._status_text(check, self.dirty))
        self.query_one("#save", Button).disabled = bool(check.errors)
        return check

    def _status_text(self, check: _Check, dirty: list[str]) -> str:
        """The line beside the buttons: what to fix, else what changed."""
        if check.errors:
            return _("To fix:") + " " + ", ".join(field_label(n) for n in self.names if n in check.errors)
        if dirty and not self.is_new:
            return _("Changed:") + " " + ", ".join(field_label(n) for n in dirty)
        return ""

    def _hint(self, name: str, check: _Check, text: str) -> str:
        """The resolved meaning of a field, shown under it."""
        text = text.strip()
        if not text:
            return ""
        try:
            if name in DATE_FIELDS:
                return resolved_date(text, self.app.today if name == "deadline" else None)[1]
            if name == "recurrence":
                return "→ " + describe_rrule(validate_rrule(text))
            if name in ("coordinating", "lead") and name in check.values:
                keys = check.values[name][name]
                keys = keys if isinstance(keys, list) else [keys]
                if name == "lead":
                    org = next((o for o in self._orgs if o.key == keys[0]), None)
                    if org is None:
                        return ""
                    return f"→ {org.key} · {org.name}" + (" · " + _("head:") + f" {org.head}" if org.head else "")
                names = {o.key: o.name for o in self._orgs}
                return "→ " + "; ".join(str(names.get(k, k)) for k in keys)
            if name == "accountable" and self._auto_head and text == self._auto_head:
                return _("filled in: the head of") + f" {self._lead_key} (" + _("the field was empty") + ")"
        except (DateError, RecurrenceError):
            return ""
        return ""

    # --- events ---------------------------------------------------------------------------

    def _name_of(self, widget: Widget) -> str | None:
        for name in self.names:
            if widget.id == widget_id(name):
                return name
        return None

    def _field_changed(self, widget: Widget) -> None:
        name = self._name_of(widget)
        if name is None:
            return
        self._store_errors.pop(name, None)
        if self.text_of(name) != self._initial.get(name, ""):
            self._touched.add(name)
            if name == "status":  # done needs evidence, blocked a reason: say so at once
                self._touched.update({"evidence", "blocked_reason"})
        self._refresh_checks()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == widget_id("lead"):
            self._lead_changed(self._lead_of(event.value))
        self._field_changed(event.input)

    def _lead_of(self, text: str) -> str:
        """The one agency *text* names (key, short name or a unique part of a name), else ""."""
        if not text.strip():
            return ""
        try:
            return self._resolve_org(text, "lead")
        except FieldError:
            return ""

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._field_changed(event.text_area)

    def on_select_changed(self, event: Select.Changed) -> None:
        self._field_changed(event.select)

    def on_input_blurred(self, event: Input.Blurred) -> None:
        name = self._name_of(event.input)
        if name is not None and name not in self._touched:
            self._touched.add(name)
            self._refresh_checks()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def _lead_changed(self, lead: str) -> None:
        """A new lead agency: offer its head as the accountable person.

        The head is filled in only when "accountable" is empty (or still holds the
        head the form put there itself); a name someone typed is never replaced.
        """
        if lead == self._lead_key:
            return
        new_head = next((o.head for o in self._orgs if o.key == lead), "")
        self._lead_key = lead
        accountable = self.query_one(f"#{widget_id('accountable')}", Input)
        accountable.suggester = self._heads_suggester(lead)
        accountable.placeholder = new_head or _(BY_NAME["accountable"].help)
        current = accountable.value.strip()
        if current == "" or (self._auto_head and current == self._auto_head):
            self._auto_head = new_head
            accountable.value = new_head

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        elif event.button.id == "cancel":
            self.action_cancel()

    # --- actions --------------------------------------------------------------------------

    def action_cancel(self) -> None:
        """Close without saving; ask first if something was changed."""
        dirty = self.dirty
        if not dirty:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmDialog(
                _("Discard your changes?"),
                _("You changed:")
                + " "
                + ", ".join(field_label(n) for n in dirty)
                + ". "
                + _("Nothing is saved if you discard."),
                _("Discard"),
            ),
            answered,
        )

    def action_save(self) -> None:
        """Save the form through the store (refused while a field is invalid)."""
        self._show_all = True
        check = self._refresh_checks()
        if check.errors:
            name = next(n for n in self.names if n in check.errors)
            self.app.notify(f"{field_label(name)}: {check.errors[name]}", title=_("Not saved"), severity="error")
            self._focus_field(name)
            return
        changes = self.changes(check)
        if self.original is None:
            key = check.values["key"]["key"]
            self._save(lambda: task_service.add_task(self.app.store, Task(plan=self.plan_key, key=key, **changes)))
            return
        if not changes:
            self.app.notify(_("Nothing changed"))
            self.dismiss(None)
            return
        self._update(changes, self.original.version)

    def _update(self, changes: dict[str, Any], version: int, reason: str = "") -> None:
        original = self.original
        assert original is not None
        try:
            if not reason and task_service.needs_reason(self.app.store, original.ref, changes):
                self._ask_reason(changes, version)
                return
            saved = task_service.change_task(self.app.store, original.ref, changes, version, reason=reason)
        except ConflictError as e:
            theirs = e.theirs if e.theirs is not None else self.app.store.get_task(original.ref)
            self.app.push_screen(
                ConflictDialog(
                    theirs=theirs,
                    yours=changes,
                    base=original,
                    saved_by=last_saved_by(self.app.store, theirs, with_time=False),
                ),
                lambda choice: self._resolve_conflict(choice, theirs, changes),
            )
            return
        except StoreError as e:
            self._store_failed(e)
            return
        self._saved(saved)

    def _ask_reason(self, changes: dict[str, Any], version: int) -> None:
        """A deadline moving on an active plan: ask why (the history keeps it), then save."""
        from actionplan.tui.screens.prompt import TextPrompt

        def answered(reason: str | None) -> None:
            if reason:
                self._update(changes, version, reason)
            else:  # the form stays as typed; saving again asks again
                self._line(self.query_one("#editor-status", Label), rules.slip_reason_needed())
                self.app.notify(rules.slip_reason_needed(), title=_("Not saved"), severity="warning")

        self.app.push_screen(
            TextPrompt(_("The deadline moves"), _("Why is the deadline moving?"), "", _("Save")), answered
        )

    def _save(self, write: Any) -> None:
        try:
            saved = write()
        except StoreError as e:
            self._store_failed(e)
            return
        self._saved(saved)

    def _saved(self, task: Task) -> None:
        self.app.data_changed()
        verb = _("Added") if self.is_new else _("Saved")
        self.app.notify(f"{verb} {task.ref}: {task.title}")
        self.dismiss(task)

    def _store_failed(self, error: StoreError) -> None:
        """Show the store's refusal at the field it names and stay open."""
        name = error.field if isinstance(error, ValidationError) else ""
        name = {"kpi": "kpi.metric", "text": ""}.get(name, name).replace("kpi_", "kpi.")
        message = getattr(error, "reason", str(error))
        if name in self.names:
            self._store_errors[name] = message
            self._refresh_checks()
            self._focus_field(name)
            self.app.notify(f"{field_label(name)}: {message}", title=_("Not saved"), severity="error")
        else:
            self._line(self.query_one("#editor-status", Label), str(error))
            self.app.notify(str(error), title=_("Not saved"), severity="error")

    def _focus_field(self, name: str) -> None:
        widget = self._widget(name)
        widget.focus()
        self.query_one("#editor-form", VerticalScroll).scroll_to_center(widget, animate=False)

    def _resolve_conflict(self, choice: ConflictChoice | None, theirs: Task, changes: dict[str, Any]) -> None:
        if choice == "reload":
            mine = {n: self.text_of(n) for n in self.dirty}
            self.load(theirs)
            if mine:
                self.app.notify(
                    _("Their version is in the form; your values were:")
                    + " "
                    + "; ".join(f"{field_label(n)}: {v}" for n, v in mine.items()),
                    title=_("Reloaded"),
                    timeout=15,
                )
        elif choice == "overwrite":
            self._update(changes, theirs.version)

    def load(self, task: Task) -> None:
        """Refill the form from *task* (their version after a conflict)."""
        self.original = task
        self._initial = {name: field_text(task, name) for name in self.names}
        self._touched.clear()
        self._store_errors.clear()
        self._show_all = False
        self._lead_key = task.lead
        self._auto_head = ""
        accountable = self.query_one(f"#{widget_id('accountable')}", Input)
        accountable.suggester = self._heads_suggester(task.lead)
        for name in self.names:
            self.set_text(name, self._initial[name])
        self.query_one("#editor-title", Label).update(self._title_text())
        self._refresh_checks()
