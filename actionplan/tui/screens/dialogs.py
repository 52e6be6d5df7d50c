"""Small modal dialogs that ask one thing and return the answer.

Each dialog only collects and checks input; the caller (the task screen, the
task editor) does the write through the store with what it returns.  Every
dialog has a title, buttons for the mouse, ``escape`` to cancel, ``ctrl+s``
(and ``enter`` where that is safe) to confirm, and fits an 80x24 terminal.

- :class:`ConfirmDialog` -> ``bool``
- :class:`EvidenceDialog` -> ``(evidence, completed_on)`` or ``None``
- :class:`ProgressDialog` -> ``(note, percent or None)`` or ``None``
- :class:`StatusDialog` -> ``(status, blocked_reason)`` or ``None``
- :class:`ConflictDialog` -> ``"reload"``, ``"overwrite"`` or ``"back"``

Buttons read the same way everywhere: the action first, then Cancel (or No, Back).
A task dialog reopened after a refused save gets back what was typed (``typed``,
by field id) and a ``notice`` saying who saved first.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any, Literal, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, RadioButton, RadioSet

from actionplan.core import model, rules
from actionplan.core.dates import DateError, describe_resolution, parse_deadline, relative_days
from actionplan.core.fields import HISTORY_FIELDS, field_label
from actionplan.core.fields import history_text as task_field_text
from actionplan.core.i18n import _
from actionplan.core.l10n import history_moment, iso_or_day
from actionplan.core.model import Task, TaskStatus
from actionplan.tui.base import ActionPlanModal
from actionplan.tui.widgets.footer import FittingFooter

ResultT = TypeVar("ResultT")

ConflictChoice = Literal["reload", "overwrite", "back"]


def resolved_date(text: str, today: date | None = None) -> tuple[date, str]:
    """Parse a date the way the CLI does and say how it was read.

    Returns the date and a line such as ``→ 2026-04-30 (Thu) · 210 days late``
    (the relative part only when *today* is given).  Raises DateError.
    """
    when = parse_deadline(text)
    described = describe_resolution(text)
    arrow = described.rfind("→")
    shown = described[arrow:] if arrow >= 0 else described
    if today is not None:
        shown += " · " + relative_days(when, today)
    return when, shown


class Dialog(ActionPlanModal[ResultT]):
    """Common frame of the dialogs: a centred box, a title, buttons, a Footer.

    A dialog gives its body with ``compose_body``; one with a "confirm" button
    answers in its own ``action_confirm`` (the button and its key call it).
    """

    DEFAULT_CSS = """
    Dialog {
        align: center middle;
    }
    Dialog > .dialog-box {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $primary 70%;
        background: $surface;
        padding: 0 1;
        overflow-y: auto;
    }
    Dialog .dialog-title {
        width: 100%;
        text-style: bold;
        color: $text-primary;
    }
    Dialog #message {
        width: 100%;
        margin: 1 0;
    }
    Dialog .task-title {
        width: 100%;
        color: $text-muted;
    }
    Dialog .field-label {
        margin-top: 1;
        text-style: bold;
    }
    Dialog .hint {
        width: 100%;
        color: $text-muted;
    }
    Dialog .error {
        width: 100%;
        color: $text-error;
    }
    Dialog .error.-empty, Dialog .hint.-empty {
        display: none;
    }
    Dialog .notice {
        width: 100%;
        color: $text-warning;
        text-style: bold;
    }
    Dialog .dialog-buttons {
        width: 100%;
        height: auto;
        align-horizontal: right;
    }
    Dialog .dialog-buttons Button {
        margin-left: 1;
    }
    """

    BINDINGS = [
        Binding("escape", "cancel", _("Cancel")),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield from self.compose_body()
        yield FittingFooter()

    def compose_body(self) -> ComposeResult:  # pragma: no cover - overridden
        yield from ()

    def action_cancel(self) -> None:
        """Close without an answer."""
        self.dismiss(None)

    def action_confirm(self) -> None:
        """Give the dialog's answer; a dialog that asks for one overrides this, one that does not closes."""
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "confirm":
            self.action_confirm()
        elif event.button.id == "cancel":
            self.action_cancel()

    @staticmethod
    def set_line(label: Label, text: str) -> None:
        """Set a hint/error line; an empty one takes no room."""
        label.update(text)
        label.set_class(not text, "-empty")


def _task_heading(task: Task) -> Label:
    return Label(f"{task.ref}  {task.title}", classes="task-title", markup=False)


class TaskDialog(Dialog[ResultT]):
    """A dialog about one task: a title line naming it, its heading, fields, two buttons.

    Typing in a required field clears its error; enter in a field confirms.
    """

    def __init__(
        self, task: Task, today: date | None = None, *, typed: dict[str, str] | None = None, notice: str = ""
    ) -> None:
        super().__init__()
        self.plan_task = task
        self.today = today
        self.typed = dict(typed or {})
        self.notice = notice

    def kept(self, field_id: str, default: str) -> str:
        """What the user typed in a field before a refused save, else *default*."""
        return self.typed.get(field_id, default)

    def heading(self, action: str) -> ComposeResult:
        """``Mark done: cyber-2026/3`` and the task's key and title under it (and a notice, if any)."""
        yield Label(action + f" {self.plan_task.ref}", classes="dialog-title", markup=False)
        yield _task_heading(self.plan_task)
        if self.notice:
            yield Label(self.notice, id="notice", classes="notice", markup=False)

    @staticmethod
    def text_field(
        label: str,
        field_id: str,
        value: str = "",
        placeholder: str = "",
        *,
        label_id: str | None = None,
        hint: bool = False,
    ) -> ComposeResult:
        """A labelled input, its hint line ``#<id>-hint`` if asked, and its error line
        ``#<id>-error`` (both hidden while empty)."""
        yield Label(label, id=label_id, classes="field-label")
        yield Input(value, placeholder=placeholder, id=field_id)
        if hint:
            yield Label("", id=f"{field_id}-hint", classes="hint")
        yield Label("", id=f"{field_id}-error", classes="error -empty")

    @staticmethod
    def buttons(confirm: str, variant: Literal["primary", "success"]) -> ComposeResult:
        with Horizontal(classes="dialog-buttons"):
            yield Button(confirm, id="confirm", variant=variant)
            yield Button(_("Cancel"), id="cancel")

    def required_text(self, field_id: str, message: str) -> str | None:
        """The field's text, or None after showing *message* under it and focusing it."""
        field = self.query_one(f"#{field_id}", Input)
        if field.value.strip():
            return field.value.strip()
        self.set_line(self.query_one(f"#{field_id}-error", Label), message)
        field.focus()
        return None

    def on_input_changed(self, event: Input.Changed) -> None:
        self.input_changed(event.input)

    def input_changed(self, field: Input) -> None:
        """As a field is typed: a required field's error goes once it has text."""
        if field.value.strip():
            self.set_line(self.query_one(f"#{field.id}-error", Label), "")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_confirm()


# --- confirm -------------------------------------------------------------------------------


class ConfirmDialog(Dialog[bool]):
    """Ask a yes/no question; returns True only when the user confirms.

    The "No" button has the focus, so a stray enter does nothing harmful.
    """

    HELP_TITLE = _("Confirm")

    BINDINGS = [
        Binding("escape,n", "cancel", _("No")),
        Binding("y", "confirm", _("Yes")),
    ]

    def __init__(self, title: str, message: str, confirm: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.message = message
        self.confirm_text = confirm or _("Yes")
        # the footer names y by what it does here, as the button does ("y Discard", not "y Yes")
        self._bindings.key_to_bindings["y"] = [Binding("y", "confirm", self.confirm_text)]

    def compose_body(self) -> ComposeResult:
        yield Label(self.title_text, classes="dialog-title", markup=False)
        yield Label(self.message, id="message", markup=False)
        with Horizontal(classes="dialog-buttons"):
            yield Button(self.confirm_text, id="confirm", variant="warning")
            yield Button(_("No"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


# --- mark done -----------------------------------------------------------------------------


class EvidenceDialog(TaskDialog[tuple[str, date] | None]):
    """Mark a task done: the completion evidence is required, the date defaults to today."""

    HELP_TITLE = _("Mark done")

    BINDINGS = [
        Binding("escape", "cancel", _("Cancel")),
        Binding("ctrl+s", "confirm", _("Mark done")),
    ]

    def __init__(self, task: Task, today: date, *, typed: dict[str, str] | None = None, notice: str = "") -> None:
        super().__init__(task, today, typed=typed, notice=notice)
        self.today: date = today

    def compose_body(self) -> ComposeResult:
        task = self.plan_task
        yield from self.heading(_("Mark done:"))
        if task.deadline:
            yield Label(_("deadline {date}").format(date=iso_or_day(task.deadline)), classes="hint")
        yield from self.text_field(
            _("Evidence (required): what was delivered, where"),
            "evidence",
            self.kept("evidence", task.evidence),
            _("e.g. Decision No. 12/QD-BCD, sent 20 Nov"),
        )
        yield from self.text_field(
            _("Completed on"), "completed-on", self.kept("completed-on", self.today.isoformat()), hint=True
        )
        if task.recurrence:
            yield Label(self._recurrence_note(task), classes="hint")
        yield from self.buttons(_("Mark done"), "success")

    def _recurrence_note(self, task: Task) -> str:
        """What marking done does to a recurring duty: move on, or finish it after its last period."""
        from actionplan.core.recurrence import RecurrenceError, next_period_deadline

        try:
            following = next_period_deadline(task.recurrence, task.start, task.deadline) if task.deadline else None
        except (RecurrenceError, ValueError):
            following = None
        if following is None:
            return _("The last period of this recurring duty: marking it done finishes the task.")
        return (
            _("A recurring duty: this period is recorded and the deadline moves to the next one")
            + f" ({following.isoformat()})."
        )

    def on_mount(self) -> None:
        self._check_date()
        self.query_one("#evidence", Input).focus()

    def _check_date(self) -> date | None:
        text = self.query_one("#completed-on", Input).value
        hint = self.query_one("#completed-on-hint", Label)
        error = self.query_one("#completed-on-error", Label)
        try:
            when, shown = resolved_date(text)
        except DateError as e:
            self.set_line(hint, "")
            self.set_line(error, str(e))
            return None
        for _name, message in rules.completion_problems(when, self.today):
            self.set_line(hint, shown)
            self.set_line(error, message)
            return None
        if self.plan_task.deadline:
            late = model.days_late(replace(self.plan_task, status=TaskStatus.DONE, completed_on=when), self.today)
            shown += " · " + (_("on time") if late == 0 else _("{n} days after the deadline").format(n=late))
        self.set_line(hint, shown)
        self.set_line(error, "")
        return when

    def input_changed(self, field: Input) -> None:
        if field.id == "completed-on":
            self._check_date()
        else:
            super().input_changed(field)

    def action_confirm(self) -> None:
        when = self._check_date()
        evidence = self.required_text("evidence", rules.evidence_needed())
        if evidence is None:
            return
        if when is None:
            self.query_one("#completed-on", Input).focus()
            return
        self.dismiss((evidence, when))


# --- progress note -------------------------------------------------------------------------


class ProgressDialog(TaskDialog[tuple[str, int | None] | None]):
    """Record a progress note (required) and optionally a new percentage.

    Returns ``(note, percent)``; ``percent`` is None when it was left unchanged.
    """

    HELP_TITLE = _("Record progress")

    BINDINGS = [
        Binding("escape", "cancel", _("Cancel")),
        Binding("ctrl+s", "confirm", _("Save note")),
    ]

    def __init__(self, task: Task, today: date, *, typed: dict[str, str] | None = None, notice: str = "") -> None:
        super().__init__(task, today, typed=typed, notice=notice)
        self.today: date = today

    def compose_body(self) -> ComposeResult:
        task = self.plan_task
        yield from self.heading(_("Record progress:"))
        yield from self.text_field(
            _("Progress note (required), dated {date}").format(date=iso_or_day(self.today)),
            "note",
            self.kept("note", ""),
            placeholder=_("what happened since the last note"),
        )
        yield from self.text_field(
            _("Progress % (0-100, now") + f" {task.progress} %)", "percent", self.kept("percent", str(task.progress))
        )
        yield from self.buttons(_("Save note"), "primary")

    def on_mount(self) -> None:
        self.query_one("#note", Input).focus()

    def _percent(self) -> tuple[bool, int | None]:
        """(valid, new percentage or None when unchanged/empty)."""
        text = self.query_one("#percent", Input).value.strip()
        error = self.query_one("#percent-error", Label)
        if not text:
            self.set_line(error, "")
            return True, None
        try:
            value = model.parse_progress(text)
        except ValueError as e:
            self.set_line(error, str(e))
            return False, None
        self.set_line(error, "")
        return True, None if value == self.plan_task.progress else value

    def input_changed(self, field: Input) -> None:
        if field.id == "percent":
            self._percent()
        else:
            super().input_changed(field)

    def action_confirm(self) -> None:
        valid, percent = self._percent()
        note = self.required_text("note", rules.note_text_needed())
        if note is None:
            return
        if not valid:
            self.query_one("#percent", Input).focus()
            return
        self.dismiss((note, percent))


# --- status --------------------------------------------------------------------------------


class StatusDialog(TaskDialog[tuple[str, str] | None]):
    """Pick a new status; "blocked" needs a reason.  Returns ``(status, blocked_reason)``.

    "done" is not offered (marking done asks for evidence in EvidenceDialog);
    the caller asks for confirmation before cancelling a task.
    """

    STATUSES: tuple[str, ...] = (
        TaskStatus.NOT_STARTED,
        TaskStatus.IN_PROGRESS,
        TaskStatus.BLOCKED,
        TaskStatus.CANCELLED,
    )

    HELP_TITLE = _("Change status")

    BINDINGS = [
        Binding("escape", "cancel", _("Cancel")),
        Binding("ctrl+s", "confirm", _("Change status")),
    ]

    def _label(self, status: str) -> str:
        text = _(str(status))
        if status == TaskStatus.CANCELLED:
            text += " — " + _("asks for confirmation")
        if status == self.plan_task.status:
            text += " (" + _("now") + ")"
        return text

    def compose_body(self) -> ComposeResult:
        task = self.plan_task
        yield from self.heading(_("Change status:"))
        yield Label(_("Status now:") + f" {_(str(task.status))}", classes="hint")
        chosen = self.kept("status", str(task.status))
        with RadioSet(id="status"):
            for status in self.STATUSES:
                yield RadioButton(self._label(status), value=status == chosen, id=f"status-{status.replace(' ', '-')}")
        yield from self.text_field(
            _("Why is it blocked? (required)"),
            "reason",
            self.kept("reason", task.blocked_reason),
            _("waiting for ..."),
            label_id="reason-label",
        )
        yield Label("", id="status-error", classes="error -empty")
        yield from self.buttons(_("Change status"), "primary")

    def on_mount(self) -> None:
        self._show_reason()
        radios = self.query_one("#status", RadioSet)
        radios.focus()
        self.call_after_refresh(self._highlight_chosen)

    def _highlight_chosen(self) -> None:
        """The highlight starts on the status that is set (RadioSet starts it on the first button)."""
        radios = self.query_one("#status", RadioSet)
        if radios.pressed_index >= 0:
            radios._selected = radios.pressed_index  # Textual has no public setter for the highlight

    @property
    def chosen(self) -> str | None:
        """The status picked in the radio set (None before a choice)."""
        index = self.query_one("#status", RadioSet).pressed_index
        return self.STATUSES[index] if index >= 0 else None

    def _show_reason(self) -> None:
        blocked = self.chosen == TaskStatus.BLOCKED
        for widget in self.query("#reason-label, #reason, #reason-error"):
            widget.display = blocked
        if not blocked:
            self.set_line(self.query_one("#reason-error", Label), "")

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        self.set_line(self.query_one("#status-error", Label), "")
        self._show_reason()
        if self.chosen == TaskStatus.BLOCKED:  # what is typed next is the reason
            self.query_one("#reason", Input).focus()

    def action_confirm(self) -> None:
        status = self.chosen
        if status is None:
            self.set_line(self.query_one("#status-error", Label), _("pick a status"))
            return
        reason: str | None = ""
        if status == TaskStatus.BLOCKED:
            reason = self.required_text("reason", rules.blocked_reason_needed())
            if reason is None:
                return
        self.dismiss((str(status), reason or ""))


# --- conflict ------------------------------------------------------------------------------


def _shown_value(task: Task, name: str) -> str:
    """A field of *task* as text for the conflict table ("—" for empty)."""
    if name == "deadline":
        text = task_field_text(task, "deadline") or "—"
        return f"{text} ({task.deadline_text})" if task.deadline_text and task.deadline else text
    value = task_field_text(task, name)
    return "—" if value is None else value


def conflicting_fields(theirs: Task, yours: dict[str, Any]) -> list[str]:
    """Fields (history names) where your changes differ from the version saved by someone else."""
    mine = replace(theirs, **yours)
    names = [n for n in HISTORY_FIELDS if task_field_text(mine, n) != task_field_text(theirs, n)]
    if "deadline_text" in names:  # shown inside the deadline row
        at = names.index("deadline_text")
        if "deadline" in names:
            del names[at]
        else:
            names[at] = "deadline"
    return names


def last_saved_by(store: Any, task: Task, *, with_time: bool = True) -> str:
    """Who made the latest saved change to *task* (and when), from the history ("" if unknown)."""
    try:
        changes = store.history(task.ref)
    except Exception:  # the task was removed meanwhile: nothing to name
        return ""
    if not changes:
        return ""
    last = changes[-1]
    return f"{last.actor}, {last.at.replace('T', ' ')[:16]}" if with_time else str(last.actor)


class ConflictDialog(Dialog[ConflictChoice]):
    """Someone else saved the task first: their version next to yours.

    Returns "reload" (refill the form with theirs, nothing of yours written),
    "overwrite" (save yours over theirs, knowingly) or "back" (keep editing).
    ``base``, when given, is the version the editor started from; it lets the
    dialog also list what they changed that you did not touch (kept either way).
    """

    DEFAULT_CSS = """
    ConflictDialog > .dialog-box {
        width: 100;
    }
    ConflictDialog #conflict-table {
        height: auto;
        max-height: 12;
        border: round $border-blurred;
    }
    ConflictDialog .conflict-row {
        height: auto;
        width: 100%;
    }
    ConflictDialog .conflict-row.header {
        text-style: bold;
        background: $boost;
    }
    ConflictDialog .conflict-field {
        width: 14;
        text-style: bold;
    }
    ConflictDialog .conflict-theirs, ConflictDialog .conflict-yours {
        width: 1fr;
        padding-right: 1;
    }
    ConflictDialog .conflict-theirs {
        color: $text-warning;
    }
    ConflictDialog .conflict-yours {
        color: $text-success;
    }
    """

    HELP_TITLE = _("Conflict: someone else saved first")

    BINDINGS = [
        Binding("escape,b", "back", _("Back")),
        Binding("r", "reload", _("Reload theirs")),
        Binding("o", "overwrite", _("Save mine over theirs")),
    ]

    def __init__(self, theirs: Task, yours: dict[str, Any], *, base: Task | None = None, saved_by: str = "") -> None:
        super().__init__()
        self.theirs = theirs
        self.yours = dict(yours)
        self.base = base
        self.saved_by = saved_by

    @property
    def fields(self) -> list[str]:
        """The fields in conflict (history names), in form order."""
        return conflicting_fields(self.theirs, self.yours)

    def _also_changed(self) -> list[str]:
        if self.base is None:
            return []
        mine = set(self.fields)
        return [
            n
            for n in HISTORY_FIELDS
            if n not in mine
            and n != "deadline_text"
            and task_field_text(self.base, n) != task_field_text(self.theirs, n)
        ]

    def compose_body(self) -> ComposeResult:
        theirs = self.theirs
        yield Label(_("Someone else saved this task first"), classes="dialog-title")
        when = history_moment(theirs.updated_at) + (" UTC" if theirs.updated_at.endswith("+00:00") else "")
        yield Label(
            f"{theirs.ref}: "
            + _("their version")
            + f" {theirs.version}"
            + (" " + _("saved") + f" {when}" if when else "")
            + (" " + _("by") + f" {self.saved_by}" if self.saved_by else "")
            + ". "
            + _("Nothing of yours is saved yet."),
            classes="hint",
            markup=False,
        )
        mine = replace(theirs, **self.yours)
        names = self.fields
        with VerticalScroll(id="conflict-table"):
            with Horizontal(classes="conflict-row header"):
                yield Label(_("field"), classes="conflict-field")
                yield Label(_("theirs (saved)"), classes="conflict-theirs")
                yield Label(_("yours (not saved)"), classes="conflict-yours")
            for name in names:
                with Horizontal(classes="conflict-row", id=f"conflict-{name}"):
                    yield Label(field_label(name), classes="conflict-field")
                    yield Label(_shown_value(theirs, name), classes="conflict-theirs", markup=False)
                    yield Label(_shown_value(mine, name), classes="conflict-yours", markup=False)
            if not names:
                yield Label(_("Their version already has your values."), classes="hint")
        also = self._also_changed()
        if also:
            yield Label(
                _("They also changed (kept either way):") + " " + ", ".join(field_label(n) for n in also),
                classes="hint",
            )
        with Horizontal(classes="dialog-buttons"):
            yield Button(
                _("Reload theirs"),
                id="reload",
                variant="primary",
                tooltip=_("Fill the form with their version; re-apply your change if still needed"),
            )
            yield Button(
                _("Save mine over theirs"),
                id="overwrite",
                variant="warning",
                tooltip=_("Replace their values of these fields with yours"),
            )
            yield Button(_("Back"), id="back")

    def on_mount(self) -> None:
        self.query_one("#back", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id in ("reload", "overwrite", "back"):
            self.dismiss(event.button.id)  # type: ignore[arg-type]

    def action_back(self) -> None:
        self.dismiss("back")

    def action_cancel(self) -> None:
        self.dismiss("back")

    def action_reload(self) -> None:
        self.dismiss("reload")

    def action_overwrite(self) -> None:
        self.dismiss("overwrite")
