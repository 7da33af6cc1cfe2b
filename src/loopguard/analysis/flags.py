"""Local flags: a local bound once to a test of the function's parameters, tested later.

``explicit = project is not None or credentials is not None`` then ``if explicit:`` is decided by
a call's arguments as ``if project is not None or credentials is not None:`` is (litellm
ll-a-35-1: ``_get_gcs_object_content_type`` called with both ``None``). The index keeps, for each
such binding, the guard of its value and how many times each parameter it reads had been bound
again by then (``Flag``); a guard that tests the flag where it still means that — the flag bound
once, none of those parameters bound again since, no loop around either — is read with the
value's guard in its place (``with_flags``).

Why that is sound: a guard testing the flag raises ``NameError`` unless the one binding ran, and
it ran on an earlier line (no loop), when the parameters held what they hold at the guard (not
bound again in between), so the value's guard evaluated at the guard's line gives the flag's
value. Only a value whose guard reads parameters and nothing the index cannot judge again later
(no fact: those carry their own bookkeeping) is kept.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable, Collection, Mapping
from typing import NamedTuple, cast

from loopguard.analysis.constants import ArgumentValue
from loopguard.analysis.guards import Guard, base_names, evaluate, is_known, rewritten
from loopguard.analysis.literals import passed_arguments
from loopguard.models import NOT_LITERAL, TESTED, Literal, is_plain_literal

#: The tests a flag can be bound to: a comparison, ``not``, ``and``/``or``
FLAG_VALUES = (ast.Compare, ast.BoolOp, ast.UnaryOp)
FLAG_CLASSES = frozenset(FLAG_VALUES)  # (their subclasses: none in ``ast``)


class Flag(NamedTuple):
    """A local's one binding to a test: its guard, and each parameter it reads with the number of
    times the function had bound that parameter again before it."""

    guard: Guard
    rebound: tuple[tuple[str, int], ...]


def flag_of(guard: Guard | None, parameters: frozenset[str], rebound: dict[str, int]) -> Flag | None:
    """The flag a binding to a test with ``guard`` makes, when the guard reads only
    ``parameters`` (``rebound``: how often each was bound again so far)."""
    if guard is None:
        return None
    names = base_names(guard)  # ``plan.sync``: the parameter ``plan``'s field (records.py)
    if not names or not names <= parameters:
        return None
    return Flag(guard, tuple((name, rebound.get(name, 0)) for name in sorted(names)))


def with_flags(guard: Guard, flags: dict[str, Flag]) -> Guard:
    """``guard`` with each name in ``flags`` replaced by its value's guard."""

    def flag_for(leaf: Guard) -> Guard:
        flag = flags.get(str(leaf[1])) if leaf[0] == "name" else None
        return leaf if flag is None else flag.guard

    return rewritten(guard, flag_for)


def with_tested_arguments(
    node: ast.Call, literals: tuple[Literal, ...], guard_for: Callable[[ast.expr], Guard | None],
    flags: Collection[str],
) -> tuple[Literal, ...]:
    """A call's arguments, each a test of the function's parameters (a comparison, ``not``,
    ``and``/``or``) or one of its flags given as ``(TESTED, guard)`` (``guard_for``: the guard a
    test reads as there, flags replaced, None when none can be decided; ``flags``: the function's
    flags, the only names worth reading)."""
    if not may_pass_a_test(node.args, node.keywords, flags):
        return literals
    tested: dict[int | str, Literal] = {}
    for key, argument in passed_arguments(node):
        if not isinstance(argument, FLAG_VALUES) and not (isinstance(argument, ast.Name) and argument.id in flags):
            continue
        guard = guard_for(argument)
        if guard is not None and (not isinstance(argument, ast.Name) or guard != ("name", argument.id)):
            tested[key] = (key, (TESTED, repr(guard)))
    if not tested:
        return literals
    kept = [(key, value) for key, value in literals if key not in tested]
    return (*kept, *tested.values())


def may_pass_a_test(args: list[ast.expr], keywords: list[ast.keyword], flags: Collection[str]) -> bool:
    """Whether an argument of the call (any: ``passed_arguments`` keeps fewer) whose ``args`` and
    ``keywords`` are these is a test or one of the ``flags`` — a look without building each
    argument's key (most calls pass neither; ``visit_Call`` asks with the fields it has read)."""
    for argument in args:
        if argument.__class__ in FLAG_CLASSES or (flags and argument.__class__ is ast.Name and argument.id in flags):
            return True
    for keyword in keywords:
        argument = keyword.value
        if argument.__class__ in FLAG_CLASSES or (flags and argument.__class__ is ast.Name and argument.id in flags):
            return True
    return False


@functools.lru_cache(maxsize=1024)
def guard_written(text: str) -> Guard:
    """The guard of a ``(TESTED, text)`` argument (models.py): ``text`` is the guard written as a
    literal (``repr``: a guard is nested tuples of literals), which a call graph node of the caller
    evaluates with its values (``tested_value``)."""
    return cast(Guard, ast.literal_eval(text))


def is_tested(value: object) -> bool:
    return isinstance(value, tuple) and len(value) == 2 and value[0] == TESTED


def tested_guard(value: object) -> Guard:
    """The guard of a ``(TESTED, text)`` argument."""
    assert isinstance(value, tuple)
    return guard_written(str(value[1]))


def tested_value(value: object, values: Mapping[str, object]) -> ArgumentValue:
    """What a ``(TESTED, text)`` argument is with the caller's ``values``: a literal, or not one."""
    found = evaluate(tested_guard(value), values)
    if is_known(found) and is_plain_literal(found):
        return found
    return NOT_LITERAL
