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
from typing import Final

#: The builtins' names: an unbound name that is one is the builtin, star imports or not
BUILTIN_NAMES: Final = frozenset(dir(builtins))

#: ``ModuleIndex.public`` of a module whose ``__all__`` is not one literal list or tuple of strings
UNKNOWN_ALL: Final[tuple[str, ...]] = ("*",)


def public_names(tree: ast.Module) -> tuple[str, ...] | None:
    """What ``from module import *`` binds: the names of a literal ``__all__`` bound once at the
    module's top level and never mentioned again (``UNKNOWN_ALL`` if ``__all__`` is anything
    else), or None when the module has no ``__all__`` (every name not starting with ``_``)."""
    mentions = sum(1 for node in ast.walk(tree) if isinstance(node, ast.Name) and node.id == "__all__")
    if not mentions:
        return None
    if mentions > 1:
        return UNKNOWN_ALL  # ``__all__ += [...]``, ``__all__ = a + b``, read elsewhere
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target, value = statement.targets[0], statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            target, value = statement.target, statement.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id == "__all__" and isinstance(value, (ast.List, ast.Tuple)):
            names = [element.value for element in value.elts if isinstance(element, ast.Constant)]
            if len(names) == len(value.elts) and all(isinstance(name, str) for name in names):
                return tuple(str(name) for name in names)
    return UNKNOWN_ALL


def exported(public: tuple[str, ...] | None, name: str) -> bool | None:
    """Whether a star import of a module with ``public`` binds ``name`` (None: unknown)."""
    if public is None:
        return not name.startswith("_")
    if public == UNKNOWN_ALL:
        return None
    return name in public
