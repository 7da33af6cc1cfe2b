"""A module's absolute imports, rewritten by its import aliases before it is indexed.

``from app.util import slow`` in ``services/api/app/api.py`` imports ``services.api.app.util``
(the alias ``app`` -> ``services.api.app``: ``discovery.namespaces``). Rewriting the statements
themselves, before the index reads them, gives every later stage the module's real name: the
summary's imports, the context modules a run over one file reads, the references resolved across
the project. Relative imports are left as they are: they never name a top-level module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping


def with_aliases(tree: ast.Module, aliases: Mapping[str, str]) -> ast.Module:
    """``tree`` with every absolute import whose first part has an alias rewritten (in place)."""
    if not aliases:
        return tree
    for node in statements(tree.body):
        if isinstance(node, ast.Import):
            node.names = [aliased_import(alias, aliases) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            node.module = aliased(node.module, aliases)
    return tree


#: The fields that hold statements: an import is a statement, so nothing else is searched
#: (a tenth of the time ``ast.walk`` takes over every expression too).
BODIES = ("body", "orelse", "finalbody", "handlers", "cases")


def statements(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every statement in ``body`` and in the blocks nested in it (``except`` and ``case``
    clauses too), at any depth."""
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        yield node
        for name in BODIES:
            stack.extend(getattr(node, name, ()))


def aliased(name: str, aliases: Mapping[str, str]) -> str:
    """``app.util`` -> ``services.api.app.util``."""
    top, dot, rest = name.partition(".")
    full = aliases.get(top)
    return name if full is None else f"{full}{dot}{rest}"


def aliased_import(alias: ast.alias, aliases: Mapping[str, str]) -> ast.alias:
    """One name of an ``import`` statement. ``import app.util`` binds ``app``, the package: it
    becomes ``import services.api.app as app``, which binds the same name to the same module."""
    top = alias.name.partition(".")[0]
    full = aliases.get(top)
    if full is None:
        return alias
    if alias.asname:
        rewritten = ast.alias(aliased(alias.name, aliases), alias.asname)
    else:
        rewritten = ast.alias(full, top)
    return ast.copy_location(rewritten, alias)
