"""The index's half of init_flow.py: what a method assigns on its own receiver, and what an
``__init__`` stores there from its parameters, in order.

For each sync method (its first parameter the receiver), the index keeps beside its parameters
(``Parameters`` defaults, under ``SETS``; nothing when there is none) every ``self.x = ...``, ``self.x += ...`` and ``del
self.x`` of its own body, each with where its statement ends (an assignment happens after the
calls of its value: ``self.a = self.f(self.a)`` reads the old ``a``), the guards around it and
whether it is in a loop; and ``ANY`` when the receiver leaves the method's hands — passed to a
call (``register(self)``, ``setattr(self, ...)``) or bound to another name — after which anything
may assign anything on it.

For an ``__init__`` it also keeps (``FLOW_STORES``) the ``self.x = parameter`` statements of its
own block, before any ``return``, of parameters it never binds again, each with where it ends.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import Protocol

from loopguard.analysis.guards import Condition
from loopguard.models import PASSED, Literal, Parameters

#: The entry of a method's ``Parameters`` defaults holding its assignments on its receiver:
#: ``((attribute, end line, end column, in a loop, guards), ...)``
SETS = "<sets>"
#: The entry of an ``__init__``'s defaults holding its stores: ``((attribute, parameter, end
#: line, end column), ...)``
FLOW_STORES = "<flow stores>"
#: The attribute of a ``SETS`` entry that stands for every attribute (the receiver escaped)
ANY = "*"
#: One assignment on the receiver
SelfSet = tuple[str, int, int, bool, tuple[Condition, ...]]


def is_tracked(attribute: str) -> bool:
    """The attributes the flow follows: those the index records accesses of (``record_access``
    leaves out classes, constants and dunders)."""
    return not attribute[:1].isupper() and not attribute.startswith("__")


class SelfAssignments:
    """The assignments on their receivers of the methods being walked (by function scope)."""

    def __init__(self) -> None:
        self.found: dict[int, list[SelfSet]] = {}

    def note(
        self, scope: int, parameters: Parameters, target: ast.AST, end: tuple[int, int],
        conditions: Callable[[], tuple[Condition, ...]], in_loop: bool,
    ) -> None:
        """``target`` assigned (or deleted) by a statement of the function ``scope`` ending at
        ``end``: kept when it is an attribute of the method's receiver."""
        if not (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)):
            return
        positional, _keyword_only, _defaults, bound, _rebindings = parameters
        if bound and positional and target.value.id == positional[0]:
            self.found.setdefault(scope, []).append((target.attr, end[0], end[1], in_loop, conditions()))

    def finish(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: int, parameters: Parameters,
        rebindings: Sequence[tuple[object, ...]], calls: Sequence[CallLike],
        bindings: Mapping[str, Sequence[object]], block: Sequence[ast.stmt],
        loops: Sequence[tuple[int, int]],
    ) -> Parameters:
        """A method's parameters with its assignments on its receiver (and, for ``__init__``, its
        stores) beside them. ``calls``: those of its body, to see the receiver passed;
        ``bindings``: its scope's, to see the receiver bound to another name; ``block``: for an
        ``__init__``, the statements of its own block before any ``return`` (``before_return``); ``loops``: the (first line, last line) of each loop in it, in a nested
        ``def`` too."""
        positional, keyword_only, defaults, bound, _ = parameters
        found = self.found.pop(scope, [])
        if not bound or not positional:
            return parameters
        own = positional[0]
        sets = [*found, *escapes(loops, own, calls)] if calls else found
        if binds_to(bindings, ("value", ("name", own))):
            sets.append((ANY, 0, 0, True, ()))  # ``other = self``: anything, from the start
        extra: list[tuple[str, object]] = [(SETS, tuple(sets))] if sets else []  # most assign nothing
        if node.name == "__init__":
            stores = init_stores(block, own, {*positional[1:], *keyword_only}, {str(r[0]) for r in rebindings})
            if stores:
                extra.append((FLOW_STORES, stores))
        if not extra:
            return parameters
        return (positional, keyword_only, (*defaults, *extra), bound, parameters[4])


def binds_to(bindings: Mapping[str, Sequence[object]], start: tuple[str, object]) -> bool:
    """Whether a binding of a scope starts with ``start`` (``("value", ("name", own))``: a name
    bound to the receiver). Loops, not ``any`` of a generator: asked for every sync method, of
    every binding of its scope."""
    for each in bindings.values():
        for binding in each:
            if binding.__class__ is tuple and binding[:2] == start:
                return True
    return False


class CallLike(Protocol):
    """What is read of the index's ``CallSite``."""

    @property
    def end_line(self) -> int: ...

    @property
    def end_col(self) -> int: ...

    @property
    def literals(self) -> tuple[Literal, ...]: ...

    @property
    def conditions(self) -> tuple[Condition, ...]: ...


def escapes(loops: Sequence[tuple[int, int]], own: str, calls: Sequence[CallLike]) -> list[SelfSet]:
    """An ``ANY`` entry for each call the receiver is passed to, where the call ends (in a loop:
    from the start, as it may have run before any of the loop's calls; ``loops``: the first and
    last line of each loop of the method)."""
    passed = (PASSED, own)
    passing = []
    for call in calls:  # (loops, not ``any`` of a generator for each call)
        for _key, value in call.literals:
            if value == passed:
                passing.append(call)
                break
    if not passing:
        return []
    return [
        (ANY, call.end_line, call.end_col, any(first <= call.end_line <= last for first, last in loops), call.conditions)
        for call in passing
    ]


def init_stores(
    block: Sequence[ast.stmt], own: str, names: set[str], rebound: set[str]
) -> tuple[tuple[str, str, int, int], ...]:
    """``self.x = parameter`` statements of ``__init__``'s own block, before any ``return``
    (``block``), of attributes the flow follows and parameters never bound again, each with
    where it ends."""
    if own in rebound:
        return ()
    return tuple(
        (attribute, parameter, statement.end_lineno or statement.lineno, statement.end_col_offset or 0)
        for statement, attribute, parameter in block_stores(block, own, names)
        if is_tracked(attribute) and parameter not in rebound
    )


def before_return(body: list[ast.stmt], first_return: ast.Return | None) -> list[ast.stmt]:
    """The statements of a function's own block before the one that holds its first ``return``
    (``first_return``, the first the index's walk met in the body, in a nested ``def`` too; None:
    there is none) — what a walk of each statement for a ``return`` would find, read off the
    positions: the statements before the one holding it end before it starts."""
    if first_return is None:
        return body
    start = (first_return.lineno, first_return.col_offset)
    for number, statement in enumerate(body):
        if (statement.end_lineno or statement.lineno, statement.end_col_offset or 0) > start:
            return body[:number]
    return body


def block_stores(
    block: Sequence[ast.stmt], own: str, names: Collection[str]
) -> Iterator[tuple[ast.stmt, str, str]]:
    """Each ``self.attribute = parameter`` statement (``own``: the receiver, ``names``: the
    parameters) of ``block`` (a function's own block before any ``return``: ``before_return``):
    the statement, the attribute and the parameter."""
    for statement in block:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target, value = statement.targets[0], statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            target, value = statement.target, statement.value  # ``self.kind: Final = kind``
        else:
            continue
        if (
            isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == own
            and isinstance(value, ast.Name) and value.id in names
        ):
            yield statement, target.attr, value.id


def sets_of(parameters: Parameters) -> tuple[SelfSet, ...]:
    """What a method assigns on its receiver (none kept: nothing; an ``async def``'s body does
    not run when it is called, so it assigns nothing then either)."""
    for name, value in parameters[2]:
        if name == SETS and isinstance(value, tuple):
            return value
    return ()


def flow_stores_of(parameters: Parameters) -> tuple[tuple[str, str, int, int], ...]:
    """What an ``__init__`` stores from its parameters, in order (``init_stores``)."""
    for name, value in parameters[2]:
        if name == FLOW_STORES and isinstance(value, tuple):
            return value
    return ()
