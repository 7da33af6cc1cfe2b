"""What a sync function's names hold where its guards test them.

A guard is decided by the values of the names it tests (``guards.py``). Those values come from the
call — a parameter given a literal, or left to its literal default — and from the body itself: a
local whose first binding is a literal (``path = None``) holds that literal wherever it is tested,
unless another binding of it can have run by then (``if config: path = ...``). The index records
each such local with its literal (``LocalLiterals``); the call graph works out, for one call's
values, which bindings can have run before each line (``KnownValues``).

A local whose first binding is a parameter (``content = file_content``) is kept the same way,
as ``(ALIAS, parameter)``: it holds what the call gave the parameter, when the body never binds
the parameter again (``aliased_values``).

Why a local's literal holds: a guard testing a name raises ``NameError`` when the name is unbound,
so wherever a guard is passed the name holds the value of the last binding that ran. If only the
first one (the literal) can have run by then, that is its value — wherever the literal assignment
sits, in a loop or under a condition. Any binding the index cannot judge (in a loop, under a guard
that is unknown) counts as having run: the name is then unknown and the call is kept.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeGuard

from loopguard.analysis.guards import LOOP, Condition, Guard, can_run, evaluate, names_in
from loopguard.models import NOT_LITERAL, ONE_OF, Literal, Parameters, Rebinding

#: What a ``return`` gives, the guards around it, its line.
Return = tuple[Guard, tuple[Condition, ...], int]
#: A first binding that is a literal: ``(True, value)``; anything else: None.
LiteralBinding = tuple[bool, Any] | None

#: The entry of a function's literal locals (``Parameters`` defaults) that holds its returns, when
#: they may depend on the running loop (loop_values.py): no Python code can bind this name.
RETURNS = "<returns>"

#: ``(ALIAS, parameter)``: a local whose first binding is a parameter (``content = file_content``),
#: which holds what the call gave the parameter when it is never bound again (``aliased_values``)
ALIAS = "<alias>"

#: The asyncio functions that give the running loop when called on it (``get_event_loop`` gives
#: the running loop whenever there is one).
LOOP_GETTERS = frozenset({"get_event_loop", "get_running_loop"})


def gets_running_loop(node: ast.expr, bindings_of: Callable[[str], Sequence[object]]) -> bool:
    """``asyncio.get_event_loop()`` / ``asyncio.get_running_loop()`` (or the function imported from
    asyncio by name), with ``asyncio`` bound only to the module: ``bindings_of`` gives a name's
    bindings as the index has them."""
    # told apart by class, not ``isinstance``: asked of every call in every test the index reads
    if node.__class__ is not ast.Call or node.args or node.keywords:
        return False
    function = node.func
    if function.__class__ is ast.Attribute and function.attr in LOOP_GETTERS:
        module = function.value
        return module.__class__ is ast.Name and only_bound_to(bindings_of(module.id), "asyncio")
    if function.__class__ is ast.Name:
        bound = bindings_of(function.id)
        return any(only_bound_to(bound, f"asyncio.{getter}") for getter in LOOP_GETTERS)
    return False


def only_bound_to(bindings: Sequence[object], qualname: str) -> bool:
    return bool(bindings) and all(binding == ("ref", qualname) for binding in bindings)


def only_gets_loop(body: list[ast.stmt], gets_loop: Callable[[ast.expr], bool]) -> bool:
    """A ``try`` body that only gets the running loop (``loop = asyncio.get_running_loop()``, or
    ``return asyncio.get_running_loop()``): on the loop it cannot raise, so its ``except`` handlers
    do not run there."""
    for statement in body:
        if isinstance(statement, ast.Pass):
            continue
        if isinstance(statement, ast.Return):
            if statement.value is None or not gets_loop(statement.value):
                return False
            continue
        if not isinstance(statement, (ast.Expr, ast.Assign, ast.AnnAssign)):
            return False
        targets = statement.targets if isinstance(statement, ast.Assign) else []
        if isinstance(statement, ast.AnnAssign):
            targets = [statement.target]
        if not all(isinstance(target, ast.Name) for target in targets):
            return False
        if statement.value is None or not gets_loop(statement.value):
            return False
    return bool(body)


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
        self.returns: list[Return] = []

    def bound(
        self,
        name: str,
        conditions: Callable[[], tuple[Condition, ...]],
        line: Callable[[], int],
        in_loop: bool,
        literal: LiteralBinding,
    ) -> None:
        """A binding of ``name`` in the function's own scope (parameters are tracked apart), under
        the guards ``conditions()`` gives, at ``line()`` — asked only of a later binding of a local
        whose first is a literal: ``finish`` keeps no other, and most locals start as no literal."""
        if name in self.parameters:
            return
        if literal is not None and is_alias(literal[1]) and literal[1][1] not in self.parameters:
            literal = None  # another local's value: not followed
        if name not in self.seen:
            self.seen.add(name)
            if literal is not None:
                self.first[name] = literal[1]
            return
        if name in self.first:
            self.later.append((name, conditions(), line(), in_loop))

    def declared_nonlocal(self, names: list[str]) -> None:
        """``nonlocal name`` in this function or one nested in it: the name is shared with other
        scopes, which may assign it at any time."""
        self.nonlocal_names.update(names)

    def returned(self, value: Guard, conditions: tuple[Condition, ...], line: int) -> None:
        self.returns.append((value, conditions, line))

    def names_bound_to(self, value: object) -> set[str]:
        """The locals whose first binding is ``value``."""
        return {name for name, first in self.first.items() if first == value}

    def names_returns_test(self) -> set[str]:
        guards = [value for value, _conditions, _line in self.returns]
        guards += [guard for _value, conditions, _line in self.returns for guard, _ in conditions]
        return {name for guard in guards for name in names_in(guard)}

    def finish(self, tested: set[str]) -> tuple[tuple[tuple[str, object], ...], list[Rebinding]]:
        """The locals worth keeping (those ``tested`` by a guard or passed to a call) with their
        literals, and their later bindings."""
        known = set(self.first) - self.nonlocal_names
        kept: set[str] = set()
        wanted = tested & known
        while wanted:  # and the locals the guards of their later bindings test, and so on
            kept |= wanted
            wanted = {
                name
                for bound_name, conditions, _line, _in_loop in self.later
                if bound_name in wanted
                for guard, _value in conditions
                for name in names_in(guard)
            }
            wanted = (wanted & known) - kept
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
        known = {name.partition(".")[0] for name in arguments}  # ``plan.sync`` is known through ``plan``
        pending = [rebinding for rebinding in parameters[4] if rebinding[0] in known]
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
        if not self.ran:  # no binding ran: no set made (asked at every call of a specialised node)
            return self.arguments
        changed = {name for name, assigned, in_loop in self.ran if in_loop or assigned <= line}
        if not changed:
            return self.arguments
        # a parameter bound again changes its fields too (``plan.sync``: records.py)
        return {
            name: value for name, value in self.arguments.items()
            if name not in changed and name.partition(".")[0] not in changed
        }


def first_value(
    targets: list[ast.expr],
    value: ast.expr | None,
    literal_value: Callable[[ast.expr], tuple[bool, Any]],
    gets_loop: Callable[[ast.expr], bool],
) -> LiteralBinding:
    """``name = <literal>`` or ``name = asyncio.get_running_loop()`` (one plain name): the value it
    binds (``LOOP`` for the running loop), or ``(ALIAS, other)`` for ``name = other``, else None."""
    if value is None or len(targets) != 1 or not isinstance(targets[0], ast.Name):
        return None
    if gets_loop(value):
        return (True, LOOP)
    if isinstance(value, ast.Name):
        return (True, (ALIAS, value.id))
    keep, literal = literal_value(value)
    return (True, literal) if keep else None


def locals_of(parameters: Parameters) -> dict[str, object]:
    """The literal locals of a function: the entries of its ``defaults`` that are not parameters
    (the index keeps them there, so a function summary carries them without a field of its own)."""
    positional, keyword_only, defaults, _bound, _rebindings = parameters
    if len(defaults) == 0:
        return {}
    names = {*positional, *keyword_only}
    # ``<...>`` entries (RETURNS, receivers.SELF_RETURNS) are what the index keeps there, not locals
    return {
        name: value for name, value in defaults
        if name not in names and not name.startswith("<") and not is_alias(value)
    }


def is_alias(value: object) -> TypeGuard[tuple[str, str]]:
    return isinstance(value, tuple) and len(value) == 2 and value[0] == ALIAS


def aliased_values(parameters: Parameters, values: Mapping[str, object]) -> dict[str, object]:
    """The locals whose first binding is a parameter (``content = file_content``) with the value
    the call gave it (``values``), when the body never binds that parameter again (the local's
    own later bindings are judged as any local's: ``KnownValues``)."""
    positional, keyword_only, defaults, _bound, rebindings = parameters
    names = {*positional, *keyword_only}
    rebound = {rebinding[0] for rebinding in rebindings}
    return {
        name: values[value[1]] for name, value in defaults
        if name not in names and is_alias(value) and value[1] in values and value[1] not in rebound
    }


def runs_on_the_loop(parameters: Parameters) -> Callable[[int, tuple[Condition, ...]], bool]:
    """For a sync function that runs on the loop (a callback), whether a call at a line under
    these guards can run, with the function's literal locals (its parameters are unknown)."""
    known = KnownValues(parameters, locals_of(parameters))

    def can_run_at(line: int, conditions: tuple[Condition, ...]) -> bool:
        return not conditions or can_run(conditions, known.at(line))

    return can_run_at


def returns_running_loop(parameters: Parameters, returns: list[Return]) -> bool:
    """Whether every ``return`` that can run on the loop gives the running loop (the function's
    parameters unknown): ``try: loop = asyncio.get_event_loop() except RuntimeError: return None``
    then ``return None if loop.is_closed() else loop``."""
    known = KnownValues(parameters, locals_of(parameters))
    running = False
    for value, conditions, line in returns:
        here = known.at(line)
        if not can_run(conditions, here):
            continue
        if evaluate(value, here) != LOOP:
            return False
        running = True
    return running


#: The most rows of a constant table, and of calls one call stands for (``ONE_OF`` arguments).
MAX_ALTERNATIVES = 16
Table = tuple[tuple[str, ...], ...]


def constant_table(
    node: ast.expr | None, literal_value: Callable[[ast.expr], tuple[bool, Any]]
) -> Table | None:
    """A tuple of string literals, or of tuples of them all of one length (``(("id", "ID_ENV"),
    ...)``), as rows; a list may change, so it is not one."""
    if not isinstance(node, ast.Tuple) or not 0 < len(node.elts) <= MAX_ALTERNATIVES:
        return None
    rows: list[tuple[str, ...]] = []
    for element in node.elts:
        row = element.elts if isinstance(element, ast.Tuple) else [element]
        values = [literal_value(cell) for cell in row]
        if not all(keep and isinstance(value, str) for keep, value in values):
            return None
        rows.append(tuple(value for _keep, value in values))
    return tuple(rows) if len({len(row) for row in rows}) == 1 else None


def columns_of(target: ast.expr, table: Table) -> dict[str, tuple[str, ...]]:
    """What each name of a ``for`` target takes over the table's rows: ``env_name`` in
    ``for key, env_name in TABLE`` is one of the second cells."""
    width = len(table[0])
    if isinstance(target, ast.Name):
        return {target.id: tuple(row[0] for row in table)} if width == 1 else {}
    if not isinstance(target, ast.Tuple) or len(target.elts) != width:
        return {}
    return {
        cell.id: tuple(row[column] for row in table)
        for column, cell in enumerate(target.elts)
        if isinstance(cell, ast.Name)
    }


#: How a value that is one of several starts (``is_one_of``)
ONE_OF_MARK = (ONE_OF,)


def is_one_of(value: object) -> TypeGuard[tuple[str, ...]]:
    return isinstance(value, tuple) and value[:1] == ONE_OF_MARK


def expansions(literals: tuple[Literal, ...]) -> list[tuple[Literal, ...]]:
    """The calls a call with ``ONE_OF`` arguments stands for: one per combination of their values
    (beyond ``MAX_ALTERNATIVES`` of them, those arguments are not literals)."""
    choices = []
    for _key, value in literals:  # ``is_one_of`` inlined: asked for every verdict and call with arguments
        if isinstance(value, tuple) and value[:1] == ONE_OF_MARK:
            choices.append(value[1:])
    if not choices:
        return [literals]
    count = 1
    for values in choices:
        count *= len(values)
    if count > MAX_ALTERNATIVES:
        return [tuple((key, NOT_LITERAL if is_one_of(value) else value) for key, value in literals)]
    calls = []
    for combination in itertools.product(*choices):
        chosen = iter(combination)
        call = tuple((key, next(chosen) if is_one_of(value) else value) for key, value in literals)
        calls.append(call)
    return calls
