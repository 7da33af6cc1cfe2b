"""Names a module takes from ``from other import *``.

``from litellm.types.caching import *`` binds ``LiteLLMCacheType`` without naming it: the index
records the module's star imports in order (``ModuleIndex.star_imports``) and what a star import of
the module itself gives (``ModuleIndex.public``: its literal ``__all__``, or every name not starting
with ``_``). A name that no scope of a module binds and that is not a builtin is, in a module with
star imports, looked up at the project stage (``Project.star_module``): the last star-imported
module whose public names hold it and that binds it (or takes it from its own star imports) is
where it comes from. A star import of a module outside the project, or of one whose ``__all__`` is
not one literal list of strings, may bind any name: the name stays unknown.

Not modelled: a star import that rebinds a name the module bound before it (the module's own
binding is read, as before), and a builtin name a star import rebinds (the builtin is read).
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterator
from typing import Final

#: The builtins' names: an unbound name that is one is the builtin, star imports or not
BUILTIN_NAMES: Final = frozenset(dir(builtins))

#: ``ModuleIndex.public`` of a module whose ``__all__`` is not one literal list or tuple of strings
UNKNOWN_ALL: Final[tuple[str, ...]] = ("*",)


def public_names(tree: ast.Module) -> tuple[str, ...] | None:
    """What ``from module import *`` binds: the names of a literal ``__all__`` that the module's
    top level binds once and changes nowhere else there (``UNKNOWN_ALL`` if ``__all__`` is
    anything else), or None when the module has no ``__all__`` (every name not starting with
    ``_``). Only statements are read (the bodies of its functions and classes are not, nor an
    alias that changes the list): a module's constants can be large, and this runs for each."""
    changes = list(changes_of_all(tree.body))
    if not changes:
        return None
    if len(changes) > 1:
        return UNKNOWN_ALL  # ``__all__ += [...]``, ``__all__.extend(...)``, bound twice
    value = changes[0]
    if isinstance(value, (ast.List, ast.Tuple)):
        names = [element.value for element in value.elts if isinstance(element, ast.Constant)]
        if len(names) == len(value.elts) and all(isinstance(name, str) for name in names):
            return tuple(str(name) for name in names)
    return UNKNOWN_ALL


#: Statements that cannot change ``__all__`` here: imports (not read), defs and classes (their
#: bodies are not read) and statements with no block and no target
NEVER_ALL: Final = frozenset({
    ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Pass,
    ast.Return, ast.Raise, ast.Global, ast.Nonlocal, ast.Break, ast.Continue,
})


def changes_of_all(statements: list[ast.stmt]) -> Iterator[ast.expr | None]:
    """The value of each statement among ``statements`` that binds ``__all__``; None for one that
    changes it otherwise, or binds it inside an ``if``, ``try``, ``with`` or loop."""
    for statement in statements:
        if statement.__class__ in NEVER_ALL:  # most of a module's statements: none of the cases below
            continue
        if isinstance(statement, ast.Assign):
            if any(names_all(target) for target in statement.targets):
                yield statement.value if len(statement.targets) == 1 and is_all(statement.targets[0]) else None
        elif isinstance(statement, ast.AnnAssign) and is_all(statement.target):
            yield statement.value
        elif isinstance(statement, (ast.AugAssign, ast.Delete)) and any(
            names_all(target) for target in (statement.targets if isinstance(statement, ast.Delete) else [statement.target])
        ):
            yield None
        elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            function = statement.value.func
            if isinstance(function, ast.Attribute) and is_all(function.value):
                yield None  # ``__all__.extend(...)``
        elif not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for field in ("body", "orelse", "finalbody", "handlers"):
                block = getattr(statement, field, None)
                if isinstance(block, list):
                    inner = [item.body if isinstance(item, ast.ExceptHandler) else [item] for item in block]
                    for _change in changes_of_all([part for group in inner for part in group]):
                        yield None  # bound only on some paths: what a star import binds is not known


def is_all(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "__all__"


def names_all(target: ast.expr) -> bool:
    """Whether an assignment target binds ``__all__`` (also inside a tuple target)."""
    if isinstance(target, (ast.Tuple, ast.List)):
        return any(names_all(element) for element in target.elts)
    return is_all(target)


def exported(public: tuple[str, ...] | None, name: str) -> bool | None:
    """Whether a star import of a module with ``public`` binds ``name`` (None: unknown)."""
    if public is None:
        return not name.startswith("_")
    if public == UNKNOWN_ALL:
        return None
    return name in public
