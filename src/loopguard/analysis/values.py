"""What a sync function's names hold where its guards test them.

A guard is decided by the values of the names it tests (``guards.py``). Those values come from the
call — a parameter given a literal, or left to its literal default — and from the body itself: a
local whose first binding is a literal (``path = None``) holds that literal wherever it is tested,
unless another binding of it can have run by then (``if config: path = ...``). The index records
each such local with its literal (``LocalLiterals``); the call graph works out, for one call's
values, which bindings can have run before each line (``KnownValues``).

Why a local's literal holds: a guard that tests a name raises ``NameError`` when the name is unbound,
so wherever a guard is passed the name holds the value of the last binding that ran. If only the
first one (the literal) can have run by then, that is its value — wherever the literal assignment
sits, in a loop or under a condition. Any binding the index cannot judge (in a loop, under a guard
that is unknown) counts as having run: the name is then unknown and the call is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from loopguard.analysis.guards import Condition, can_run, names_in
from loopguard.models import Parameters, Rebinding

#: A first binding that is a literal: ``(True, value)``; anything else: None.
LiteralBinding = tuple[bool, Any] | None


class LocalLiterals:
    """The bindings of one sync function's locals while the index walks its body: for each local,
    the literal of its first binding (when it is one) and every later binding with its guards."""

    def __init__(self, scope: int, parameters: frozenset[str]) -> None:
        self.scope = scope
        self.parameters = parameters
        self.first: dict[str, object] = {}  # local -> the literal its first binding assigns
        self.seen: set[str] = set()
        self.later: list[Rebinding] = []
        self.nonlocal_names: set[str] = set()  # assigned by a nested function: never known

    def bound(
        self, name: str, conditions: tuple[Condition, ...], line: int, in_loop: bool, literal: LiteralBinding
    ) -> None:
        """A binding of ``name`` in the function's own scope (parameters are tracked apart)."""
        if name in self.parameters:
            return
        if name not in self.seen:
            self.seen.add(name)
            if literal is not None:
                self.first[name] = literal[1]
                return
        self.later.append((name, conditions, line, in_loop))

    def declared_nonlocal(self, names: list[str]) -> None:
        """``nonlocal name`` in this function or one nested in it: the name is shared with other
        scopes, which may assign it at any time."""
        self.nonlocal_names.update(names)

    def finish(self, tested: set[str]) -> tuple[tuple[tuple[str, object], ...], list[Rebinding]]:
        """The locals worth keeping (those ``tested`` by a guard or passed to a call) with their
        literals, and their later bindings."""
        kept: set[str] = set()
        wanted = set(tested)
        while wanted:  # and the locals the guards of their later bindings test, and so on
            kept |= {name for name in wanted if name in self.first and name not in self.nonlocal_names}
            wanted = {
                name
                for bound_name, conditions, _line, _in_loop in self.later
                if bound_name in kept
                for guard, _value in conditions
                for name in names_in(guard)
            } - kept
            wanted &= set(self.first)
        literals = tuple((name, value) for name, value in self.first.items() if name in kept)
        return literals, [rebinding for rebinding in self.later if rebinding[0] in kept]


class KnownValues:
    """The values of a call's known names (``arguments``: parameters and literal locals) as the code
    at each line of the body sees them.

    A binding of a known name *can have run* before a line when it is on an earlier line (or the
    same one), or anywhere in a loop, and its own guards can be true — judged with the values as
    they are at its line, so a binding guarded by a name another binding changes first is judged
    with that name unknown. The set is found by iterating until nothing more can run: a value
    lost only ever makes more guards unknown, so it grows and stops."""

    def __init__(self, parameters: Parameters, arguments: Mapping[str, object]) -> None:
        self.arguments = arguments
        pending = [rebinding for rebinding in parameters[4] if rebinding[0] in arguments]
        self.ran: list[tuple[str, int, bool]] = []
        progress = True
        while progress and pending:
            progress = False
            for rebinding in list(pending):
                name, conditions, line, in_loop = rebinding
                if can_run(conditions, self.at(line)):
                    self.ran.append((name, line, in_loop))
                    pending.remove(rebinding)
                    progress = True

    def at(self, line: int) -> Mapping[str, object]:
        """The values at ``line``: without the names a binding that can have run by then changed."""
        changed = {name for name, assigned, in_loop in self.ran if in_loop or assigned <= line}
        if not changed:
            return self.arguments
        return {name: value for name, value in self.arguments.items() if name not in changed}


def locals_of(parameters: Parameters) -> dict[str, object]:
    """The literal locals of a function: the entries of its ``defaults`` that are not parameters
    (the index keeps them there, so a function summary carries them without a field of its own)."""
    positional, keyword_only, defaults, _bound, _rebindings = parameters
    if len(defaults) == 0:
        return {}
    names = {*positional, *keyword_only}
    return {name: value for name, value in defaults if name not in names}
