"""What ``self.x`` holds, call by call, in an ``__init__`` run by a construction and in the methods
it calls on ``self`` (litellm N8).

``Logging()`` built without arguments runs ``__init__``, which stores ``self.dynamic_callbacks =
dynamic_callbacks`` (the ``None`` default) and then calls ``self.process_dynamic_callbacks()``,
which passes ``self.dynamic_callbacks`` to a helper that returns at once when it is ``None``. The
attribute is assigned again elsewhere in the class, so it is not one the construction fixes for
good (receivers.py); but where ``process_dynamic_callbacks`` starts, nothing but the store can
have set it.

A construction ``Cls(...)`` of a project class runs ``__init__`` on an instance of exactly
``Cls`` (when no project ``__new__`` could return another object: receiver_values.py), so the
``__init__`` node knows its class. Walking its calls in the order they run, the call graph keeps
the attributes whose value is known there:

* a store ``self.x = parameter`` of ``__init__``'s own block (self_sets.py) gives ``x`` the
  value the construction gave the parameter — a literal (else ``x`` is unknown);
* any other assignment (or ``del``) of ``self.x`` in the body, that can run with the values the
  node has, makes ``x`` unknown from the end of its statement on; one in a loop, everywhere;
* a call on ``self`` makes unknown what the method it runs may assign: its own assignments that
  can run with the arguments of that call, and everything the methods it calls on ``self`` (or
  the property getters it reads) assign, whatever their arguments; a method the class does not
  resolve to a project function, or one whose receiver leaves its hands (``helper(self)``,
  ``other = self``), may assign anything;
* the receiver passed to a call, or bound to another name, may have anything assigned.

A call on ``self`` passes the known values of the attributes the method (or what it calls on
``self``) reads to the method's node, which starts with them and walks its own calls the same
way. Not seen, as for receivers.py: assignments from outside the class (``obj.x = ...``) or by
a function nested in a method, a callable attribute called on ``self``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Protocol, TypeVar

from loopguard.analysis.guards import can_run, parts_of
from loopguard.analysis.known import KnownValues
from loopguard.analysis.receiver_values import receiver
from loopguard.analysis.receivers import marks_self
from loopguard.analysis.self_sets import ANY, SelfSet, flow_stores_of, sets_of
from loopguard.analysis.summary import FunctionCall
from loopguard.models import PASSED, Literal, Parameters, is_plain_literal

#: A node's argument ``"<self>.x"``: what ``self.x`` holds as the method starts
FLOW = "<self>."
#: An ``__init__`` node's argument ``"<stored>.x"``: what its store of ``x`` gives
STORED = "<stored>."
#: What a function and the methods it calls on ``self`` assign (None: anything), and read
Effects = tuple[frozenset[str] | None, frozenset[str]]


class GraphLike(Protocol):
    """What is read of the call graph (transitive.py imports this module)."""

    def function_for(self, key: str | None) -> str | None: ...

    def callees_for(self, key: str | None) -> tuple[tuple[str, bool], ...]: ...

    def parameters_of(self, qualname: str) -> Parameters: ...

    def calls_of(self, qualname: str) -> tuple[FunctionCall, ...]: ...


def method_called(call: FunctionCall, cls: str, graph: GraphLike) -> tuple[bool, str | None]:
    """Whether a call of a body may run a method on its receiver, and the project function it
    runs on an instance of exactly ``cls`` (None: not known)."""
    target, literals = call[4], call[5]
    if marks_self(literals):
        method = target.rpartition(".")[2] if isinstance(target, str) else None
        return True, graph.function_for(f"{cls}.{method}") if method else None
    if isinstance(target, str) and ":" in target:  # ``x.prop`` runs its getter (or setter): maybe on self
        accessors = graph.callees_for(target)
        return (True, accessors[0][0]) if accessors else (False, None)
    return False, None


T = TypeVar("T")


class Remembering(Protocol):
    """The project's memo (``GlobalProject.remembered``): an answer per key, with the modules it
    read recorded again at each use."""

    def remembered(self, key: Hashable, compute: Callable[..., T], *arguments: object) -> T: ...


#: The memo's keys for ``SelfEffects.closure`` (the project remembers other answers too).
CLOSURE = "self-effects"


class SelfEffects:
    """What functions assign and read on their receiver, with what they call on it (remembered
    per function and class in the project's memo: a body's effects depend on nothing else)."""

    def __init__(self, graph: GraphLike, project: Remembering) -> None:
        self.graph = graph
        self.project = project

    def closure(self, qualname: str, cls: str) -> Effects:
        """The attributes ``qualname`` and the methods it calls on ``self`` (on an instance of
        exactly ``cls``, at any depth) may assign and read; each use records the modules read to
        find them, for the plan cache."""
        return self.project.remembered((CLOSURE, qualname, cls), self._walk, qualname, cls)

    def _walk(self, start: str, cls: str) -> Effects:
        assigned: set[str] | None = set()
        read: set[str] = set()
        pending, seen = [start], {start}
        while pending:
            qualname = pending.pop()
            parameters = self.graph.parameters_of(qualname)
            own, sets = receiver(parameters), sets_of(parameters)
            if own is None or any(each[0] == ANY for each in sets):
                assigned = None
            elif assigned is not None:
                assigned.update(each[0] for each in sets)
            calls = self.graph.calls_of(qualname)
            if own is not None:
                read |= attributes_read(calls, own)
            for call in calls:
                on_self, function = method_called(call, cls, self.graph)
                if on_self and function is None:
                    assigned = None
                elif function is not None and function not in seen:
                    seen.add(function)
                    pending.append(function)
        return (None if assigned is None else frozenset(assigned)), frozenset(read)

    def reads_stores(self, init: str, cls: str) -> bool:
        """Whether an ``__init__`` stores an attribute from a parameter that it, or a method it
        calls on ``self``, reads: only then does a construction's node need its class."""
        stores = flow_stores_of(self.graph.parameters_of(init))
        return bool(stores) and not self.closure(init, cls)[1].isdisjoint(each[0] for each in stores)

    def assigned_by(self, qualname: str, arguments: Mapping[str, object] | None, cls: str) -> frozenset[str] | None:
        """What a call of ``qualname`` with these argument values (its node's) may assign on an
        instance of exactly ``cls``: its own assignments that can run with them, and what the
        methods it calls on ``self`` (under guards that can be true) may assign at all."""
        parameters = self.graph.parameters_of(qualname)
        sets = sets_of(parameters)
        if receiver(parameters) is None:
            return None
        known = KnownValues(parameters, arguments) if arguments else None
        found: set[str] = set()
        for attribute, line, _col, _in_loop, conditions in sets:
            if attribute == ANY:
                return None
            if not conditions or known is None or can_run(conditions, known.at(line)):
                found.add(attribute)
        for call in self.graph.calls_of(qualname):
            conditions = call[6]
            if conditions and known is not None and not can_run(conditions, known.at(call[0])):
                continue
            on_self, function = method_called(call, cls, self.graph)
            if not on_self:
                continue
            deeper = None if function is None else self.closure(function, cls)[0]
            if deeper is None:
                return None
            found |= deeper
        return frozenset(found)


def attributes_read(calls: tuple[FunctionCall, ...], own: str) -> set[str]:
    """The attributes of the receiver ``own`` a body's guards read or its calls are given (the
    names ``CallGraph.guard_reads`` gathers, read here without keeping them for every method)."""
    prefix = f"{own}."
    names = {
        name for call in calls for guard, _value in call[6] for part in parts_of(guard)
        if part[0] == "name" and isinstance(name := part[1], str) and name.startswith(prefix)
    }
    names |= {
        str(value[1]) for call in calls for _key, value in call[5]
        if isinstance(value, tuple) and value[:1] == (PASSED,) and str(value[1]).startswith(prefix)
    }
    return {name[len(prefix):] for name in names if "." not in name[len(prefix):] and "(" not in name}


def flow_arguments(
    effects: SelfEffects, qualname: str, parameters: Parameters, literals: tuple[Literal, ...],
    values: Mapping[str, object], cls: str,
) -> dict[str, object]:
    """The arguments of a node of ``qualname`` on an instance of exactly ``cls`` that the flow
    reads: the attribute values a call on ``self`` passed (``FLOW``), and for an ``__init__``,
    the values its stores give (``STORED``) to attributes it or what it calls on ``self`` reads."""
    found: dict[str, object] = {key: value for key, value in literals if isinstance(key, str) and key.startswith(FLOW)}
    stores = flow_stores_of(parameters)
    if stores:
        read = effects.closure(qualname, cls)[1]
        for attribute, parameter, _line, _col in stores:
            value = values.get(parameter, NOT_KNOWN)
            if attribute in read and is_plain_literal(value):
                found[f"{STORED}{attribute}"] = value
    return found


#: No value (an argument's value may be None)
NOT_KNOWN = object()


class AttributeFlow:
    """The receiver's attributes known in one node's body, as its calls run (see the module's
    docstring)."""

    def __init__(
        self, effects: SelfEffects, cls: str, own: str, parameters: Parameters, arguments: Mapping[str, object],
        sets: tuple[SelfSet, ...], calls: tuple[FunctionCall, ...],
    ) -> None:
        self.effects, self.cls, self.own = effects, cls, own
        # where something may change an attribute: the index records a call before the calls in
        # its arguments, which run first (``self.m(self.reset())``)
        graph = effects.graph
        self.changes = [(call[0], call[1]) for call in calls if method_called(call, cls, graph)[0]]
        self.changes += [(each[1], each[2]) for each in sets if each[0] == ANY]
        self.alive: dict[str, object] = {
            key[len(FLOW):]: value for key, value in arguments.items() if key.startswith(FLOW)
        }
        self.stored = {
            (line, col, attribute): arguments.get(f"{STORED}{attribute}", NOT_KNOWN)
            for attribute, _parameter, line, col in flow_stores_of(parameters)
        }
        # assigned in a loop: it may have run before any call (of the loop's body), so never known
        self.never = {each[0] for each in sets if each[3]}
        for attribute in self.never:
            self.forget(attribute)
        self.pending = sorted((each for each in sets if not each[3]), key=lambda each: (each[1], each[2]))

    def forget(self, attribute: str) -> None:
        if attribute == ANY:
            self.alive.clear()
        else:
            self.alive.pop(attribute, None)

    def learn(self, attribute: str, value: object) -> None:
        if attribute not in self.never and ANY not in self.never:
            self.alive[attribute] = value

    def values(self, here: Mapping[str, object] | None, line: int, col: int) -> Mapping[str, object] | None:
        """The values at a call starting at (line, col): ``here`` with the attributes known then."""
        while self.pending and (self.pending[0][1], self.pending[0][2]) <= (line, col):
            attribute, end_line, end_col, _in_loop, conditions = self.pending.pop(0)
            value = self.stored.get((end_line, end_col, attribute), NOT_KNOWN)
            if value is not NOT_KNOWN:
                self.learn(attribute, value)
            elif not conditions or can_run(conditions, here or {}):
                self.forget(attribute)
        if not self.alive:
            return here
        return {**(here or {}), **{f"{self.own}.{attribute}": value for attribute, value in self.alive.items()}}

    def given(self, callee: str, literals: tuple[Literal, ...], span: tuple[int, int, int, int]) -> tuple[Literal, ...]:
        """A call on ``self``'s arguments (``span``: where the call starts and ends), with the known
        attributes ``callee`` may read — none when a call inside its arguments may change them."""
        line, col, end_line, end_col = span
        if not self.alive or any((line, col) < change <= (end_line, end_col) for change in self.changes):
            return literals
        read = self.effects.closure(callee, self.cls)[1]
        passed: list[Literal] = [
            (f"{FLOW}{attribute}", value) for attribute, value in self.alive.items()
            if attribute in read and is_plain_literal(value)
        ]
        return (*literals, *sorted(passed)) if passed else literals

    def ran(self, call: FunctionCall, graph: GraphLike, nodes: list[tuple[str, Mapping[str, object] | None]]) -> None:
        """After a call of the body: forget what it may have assigned (``nodes``: the functions
        of the nodes made for it, each with its argument values). The receiver passed to a call
        is an ``ANY`` assignment (self_sets.py)."""
        if not self.alive:
            return
        on_self, function = method_called(call, self.cls, graph)
        if not on_self:
            return
        if function is None:
            self.alive.clear()
            return
        # the nodes of the function the exact class runs (a call resolved otherwise ran another)
        for qualname, arguments in [each for each in nodes if each[0] == function] or [(function, None)]:
            assigned = self.effects.assigned_by(qualname, arguments, self.cls)
            if assigned is None:
                self.alive.clear()
                return
            for attribute in assigned:
                self.alive.pop(attribute, None)


def start_flow(
    effects: SelfEffects, parameters: Parameters, calls: tuple[FunctionCall, ...], arguments: Mapping[str, object],
    cls: object,
) -> AttributeFlow | None:
    """The flow of a node whose arguments give attribute values (None: nothing to follow)."""
    if not isinstance(cls, str) or not any(key.startswith((FLOW, STORED)) for key in arguments):
        return None
    own, sets = receiver(parameters), sets_of(parameters)
    if own is None:
        return None
    return AttributeFlow(effects, cls, own, parameters, arguments, sets, calls)
