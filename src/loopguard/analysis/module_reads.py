"""A call's arguments as they read once the module is walked: the three readings that need every
binding of the module (``index.with_module_constants``), made in one pass over the arguments.

* a name passed (``(PASSED, name)``, ``module.NAME``) or ``A | B`` flags: the module constant or
  import it names (constants.py);
* a name passed that is a variable annotated with builtins: ``(PASSED, name, types)``
  (annotated_types.py);
* a type built by a builtin (``(TYPED, type, builtin, ...)``): kept only while the builtin is one
  (argument_types.py).

Each argument takes at most one of them (their values are apart by their first item: ``PASSED``,
``FLAGS``, ``TYPED``), and what the first two give is never read by the third; so one pass, which
looks at each argument once and builds a new tuple only for a call whose arguments change, gives
what three passes, each building a tuple for every call that passes a name, gave.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from loopguard.analysis.annotated_types import AnnotatedVariables
from loopguard.analysis.argument_types import TYPED, ScopeLike, checked_type
from loopguard.analysis.constants import ArgumentValue, bound_below_module, read_constant
from loopguard.models import FLAGS, PASSED, Literal


def read_arguments(
    literals: tuple[Literal, ...], scope: int, scopes: Sequence[ScopeLike], names: Mapping[str, ArgumentValue],
    annotated: AnnotatedVariables, star_import: bool,
) -> tuple[Literal, ...] | None:
    """A call's arguments (``literals``, of a call in ``scope``) with the module's constants and
    imports (``names``), annotated variables and builtins read; None when none of them changes."""
    changed: list[Literal] | None = None
    for number, (key, value) in enumerate(literals):
        if not (isinstance(value, tuple) and value):
            continue
        head = value[0]
        if head == PASSED:
            read = passed_value(value, scope, scopes, names, annotated, star_import)
        elif head == FLAGS:
            read = read_constant(value, scope, scopes, names)
        elif head == TYPED and len(value) > 2:
            read = checked_type(value, scope, scopes, star_import)
        else:
            continue
        if read is not value and read != value:
            if changed is None:
                changed = list(literals)
            changed[number] = (key, read)
    return None if changed is None else tuple(changed)


def passed_value(
    value: tuple[str, ...], scope: int, scopes: Sequence[ScopeLike], names: Mapping[str, ArgumentValue],
    annotated: AnnotatedVariables, star_import: bool,
) -> ArgumentValue:
    """``(PASSED, name)`` read: the module constant or import it names (``read_constant``), else,
    for a plain name, the builtins its annotation allows (``AnnotatedVariables.types_seen``).
    (A plain name the module binds to neither is what ``read_constant`` gives back unchanged:
    not asked.)"""
    if len(value) != 2:
        return value
    name = value[1]
    if "." in name:
        return read_constant(value, scope, scopes, names)  # (dotted: never an annotated variable)
    if name in names and not bound_below_module(name, scope, scopes):
        return names[name]
    if name in annotated.names:  # (``types_seen`` of a name annotated nowhere is None: not asked)
        types = annotated.types_seen(scope, name, scopes, star_import)
        if types is not None:
            return (PASSED, name, types)
    return value
