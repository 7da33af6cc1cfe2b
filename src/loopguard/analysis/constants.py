"""Module constants read as the literals they hold: ``NAME: Final = "API_KEY"`` at module level
then ``get_secret(NAME)`` in a function is ``get_secret("API_KEY")``, exactly as if written inline.

The index records a call's argument that is a bare name as ``(PASSED, name)``, the caller's own
variable. When no scope between the call and the module binds that name, it is the module's global;
when the module binds it exactly once, to a literal, and nothing else can rebind it (no ``global``
statement for it anywhere in the module, no ``del`` of it, no star import), every read of it that
does not raise ``NameError`` gives that literal. Anything else keeps ``(PASSED, name)``: unknown.

Not seen: an assignment from another module (``settings.NAME = ...``), ``globals()[...]``, and a
constant imported from elsewhere (``from .settings import NAME`` is a binding of its own: unknown).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Protocol

from loopguard.models import PASSED, Literal

ConstantValue = int | bool | str | None
ArgumentValue = int | bool | str | None | tuple[str, ...]  # the value half of a ``Literal``


class ScopeLike(Protocol):
    """What is read of the index's ``Scope`` (index.py imports this module, not the reverse)."""

    @property
    def parent(self) -> int | None: ...

    @property
    def bindings(self) -> Mapping[str, Sequence[object]]: ...


def module_constants(
    candidates: Mapping[str, ConstantValue], module: ScopeLike, changed: Collection[str]
) -> dict[str, ConstantValue]:
    """The module constants among ``candidates`` (the names a module-level ``NAME = <literal>``
    or ``NAME: T = <literal>`` binds): those the module binds once and that nothing else may
    rebind (``changed``: the names of ``global`` statements and ``del``)."""
    return {
        name: value
        for name, value in candidates.items()
        if name not in changed and len(module.bindings.get(name, ())) == 1
    }


def with_constants(
    literals: tuple[Literal, ...],
    scope: int,
    scopes: Sequence[ScopeLike],
    constants: Mapping[str, ConstantValue],
) -> tuple[Literal, ...]:
    """A call's arguments, each ``(PASSED, name)`` that names a module constant seen from
    ``scope`` replaced by the constant's literal."""
    return tuple((key, read_constant(value, scope, scopes, constants)) for key, value in literals)


def read_constant(
    value: ArgumentValue,
    scope: int,
    scopes: Sequence[ScopeLike],
    constants: Mapping[str, ConstantValue],
) -> ArgumentValue:
    """The literal a ``(PASSED, name)`` argument holds when ``name`` is a module constant seen
    from ``scope``; any other value unchanged."""
    if not (isinstance(value, tuple) and len(value) == 2 and value[0] == PASSED):
        return value
    name = value[1]
    if name not in constants or bound_below_module(name, scope, scopes):
        return value
    return constants[name]


def bound_below_module(name: str, scope: int, scopes: Sequence[ScopeLike]) -> bool:
    """Whether a scope from ``scope`` out to (not including) the module binds ``name``: a
    parameter, a local, a class attribute or a comprehension variable of that name hides the
    module's. Class scopes count too, though methods do not see them: when in doubt, unknown."""
    current: int | None = scope
    while current is not None and current != 0:
        if name in scopes[current].bindings:
            return True
        current = scopes[current].parent
    return False
