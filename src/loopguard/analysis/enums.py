"""Enum members' values read as the literals they are: ``if kms == KMS.GOOGLE.value:`` in a helper
is decided by ``initialize("cyberark")`` exactly as ``if kms == "google_kms":`` would be.

A module-level class whose bases are one of the standard library's enum classes (``enum.Enum``,
``StrEnum``, ``IntEnum``; ``enum`` bound to the module, or the class imported from it), optionally
after a ``str`` or ``int`` mix-in, and which defines no ``__new__``/``__init__`` (either could set
another ``_value_``), makes each name its body binds exactly once to a literal a member whose
``.value`` is that literal: the index exports it as the module constant ``"Class.MEMBER"``
(constants.py), and a guard reads ``Class.MEMBER.value`` as ``("enum", "module.Class.MEMBER")``,
whose value the project finds through imports and re-exports (``Project.imported_constant``). A
mix-in makes the value ``mixin(literal)``, so a literal of another type than the mix-in's is not
kept; a name starting with ``_`` is not a member; ``auto()`` and any other expression are not
literals. A project class deriving from another project enum is not read (its base may define
``__new__``).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from typing import Any

from loopguard.analysis.argument_types import ScopeLike, bindings_seen
from loopguard.analysis.constants import ConstantValue
from loopguard.analysis.guards import EQUALS_VALUE, UNKNOWN, Guard, parts_of
from loopguard.analysis.literals import literal_value

ENUM_CLASSES = frozenset({"enum.Enum", "enum.StrEnum", "enum.IntEnum"})
#: Enum classes whose members are instances of their values' type (``==`` their values)
VALUE_TYPES = {"enum.StrEnum": str, "enum.IntEnum": int}
#: Methods that would make a member compare otherwise
COMPARISONS = frozenset({"__eq__", "__ne__"})
#: A mix-in base and the type its members' literals must have (``class Kind(str, Enum)``).
MIXINS = {"builtins.str": str, "builtins.int": int}
CONSTRUCTORS = frozenset({"__new__", "__init__"})


def enum_members(
    node: ast.ClassDef, qualname_of: Callable[[ast.expr], str | None]
) -> dict[str, ConstantValue] | None:
    """The members of an enum class defined as above and their literal values (None: not such a
    class). ``qualname_of`` names what a base expression is bound to (None: unknown)."""
    bases = [qualname_of(base) for base in node.bases]
    if node.keywords or not bases or bases[-1] not in ENUM_CLASSES:
        return None
    mixins = [MIXINS.get(base or "") for base in bases[:-1]]
    if len(mixins) > 1 or None in mixins:
        return None
    kind = mixins[0] if mixins else VALUE_TYPES.get(bases[-1] or "")  # IntEnum's "1" is 1
    members: dict[str, ConstantValue] = {}
    bound: dict[str, int] = {}
    for statement in node.body:
        for name in bound_names(statement):
            bound[name] = bound.get(name, 0) + 1
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and statement.name in CONSTRUCTORS:
            return None
        value = member_value(statement)
        if value is not None:
            name, literal = value
            if kind is None or (type(literal) is kind):
                members[name] = literal
    return {name: value for name, value in members.items() if bound.get(name) == 1}


def equal_to_values(node: ast.ClassDef, qualname_of: Callable[[ast.expr], str | None]) -> bool:
    """Whether the members of an enum class (one ``enum_members`` reads) compare equal to their
    values: a ``str``/``int`` mix-in or ``StrEnum``/``IntEnum``, and no ``__eq__``/``__ne__`` of its own."""
    bases = [qualname_of(base) for base in node.bases]
    if not (len(bases) > 1 or bases[-1] in VALUE_TYPES):
        return False
    return not any(
        isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and statement.name in COMPARISONS
        for statement in node.body
    )


def member_value(statement: ast.stmt) -> tuple[str, ConstantValue] | None:
    """``NAME = <literal>`` (or annotated) in the class body: the member and its literal."""
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        target, value = statement.targets[0], statement.value
    elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
        target, value = statement.target, statement.value
    else:
        return None
    if not isinstance(target, ast.Name) or target.id.startswith("_"):
        return None
    keep, literal = literal_value(value)
    if not keep or literal is None or isinstance(literal, bool):
        return None
    return target.id, literal


def bound_names(statement: ast.stmt) -> Sequence[str]:
    """The names a statement of a class body may bind at the class's level (for "bound once"):
    a ``def``'s or ``class``'s, an import's, and every name stored or deleted anywhere in it (more
    than it binds there, which only ever drops a member)."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [statement.name]
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return [(alias.asname or alias.name).partition(".")[0] for alias in statement.names]
    return [
        node.id for node in ast.walk(statement)
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del))
    ]


class MemberReads:
    """The names a module's guards read as enum classes (``Kind`` of ``Kind.GOOGLE.value``), what
    each was bound to when read, and the member the guard names. A guard stands only if its name
    is still bound so once the module is indexed, and was bound after the module's last star import
    (which may rebind any name bound before it: ``before_star``)."""

    def __init__(self) -> None:
        self.assumed: list[tuple[int, str, tuple[object, ...], str]] = []

    def broken(self, scopes: Sequence[ScopeLike], before_star: set[str]) -> frozenset[str]:
        """The members whose guards do not stand."""
        return frozenset(
            member for scope, name, bound, member in self.assumed
            if name in before_star or tuple(bindings_seen(scopes, scope, name)) != bound
        )


def without_members(conditions: tuple[tuple[Any, bool], ...], broken: frozenset[str]) -> tuple[tuple[Any, bool], ...]:
    """The guards around a call with each one that reads a ``broken`` member unknown."""
    return tuple((UNKNOWN if reads_member(guard, broken) else guard, value) for guard, value in conditions)


def reads_member(guard: Guard, broken: frozenset[str]) -> bool:
    return any(part[0] == "enum" and str(part[1]).removesuffix(EQUALS_VALUE) in broken for part in parts_of(guard))
