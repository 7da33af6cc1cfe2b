"""The call graph's half of receivers.py: the exact class of a call's receiver, and what the
paths a method reads off it give (``ReceiverValues``)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Protocol

from loopguard.analysis.guards import names_in
from loopguard.analysis.loop_values import UNKNOWN_RESULT, value_on_the_loop
from loopguard.analysis.receivers import (
    BUILT,
    SELF,
    receiver_mark,
    recorded_returns,
    stores_of,
)
from loopguard.models import Literal, Parameters, is_plain_literal

#: The deepest chain of properties and methods whose values decide one another's
MAX_DEPTH = 8
#: A path's value (or ``UNKNOWN_RESULT``), and whether a cycle or the depth bound made it so.
Computed = tuple[object, bool]
#: An instance of exactly a class: the class, and the attributes known from its construction
Receiver = tuple[str, tuple[tuple[str, object], ...]]
#: Methods that change what setting or reading an attribute does
ATTRIBUTE_HOOKS = ("__setattr__", "__getattribute__", "__getattr__")
#: Library bases that define no members of their own an instance could use instead
MEMBERLESS_BASES = frozenset(
    {"abc.ABC", "typing.Generic", "typing_extensions.Generic", "builtins.object"}
)


class GraphLike(Protocol):
    """What is read of the call graph (transitive.py imports this module)."""

    properties: frozenset[str]

    def function_for(self, key: str | None) -> str | None: ...

    def parameters_of(self, qualname: str) -> Parameters: ...

    def decorators_of(self, qualname: str) -> set[str | None]: ...

    def class_order(self, qualname: str) -> tuple[str, ...] | None: ...

    def attribute_names(self, qualname: str) -> Collection[str] | None: ...

    def argument_values(self, parameters: Parameters, literals: tuple[Literal, ...]) -> dict[str, object]: ...


def receiver(parameters: Parameters) -> str | None:
    """The name of a method's own receiver, when it is never bound again in the body."""
    positional, _keyword_only, _defaults, bound, rebindings = parameters
    if not bound or not positional:
        return None
    name = positional[0]
    return None if any(rebinding[0] == name for rebinding in rebindings) else name


class ReceiverValues:
    """The exact class of a call's receiver, and the values of the paths a method reads off it,
    remembered with the modules read to find them (each use records them again, as
    ``loop_values.LoopValues`` does)."""

    def __init__(
        self,
        graph: GraphLike,
        read_apart: Callable[[Callable[[], Computed]], tuple[Computed, frozenset[str]]],
        depend: Callable[[frozenset[str]], None],
    ) -> None:
        self.graph = graph
        self.read_apart = read_apart
        self.depend = depend
        self._values: dict[tuple[Receiver, str], tuple[object, frozenset[str]]] = {}

    def class_of_call(
        self, key: str | None, callee: str, literals: tuple[Literal, ...], caller_class: object
    ) -> str | None:
        """The exact class of the receiver of a call of ``key`` that runs ``callee`` (see the
        module's docstring), from the call's mark and the class of the caller's own receiver."""
        mark = receiver_mark(literals)
        if key is None:
            return None
        if mark is None:  # ``Cls(...)`` runs ``Cls.__init__`` on an instance of exactly ``Cls`` (init_flow.py)
            return key if self.constructs(key, callee) else None
        if mark == SELF:
            found = caller_class if isinstance(caller_class, str) else None
        elif isinstance(mark, tuple) and len(mark) == 2 and mark[0] == BUILT:
            found = str(mark[1])
            if self.graph.class_order(found) is None or self.graph.function_for(f"{found}.__new__"):
                return None
        else:
            return None
        if found is None or self.graph.function_for(f"{found}.{key.rpartition('.')[2]}") != callee:
            return None
        return found if not self.graph.decorators_of(callee) else None

    def constructs(self, key: str, callee: str) -> bool:
        """Whether a call of ``key`` is a construction of a project class (without a project
        ``__new__``, which could return anything) whose ``__init__`` is ``callee``."""
        if not callee.endswith(".__init__") or self.graph.class_order(key) is None:
            return False
        if self.graph.function_for(f"{key}.__new__") or self.graph.function_for(f"{key}.__init__") != callee:
            return False
        return not self.graph.decorators_of(callee)

    def built(self, cls: str, construction: tuple[Literal, ...]) -> Receiver:
        """An instance of exactly ``cls`` built with ``construction`` (``construction_of``): with
        the attributes its ``__init__`` stores from a parameter whose value is known, when nothing
        else can set them — no method or property of that name, no other class of the order
        assigning it, no ``__setattr__``/``__getattribute__`` of the project, no library class in
        the order but memberless ones."""
        init = self.graph.function_for(f"{cls}.__init__")
        order = self.graph.class_order(cls)
        if init is None or order is None or not construction:
            return (cls, ())
        parameters = self.graph.parameters_of(init)
        stores = stores_of(parameters)
        if not stores or any(self.graph.function_for(f"{cls}.{hook}") for hook in ATTRIBUTE_HOOKS):
            return (cls, ())
        values = self.graph.argument_values(parameters, construction)
        defining = init.rpartition(".")[0]
        others = [each for each in (cls, *order) if each != defining and each not in MEMBERLESS_BASES]
        found: list[tuple[str, object]] = []
        for attribute, parameter in stores:
            value = values.get(parameter, UNKNOWN_RESULT)
            if not is_plain_literal(value):
                continue
            if self.graph.function_for(f"{cls}.{attribute}") is not None:
                continue
            if any(self.may_assign(each, attribute) for each in others):
                continue
            found.append((attribute, value))
        return (cls, tuple(sorted(found)))

    def may_assign(self, cls: str, attribute: str) -> bool:
        """Whether a class may set ``attribute``: its body or methods assign it, or it is a
        library class."""
        names = self.graph.attribute_names(cls)
        return names is None or attribute in names

    def paths(self, built: Receiver, qualname: str, names: Collection[str]) -> dict[str, object]:
        """The known values of the paths off ``qualname``'s receiver among ``names``."""
        return self.values_of(built, self.graph.parameters_of(qualname), names, ())[0]

    def values_of(
        self, built: Receiver, parameters: Parameters, names: Collection[str], stack: tuple[str, ...]
    ) -> tuple[dict[str, object], bool]:
        own = receiver(parameters)
        found: dict[str, object] = {}
        cut = False
        for name in sorted(names):
            base, dot, path = name.partition(".")
            if own is not None and base == own and dot:
                value, tainted = self.value(built, path, stack)
                cut = cut or tainted
                if value is not UNKNOWN_RESULT:
                    found[name] = value
        return found, cut

    def value(self, built: Receiver, path: str, stack: tuple[str, ...]) -> Computed:
        """What ``self.<path>`` (``provider``, ``_kind`` or ``filters()``) gives on an instance of
        exactly ``built``'s class (``UNKNOWN_RESULT`` when not known), and whether a cycle or the
        depth bound cut it short (then it is not remembered: the answer must not depend on what
        is asked first)."""
        stored = dict(built[1])
        if path in stored:
            return stored[path], False
        remembered = self._values.get((built, path))
        if remembered is not None:
            self.depend(remembered[1])
            return remembered[0], False
        if path in stack or len(stack) >= MAX_DEPTH:
            return UNKNOWN_RESULT, True
        (value, cut), used = self.read_apart(lambda: self.compute(built, path, (*stack, path)))
        self.depend(used)
        if not cut:
            self._values[(built, path)] = (value, used)
        return value, cut

    def compute(self, built: Receiver, path: str, stack: tuple[str, ...]) -> Computed:
        function = self.member_function(built[0], path)
        if function is None:
            return UNKNOWN_RESULT, False
        parameters = self.graph.parameters_of(function)
        returns = recorded_returns(parameters)
        if not returns:
            return UNKNOWN_RESULT, False
        guards = [guard for value, conditions, _line in returns for guard in (value, *(g for g, _ in conditions))]
        read = {name for guard in guards for name in names_in(guard)}
        paths, cut = self.values_of(built, parameters, read, stack)
        return value_on_the_loop(parameters, returns, paths), cut

    def member_function(self, cls: str, path: str) -> str | None:
        """The property getter (``provider``) or the method (``filters()``) ``cls`` runs for a path."""
        called = path.endswith("()")
        name = path[:-2] if called else path
        if "." in name or "(" in name:
            return None
        function = self.graph.function_for(f"{cls}.{name}")
        if function is None:
            return None
        if called:
            plain = function not in self.graph.properties and not self.graph.decorators_of(function)
            return function if plain and not self.shadowed(cls, name) else None
        if function in self.graph.properties and self.graph.decorators_of(function) == {"builtins.property"}:
            return function
        return None

    def shadowed(self, cls: str, name: str) -> bool:
        """Whether a class of ``cls``'s order assigns an attribute ``name`` (an instance attribute
        hides a method), or the order has a library class that may."""
        order = self.graph.class_order(cls)
        if order is None:
            return True
        for each in (cls, *order):
            if each in MEMBERLESS_BASES:
                continue
            attributes = self.graph.attribute_names(each)
            if attributes is None or name in attributes:
                return True
        return False
