"""The plan view: tasks as a sortable table or a tree, a live filter, and the detail pane."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.widgets import DataTable, Header, Input, Static, Tree
from textual.widgets.tree import TreeNode

from actionplan.core import model
from actionplan.core.dates import short_relative
from actionplan.core.i18n import N_, _, n_, pgettext
from actionplan.core.l10n import iso_or_day
from actionplan.core.model import Task, TaskStatus
from actionplan.core.query import QueryError, TaskFilter, describe_filter, parse_query
from actionplan.core.text import key_sort
from actionplan.services import tasks as task_service
from actionplan.tui.base import ActionPlanScreen
from actionplan.tui.messages import NavigationRequested
from actionplan.tui.widgets.footer import FittingFooter
from actionplan.tui.widgets.tables import RowTable
from actionplan.tui.widgets.task_detail import STATUS_STYLE, TaskDetail, status_text

PAGE = 200
SORTS = ("deadline", "key", "lead", "status", "progress")
SORT_WORDS = {"deadline": N_("deadline"), "key": N_("key"), "lead": N_("lead agency"), "status": N_("status")}
SORT_WORDS["progress"] = N_("progress")
NARROW = 140
#: The title column never gets narrower than this; Accountable appears only when the title keeps it.
TITLE_MIN = 30
ACCOUNTABLE_MIN = 16
ACCOUNTABLE_MAX = 22


def list_width(width: int) -> int:
    """Cells of the table/tree beside the detail pane (the whole width when narrow)."""
    return width if width < NARROW else width - max(44, int(width * 0.28))


#: Status words that fit the table's narrow column (the detail pane spells them out).
SHORT_STATUS: dict[str, str] = {
    TaskStatus.NOT_STARTED: _("to start"),
    TaskStatus.IN_PROGRESS: _("in prog."),
    TaskStatus.BLOCKED: _("blocked"),
    TaskStatus.DONE: _("done"),
    TaskStatus.CANCELLED: _("cancelled"),
}

FILTER_HINT = N_("lead:MPS status:open due<2026-05-01 tag:legal overdue words…")
#: How wide the "due" cells are in each language ("35d left" / "còn 35 ngày").
DUE_WIDTH = {"en": 9, "vi": 12}


class TasksScreen(ActionPlanScreen[None]):
    """Tasks of a plan (or all plans): filter, sort, look, and act."""

    BINDINGS = [
        # priority: the focus moves before the keys typed right after "/" are delivered
        Binding("slash", "focus_filter", _("Filter"), key_display="/", priority=True),
        # priority, as "/": the form opens before the keys typed right after are delivered, so they
        # land in its first field (not on the table); while the filter box is typed in they are text
        Binding("n", "new_task", _("New"), priority=True),
        Binding("s", "new_subtask", _("Subtask"), show=False, priority=True),
        Binding("e", "edit", _("Edit"), priority=True),
        Binding("x", "done", pgettext("key", "Done"), priority=True),
        Binding("r", "progress", _("Progress"), priority=True),
        Binding("c", "status", pgettext("key", "Status"), priority=True),
        Binding("delete", "cancel_task", _("Cancel task"), key_display="del", show=False),
        Binding("u", "app.undo", _("Undo")),
        Binding("v", "toggle_view", _("Tree/table"), show=False),
        Binding("o", "cycle_sort", _("Sort"), show=False),
        Binding("p", "choose_plan", _("Plan"), show=False, tooltip=_("All plans, or one plan from a list")),
        Binding("q", "app.quit_app", _("Quit"), show=False),
        Binding("escape", "leave_filter", _("Back to list"), show=False),
        Binding("j", "cursor('down')", _("Down"), show=False),
        Binding("k", "cursor('up')", _("Up"), show=False),
    ]

    _OPENS_A_FORM = frozenset({"new_task", "new_subtask", "edit", "done", "progress", "status"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A letter that opens a form is text while the filter box has the focus."""
        if action in self._OPENS_A_FORM and isinstance(self.focused, Input):
            return False
        return True

    def __init__(self) -> None:
        super().__init__()
        self.plan: str = ""
        self.filter: TaskFilter = TaskFilter()
        self.sort: str = "deadline"
        self.view: str = "table"
        self.total: int = 0
        self.loaded: list[Task] = []
        self.current: Task | None = None
        self._initialised = False
        self._stamp: tuple | None = None
        self._shape: tuple | None = None

    # --- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder=_("Filter: ") + _(FILTER_HINT), id="filter", compact=True)
        yield Static(id="filter-status")
        with Horizontal(id="body"):
            with Vertical(id="list"):
                yield RowTable(id="table", cursor_type="row", zebra_stripes=True)
                yield Tree(_("Plans"), id="tree")
            yield TaskDetail(id="detail")
        yield FittingFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one("#tree", Tree).display = False
        self.query_one("#tree", Tree).show_root = False
        self.watch(self.app, "data_version", self._data_changed, init=False)
        plans = self.app.store.list_plans()
        self.plan = self.app.plan_key or (plans[0].key if plans else "")
        self._columns()
        self._consume_navigation()
        if not self._initialised:
            self.reload()
        self.query_one("#table", DataTable).focus()

    def on_screen_resume(self) -> None:
        if self.app.navigation is not None:
            self._consume_navigation()
        elif self._initialised and self._stamp != (self.app.store.data_stamp(), self.app.today):
            self.reload(keep=True)  # the database changed while another screen was shown

    def on_navigation_requested(self, _event: NavigationRequested) -> None:
        self._consume_navigation()

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width < NARROW, "narrow")
        keep = self.current.ref if self.current else None
        self._columns()
        self._fill_table()
        if self._initialised:
            self._select(keep)

    def _columns(self) -> None:
        """Columns sized to the screen and to what they hold.

        The key, lead, deadline, due and status columns are as wide as their longest
        text (never cut); an Accountable column joins when the title keeps at least
        TITLE_MIN cells beside it; the title takes the rest.
        """
        table = self.query_one("#table", DataTable)
        width = self.size.width or 80
        room = list_width(width)
        self.query_one("#list").styles.width = room if width >= NARROW else "100%"
        today = self.app.today
        tasks = self.loaded
        widths = {
            "key": max([len(self._key_text(t)) for t in tasks] + [4]),
            "lead": max([len(t.lead) for t in tasks] + [4]),
            "deadline": 10,
            "due": max([len(self._due_text(t, today)) for t in tasks] + [3]),
            "status": max(len(s) for s in (*SHORT_STATUS.values(), _("OVERDUE"), _("Status"))),
            "progress": 4,
        }
        headings = {"key": "Task", "lead": "Lead", "due": "Due", "status": "Status"}
        for name, word in headings.items():  # each column at least as wide as its (translated) heading
            widths[name] = max(widths[name], len(pgettext("column", word)))
        if room < 100:
            widths.pop("progress")
        fixed = sum(widths.values()) + 2 * (len(widths) + 1) + 3  # cell padding, the scrollbar and a spare cell
        title_w = max(16, room - fixed)
        accountable_w = min(ACCOUNTABLE_MAX, max([len(t.accountable) for t in tasks] + [ACCOUNTABLE_MIN]))
        show_accountable = title_w - accountable_w - 2 >= TITLE_MIN
        if show_accountable:
            title_w -= accountable_w + 2
        shape = (tuple(widths.items()), title_w, show_accountable)
        if shape == self._shape and table.columns:
            return
        self._shape = shape
        table.clear(columns=True)
        table.add_column(pgettext("column", "Task"), key="key", width=widths["key"])
        table.add_column(pgettext("column", "Title"), key="title", width=title_w)
        table.add_column(pgettext("column", "Lead"), key="lead", width=widths["lead"])
        if show_accountable:
            table.add_column(_("Accountable"), key="accountable", width=accountable_w)
        table.add_column(pgettext("column", "Deadline"), key="deadline", width=10)
        table.add_column(pgettext("column", "Due"), key="due", width=widths["due"])
        table.add_column(pgettext("column", "Status"), key="status", width=widths["status"])
        if "progress" in widths:
            table.add_column("%", key="progress", width=4)

    def _key_text(self, task: Task) -> str:
        return task.key if self.plan else task.ref

    @staticmethod
    def _due_text(task: Task, today: date) -> str:
        return short_relative(task.deadline, today) if task.deadline and task.is_open else ""

    # --- navigation -----------------------------------------------------------------------

    def _consume_navigation(self) -> None:
        nav = self.app.navigation
        self.app.navigation = None
        if nav is None:
            return
        query, plan, task_ref = nav
        if task_ref:
            plan = task_ref.split("/", 1)[0]
            query = ""
        if plan is not None:
            self.plan = plan
            self.app.plan_key = plan
        if query is not None:
            box = self.query_one("#filter", Input)
            with box.prevent(Input.Changed):
                box.value = query
            self._set_filter(query)
        self._columns()
        self.reload(select=task_ref)

    # --- loading ----------------------------------------------------------------------------

    def _effective_filter(self) -> TaskFilter:
        f = self.filter
        if self.plan and not f.plans:
            f = f.merged(TaskFilter(plans=[self.plan]))
        return f

    def reload(self, *, keep: bool = False, select: str | None = None) -> None:
        """Load the first page for the current plan, filter and sort."""
        self._initialised = True
        store = self.app.store
        today = self.app.today
        self._stamp = (store.data_stamp(), today)
        keep_ref = select or (self.current.ref if (keep and self.current) else None)
        f = self._effective_filter()
        self.total = store.count_tasks(f, today=today)
        self.loaded = store.list_tasks(f, today=today, order=self.sort, limit=PAGE)
        if keep_ref:
            while keep_ref not in {t.ref for t in self.loaded} and len(self.loaded) < self.total:
                self.loaded += store.list_tasks(f, today=today, order=self.sort, limit=PAGE, offset=len(self.loaded))
        self._fill_table()
        self._fill_tree()
        self._update_status()
        self._select(keep_ref)

    def _load_more(self) -> None:
        if len(self.loaded) >= self.total:
            return
        store = self.app.store
        more = store.list_tasks(
            self._effective_filter(), today=self.app.today, order=self.sort, limit=PAGE, offset=len(self.loaded)
        )
        self.loaded += more
        table = self.query_one("#table", DataTable)
        shape = self._shape
        self._columns()  # a longer key or due text on the new page widens its column
        for task in more if self._shape == shape else self.loaded:
            self._add_row(table, task)
        self._update_status()

    def _data_changed(self, *_args: object) -> None:
        if self.is_current:
            self.reload(keep=True)
        # else: on_screen_resume reloads when the user comes back

    def _fill_table(self) -> None:
        table = self.query_one("#table", DataTable)
        self._columns()
        scroll_y = table.scroll_y
        table.clear()
        for task in self.loaded:
            self._add_row(table, task)
        table.scroll_to(y=scroll_y, animate=False, immediate=True)

    def _add_row(self, table: DataTable, task: Task) -> None:
        today = self.app.today
        late = model.is_overdue(task, today)
        due = Text(
            self._due_text(task, today),
            style="bold red" if late else ("yellow" if model.is_due_soon(task, today) else ""),
        )
        indent = "  " * task.key.count(".") if self.sort == "key" and self.plan else ""
        status = (
            Text(_("OVERDUE"), style="bold red")
            if late
            else Text(SHORT_STATUS.get(task.status, task.status), style=STATUS_STYLE.get(task.status, ""))
        )
        title = Text(indent + task.title, style="dim strike" if task.status == TaskStatus.CANCELLED else "")
        cells: dict[str, object] = {
            "key": Text(self._key_text(task)),
            "title": title,
            "lead": Text(task.lead),
            "accountable": Text(task.accountable, overflow="ellipsis", no_wrap=True),
            "deadline": iso_or_day(task.deadline) if task.deadline else "—",
            "due": due,
            "status": status,
            "progress": f"{task.progress}",
        }
        table.add_row(*(cells[str(c.value)] for c in table.columns), key=task.ref)

    def _fill_tree(self) -> None:
        tree = self.query_one("#tree", Tree)
        tree.clear()
        parents = {(t.plan, t.parent) for t in self.loaded if t.parent}
        nodes: dict[str, TreeNode[Any]] = {}
        plans_nodes: dict[str, TreeNode[Any]] = {}
        today = self.app.today
        for task in sorted(self.loaded, key=lambda t: (t.plan, key_sort(t.key))):
            parent_ref = f"{task.plan}/{task.parent}" if task.parent else None
            if parent_ref in nodes:
                parent = nodes[parent_ref]
            else:
                if task.plan not in plans_nodes:
                    plans_nodes[task.plan] = tree.root.add(Text(task.plan, style="bold"), expand=True)
                parent = plans_nodes[task.plan]
            label = Text(f"{task.key} ", style="bold")
            status = status_text(task, today)
            label.append(self._tree_title(task, len(status.plain)))
            if task.deadline:
                label.append(
                    f"  {iso_or_day(task.deadline)}", style="bold red" if model.is_overdue(task, today) else "dim"
                )
            label.append("  ")
            label.append_text(status)
            if (task.plan, task.key) in parents:
                nodes[task.ref] = parent.add(label, data=task.ref, expand=True)
            else:
                nodes[task.ref] = parent.add_leaf(label, data=task.ref)

    def _tree_title(self, task: Task, status_width: int) -> str:
        """The title cut so the deadline and the status after it fit in the tree's width."""
        depth = task.key.count(".") + 1
        # indent guides (4 a level) and the fold mark, the key, "  YYYY-MM-DD  ", the status, the scrollbar
        room = list_width(self.size.width or 80) - 4 * depth - 2 - len(task.key) - 1 - 14 - status_width - 4
        title = task.title
        return title if len(title) <= room else title[: max(8, room - 1)] + "…"

    def _update_status(self) -> None:
        plan = self.plan or _("all plans")
        shown = len(self.loaded)
        count = (
            n_("{n} task", "{n} tasks", self.total).format(n=self.total)
            if shown >= self.total
            else _("{shown} of {n} tasks shown (scroll for more)").format(shown=shown, n=self.total)
        )
        text = Text(f"{plan}", style="bold")
        text.append(
            " · " + count + " · " + _("sorted by {sort}").format(sort=_(SORT_WORDS.get(self.sort, self.sort))) + " · "
        )
        text.append(describe_filter(self.filter), style="cyan" if not self.filter.is_empty() else "dim")
        self.query_one("#filter-status", Static).update(text)

    def _select(self, ref: str | None) -> None:
        table = self.query_one("#table", DataTable)
        if not table.row_count:
            self._show(None)
            return
        index = 0
        if ref:
            try:
                index = table.get_row_index(ref)
            except Exception:
                index = min(table.cursor_row, table.row_count - 1)
        table.move_cursor(row=index, scroll=True)
        shown = self.loaded[index].ref if index < len(self.loaded) else None
        self._select_in_tree(shown)
        self._show(shown)

    def _select_in_tree(self, ref: str | None) -> None:
        """Put the tree's highlight on the task the table shows (a new subtask, after a reload)."""
        tree = self.query_one("#tree", Tree)
        if ref is None:
            return
        for line in range(tree.last_line + 1):
            node = tree.get_node_at_line(line)
            if node is not None and node.data == ref:
                if tree.cursor_line != line:
                    tree.move_cursor(node, animate=False)
                return

    def _show(self, ref: str | None) -> None:
        detail = self.query_one("#detail", TaskDetail)
        if ref is None:
            self.current = None
            detail.show_task(self.app.store, None, self.app.today)
            return
        try:
            self.current = self.app.store.get_task(ref)
        except Exception:
            self.current = None
        detail.show_task(self.app.store, self.current, self.app.today)

    # --- events -------------------------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row != event.data_table.cursor_row:
            return  # a stale event from before the table was refilled or the cursor moved on
        self._show(str(event.row_key.value))
        if event.cursor_row >= len(self.loaded) - 20:
            self._load_more()

    @on(DataTable.RowSelected, "#table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_edit()

    @on(DataTable.HeaderSelected, "#table")
    def _header_selected(self, event: DataTable.HeaderSelected) -> None:
        column = str(event.column_key.value)
        self.sort = {
            "key": "key",
            "title": "key",
            "lead": "lead",
            "deadline": "deadline",
            "due": "deadline",
            "status": "status",
            "progress": "progress",
        }.get(column, "deadline")
        self.reload(keep=True)

    @on(Tree.NodeHighlighted, "#tree")
    def _node_highlighted(self, event: Tree.NodeHighlighted) -> None:
        if event.node.data:
            self._show(str(event.node.data))

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if self._set_filter(event.value):
            self.reload()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, _event: Input.Submitted) -> None:
        self.action_leave_filter()

    def _set_filter(self, text: str) -> bool:
        status = self.query_one("#filter-status", Static)
        try:
            self.filter = parse_query(text)
        except QueryError as e:
            status.update(Text("⚠ " + str(e), style="bold red"))
            return False
        return True

    # --- actions ------------------------------------------------------------------------------

    def action_cursor(self, direction: str) -> None:
        """j/k move like the arrow keys in the table or the tree."""
        widget = self.query_one("#tree" if self.view == "tree" else "#table")
        getattr(widget, f"action_cursor_{direction}")()

    def action_focus_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if box.has_focus:
            box.insert_text_at_cursor("/")  # "/" typed in the filter is just text
        else:
            self.set_focus(box)  # at once: Widget.focus() would wait, and the next keys would miss the box

    def action_leave_filter(self) -> None:
        target = "#tree" if self.view == "tree" else "#table"
        self.query_one(target).focus()

    def action_toggle_view(self) -> None:
        self.view = "tree" if self.view == "table" else "table"
        self.query_one("#table").display = self.view == "table"
        self.query_one("#tree").display = self.view == "tree"
        self.action_leave_filter()

    def action_cycle_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.reload(keep=True)

    def action_choose_plan(self) -> None:
        """p: "All plans" or one plan, from one list (no stepping through a hundred plans)."""
        from actionplan.tui.screens.plan_chooser import PlanChooser

        def chosen(key: str | None) -> None:
            if key is not None:
                self.show_plan(key)

        self.app.push_screen(PlanChooser(self.app.store.list_plans(), self.plan), chosen)

    def show_plan(self, key: str) -> None:
        """Show one plan's tasks ("" for every plan)."""
        self.plan = key
        self.app.plan_key = key
        self.reload()

    def _need_task(self) -> Task | None:
        """The selected task as saved now (a dialog opens on the current version)."""
        if self.current is None:
            self.app.notify(_("Select a task first."), severity="warning")
            return None
        try:
            self.current = self.app.store.get_task(self.current.ref)
        except Exception:
            self.app.notify(_("This task no longer exists."), severity="warning")
            self.reload(keep=True)
            return None
        return self.current

    def _plan_for_new(self) -> str | None:
        if self.plan:
            return self.plan
        if self.current:
            return self.current.plan
        plans = self.app.store.list_plans()
        if not plans:
            self.app.notify(_("Import a plan first (ctrl+p, Import)."), severity="warning")
            return None
        return plans[0].key

    def _after_edit(self, task: Task | None) -> None:
        if task is not None:
            self.reload(select=task.ref)

    def action_new_task(self) -> None:
        from actionplan.tui.screens.editor import TaskEditor

        plan = self._plan_for_new()
        if plan:
            self.app.push_screen(TaskEditor(None, plan=plan), self._after_edit)

    def action_new_subtask(self) -> None:
        from actionplan.tui.screens.editor import TaskEditor

        task = self._need_task()
        if task:
            self.app.push_screen(TaskEditor(None, plan=task.plan, parent=task.key), self._after_edit)

    def action_edit(self) -> None:
        from actionplan.tui.screens.editor import TaskEditor

        task = self._need_task()
        if task:
            self.app.push_screen(TaskEditor(task, plan=task.plan), self._after_edit)

    def _refused(self, task: Task) -> tuple[Task, str] | None:
        """After a refused save: the task as saved now, and a line saying who saved it first."""
        try:
            fresh = self.app.store.get_task(task.ref)
        except Exception:
            self.app.notify(_("This task no longer exists."), severity="error")
            return None
        from actionplan.tui.screens.dialogs import last_saved_by

        who = last_saved_by(self.app.store, fresh)
        notice = (
            _("Not saved: someone else saved this task first")
            + (f" ({who})" if who else "")
            + ". "
            + _("This is their version; what you typed is kept: save again to apply it.")
        )
        return fresh, notice

    def action_done(self, typed: dict[str, str] | None = None, notice: str = "", task: Task | None = None) -> None:
        from actionplan.tui.screens.dialogs import EvidenceDialog

        task = task or self._need_task()
        if not task:
            return
        if task.status == TaskStatus.DONE:
            self.app.notify(_("This task is already done."), severity="warning")
            return

        def finish(result: tuple[str, date] | None) -> None:
            if not result:
                return
            evidence, on = result

            def again(_error: Exception) -> None:
                refused = self._refused(task)
                if refused:
                    self.action_done({"evidence": evidence, "completed-on": on.isoformat()}, refused[1], refused[0])

            self.app.write(
                lambda: task_service.mark_done(self.app.store, task.ref, evidence, task.version, on),
                success=f"{task.ref}: " + _("done"),
                on_conflict=again,
            )

        self.app.push_screen(EvidenceDialog(task, self.app.today, typed=typed, notice=notice), finish)

    def action_progress(self, typed: dict[str, str] | None = None, notice: str = "", task: Task | None = None) -> None:
        from actionplan.tui.screens.dialogs import ProgressDialog

        task = task or self._need_task()
        if not task:
            return

        def finish(result: tuple[str, int | None] | None) -> None:
            if not result:
                return
            text, percent = result

            def again(_error: Exception) -> None:
                refused = self._refused(task)
                if refused:
                    fresh, line = refused
                    kept = {"note": text, "percent": str(percent if percent is not None else fresh.progress)}
                    self.action_progress(kept, line, fresh)

            self.app.write(
                lambda: task_service.record_progress(self.app.store, task.ref, text, percent, version=task.version),
                success=f"{task.ref}: " + _("progress recorded"),
                on_conflict=again,
            )

        self.app.push_screen(ProgressDialog(task, self.app.today, typed=typed, notice=notice), finish)

    def action_status(self, typed: dict[str, str] | None = None, notice: str = "", task: Task | None = None) -> None:
        from actionplan.tui.screens.dialogs import StatusDialog

        task = task or self._need_task()
        if not task:
            return

        def finish(result: tuple[str, str] | None) -> None:
            if not result:
                return
            status, reason = result
            if status == TaskStatus.CANCELLED:
                self._confirm_cancel(task)
                return

            def again(_error: Exception) -> None:
                refused = self._refused(task)
                if refused:
                    self.action_status({"status": status, "reason": reason}, refused[1], refused[0])

            self.app.write(
                lambda: task_service.change_status(self.app.store, task.ref, status, task.version, reason),
                success=f"{task.ref}: {status}",
                on_conflict=again,
            )

        self.app.push_screen(StatusDialog(task, typed=typed, notice=notice), finish)

    def action_cancel_task(self) -> None:
        task = self._need_task()
        if task:
            self._confirm_cancel(task)

    def _confirm_cancel(self, task: Task) -> None:
        from actionplan.tui.screens.dialogs import ConfirmDialog

        def finish(yes: bool | None) -> None:
            if yes:
                self.app.write(
                    lambda: task_service.cancel(self.app.store, task.ref, task.version),
                    success=f"{task.ref}: " + _("cancelled"),
                )

        self.app.push_screen(
            ConfirmDialog(
                _("Cancel task"),
                f"{task.ref} {task.title}\n\n" + _("Cancel this task? It stays on record and can be reopened."),
                _("Cancel the task"),
            ),
            finish,
        )
