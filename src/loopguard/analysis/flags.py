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
from typing import NamedTuple

from loopguard.analysis.guards import Guard, names_in, rewritten

#: The tests a flag can be bound to: a comparison, ``not``, ``and``/``or``
FLAG_VALUES = (ast.Compare, ast.BoolOp, ast.UnaryOp)


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
    names = names_in(guard)
    if not names or not names <= parameters:
        return None
    return Flag(guard, tuple((name, rebound.get(name, 0)) for name in sorted(names)))


def with_flags(guard: Guard, flags: dict[str, Flag]) -> Guard:
    """``guard`` with each name in ``flags`` replaced by its value's guard."""

    def flag_for(leaf: Guard) -> Guard:
        flag = flags.get(str(leaf[1])) if leaf[0] == "name" else None
        return leaf if flag is None else flag.guard

    return rewritten(guard, flag_for)
