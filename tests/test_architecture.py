"""The package picture of docs/architecture.md holds: imports flow down, no cycles, one error hierarchy.

core <- store <- services, calendar, digest, mail <- cli, tui.  Read from the import
statements themselves (those inside functions too; not those only for the type checker).
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "actionplan"
#: services and the packages of what goes out share a layer: a use case may render a report, a
#: renderer may read a service (module cycles are refused below)
LAYERS = {"core": 0, "locale": 0, "store": 1, "services": 2, "calendar": 2, "digest": 2, "mail": 2, "cli": 3, "tui": 3}


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")


def is_type_checking(node: ast.If) -> bool:
    return "TYPE_CHECKING" in ast.unparse(node.test)


def imported(tree: ast.AST) -> list[tuple[str, int]]:
    """Modules of the package that *tree* imports when it runs, with their lines."""
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("actionplan"):
            for alias in node.names:  # `from actionplan.store import schema` imports a module
                sub = f"{node.module}.{alias.name}"
                as_module = (PACKAGE.parent / sub.replace(".", "/")).with_suffix(".py").exists()
                found.append((sub if as_module else node.module, node.lineno))
        elif isinstance(node, ast.Import):
            found.extend((a.name, node.lineno) for a in node.names if a.name.startswith("actionplan"))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def graph() -> dict[str, list[tuple[str, int]]]:
    return {module_name(p): imported(ast.parse(p.read_text(encoding="utf-8"))) for p in PACKAGE.rglob("*.py")}


def layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.get(parts[1]) if len(parts) > 1 else None


def test_every_package_has_a_layer() -> None:
    packages = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages <= set(LAYERS), packages - set(LAYERS)


def test_imports_flow_down_the_layers() -> None:
    upwards = []
    for module, targets in graph().items():
        for target, line in targets:
            mine, theirs = layer(module), layer(target)
            if mine is not None and theirs is not None and theirs > mine:
                upwards.append(f"{module}:{line} imports {target}")
    assert upwards == []


def test_no_import_cycles() -> None:
    from actionplan.core.model import find_cycle

    edges = {m: {t for t, _line in targets if t != m} for m, targets in graph().items()}
    # a package's __init__ re-exporting its own modules is not a cycle of concepts
    edges = {m: {t for t in ts if not t.startswith(m + ".") and not m.startswith(t + ".")} for m, ts in edges.items()}
    assert find_cycle(edges) is None


def test_every_error_the_program_raises_is_an_actionplan_error() -> None:
    from actionplan.core.errors import ActionPlanError

    strays = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.name.endswith("Error"):
                cls = getattr(importlib.import_module(module_name(path)), node.name)
                if not issubclass(cls, ActionPlanError):
                    strays.append(f"{module_name(path)}.{node.name}")
    assert strays == []


def test_the_task_services_load_no_user_interface_and_no_calendar_library() -> None:
    """``set`` and ``done`` pay only for what they use: the services import no Textual, no icalendar."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import actionplan.services.tasks, actionplan.services.planfile, actionplan.cli.tasks\n"
        "print([m for m in ('textual', 'icalendar', 'jinja2', 'starlette', 'docx', 'openpyxl') if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
