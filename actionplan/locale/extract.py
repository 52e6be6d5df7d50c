"""A Babel extractor for the click commands: their help text is English source too.

Click takes a command's help from its docstring and an option's from ``help=``; both are
translated when ``--help`` is shown (see :mod:`actionplan.cli.translated`).  Babel's Python
extractor only sees ``_()`` calls, so for the CLI modules this extractor yields those *and*
the docstrings of functions decorated with ``.command(...)``/``.group(...)`` and every
``help=``/``epilog=``/``short_help=`` string given to click.  Referenced from ``babel.cfg``.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Iterator
from typing import IO, Any, cast

_HELP_KEYWORDS = ("help", "epilog", "short_help")
#: The program's own gettext functions besides Babel's defaults (``_``, ``N_``, ``ngettext``, ``pgettext``).
KEYWORDS: dict[str, Any] = {"n_": (1, 2), "NN_": (1, 2)}
_CLICK_CALLS = ("command", "group", "option", "argument", "version_option", "Option", "Command", "Group")


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def click_help(source: str) -> Iterator[tuple[int, str]]:
    """(line, text) of every click help string in *source*, cleaned as click cleans it."""
    tree = ast.parse(source)
    constants = {
        t.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
        for t in node.targets
        if isinstance(t, ast.Name)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node.func) in _CLICK_CALLS:
            for kw in node.keywords:
                if kw.arg in _HELP_KEYWORDS:
                    if isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                        yield kw.value.lineno, inspect.cleandoc(kw.value.value)
                    elif isinstance(kw.value, ast.Name) and kw.value.id in constants:
                        yield kw.value.lineno, inspect.cleandoc(constants[kw.value.id])
        if isinstance(node, ast.FunctionDef):
            decorated = any(
                isinstance(d, ast.Call) and _name(d.func) in ("command", "group") for d in node.decorator_list
            )
            doc = ast.get_docstring(node, clean=True)
            if decorated and doc:
                yield node.lineno, doc


def extract(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict[str, Any]) -> Iterator[Any]:
    """Babel extraction method: the ``_()`` calls Babel's Python extractor finds, plus click help."""
    from babel.messages.extract import extract_python

    source = fileobj.read()
    fileobj.seek(0)
    yield from extract_python(fileobj, keywords, comment_tags, cast(Any, options))
    for lineno, text in click_help(source.decode(options.get("encoding", "utf-8"))):
        yield lineno, None, text, []


def source_catalog() -> Any:
    """The messages of the source tree as a Babel ``Catalog`` (what ``pybabel extract -F babel.cfg`` finds)."""
    from pathlib import Path

    from babel.messages.catalog import Catalog
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    root = Path(__file__).parents[2]
    with open(root / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    catalog = Catalog(project="actionplan", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(root), method_map, options_map, keywords=KEYWORDS | DEFAULT_KEYWORDS, strip_comment_tags=True
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog
