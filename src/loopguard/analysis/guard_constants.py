"""Module constants that name strings, read as those strings in guards.

``LOCAL_PREFIXES: Final = ("oidc/file/", "oidc/env/")`` at module level, then
``if not value.startswith(LOCAL_PREFIXES): return`` in a function, is the same test as with the
tuple written inline: a helper called after it gets a string under one of those prefixes, and a
branch of that helper taken only for other strings is not followed (litellm ll-c-36-1:
``resolve_local_oidc_reference`` -> ``get_secret``).

Only strings and displays of strings (tuple, list, set) are read this way: they are names for
literals. A module-level ``DEBUG = False`` or ``RETRIES = 3`` stays a name in a guard: a switch like
that is the kind of constant a test or another module sets from outside (``module.DEBUG = True``),
so ``if DEBUG:`` keeps both branches. The rules for "constant" are those of arguments
(constants.py): bound once, at module level, not rebound by ``global``, ``del`` or a star import,
and not hidden by a binding of the same name in a scope between the guard and the module.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence

from loopguard.analysis.constants import ScopeLike, bound_below_module
from loopguard.analysis.guards import (
    MAX_STRING,
    Condition,
    Guard,
    display_of_strings,
    names_in,
    rewritten,
)

StringConstant = str | tuple[str, ...]


def string_constant(value: ast.expr | None) -> StringConstant | None:
    """The string, or the tuple of strings, a module-level assignment's value is (else None)."""
    if isinstance(value, ast.Constant):
        text = value.value
        return text if isinstance(text, str) and len(text) <= MAX_STRING else None
    if isinstance(value, (ast.Tuple, ast.List, ast.Set)):
        match display_of_strings(value):  # what the same display written in a test reads as
            case ("const", tuple() as strings):
                return strings
    return None


def with_string_constants(
    conditions: tuple[Condition, ...],
    scope: int,
    scopes: Sequence[ScopeLike],
    constants: Mapping[str, StringConstant],
) -> tuple[Condition, ...]:
    """``conditions`` with each name of a string constant seen from ``scope`` read as its value."""
    if not any(names_in(guard) & constants.keys() for guard, _ in conditions):
        return conditions  # most guards: no constant in them

    def leaf(guard: Guard) -> Guard:
        match guard:
            case ("name", str() as name) if name in constants and not bound_below_module(name, scope, scopes):
                return ("const", constants[name])
        return guard

    return tuple((rewritten(guard, leaf), expected) for guard, expected in conditions)

