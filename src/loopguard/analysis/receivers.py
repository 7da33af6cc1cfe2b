"""What ``self.X`` holds in a method whose receiver's class is known exactly.

A guard reads ``self.provider`` and ``self.filters()`` as the paths ``("name", "self.provider")``
and ``("name", "self.filters()")`` (guards.py); nothing gives them a value unless the class of
the object the method runs on is known *exactly* — a subclass could override a property or a
method. Two calls make it known:

* ``config = BaselineConfig()`` then ``config.supports_safeguards()``: the receiver is a local of
  the caller bound once, to a call of a name bound to a project class (no loop around the method
  call, so no later binding can have run first). The index marks the method call with
  ``(RECEIVER, (BUILT, class))``; the call graph takes the class only when that name is bound once
  in its module, the class defines no ``__new__`` (which could return anything) and the method the
  class resolves for the call's name is the callee.
* ``self.drops_safeguards()`` in a method whose own receiver's class is known: the index marks
  calls on the method's first parameter ``(RECEIVER, SELF)``; the class passes on when that
  parameter is never bound again and the class resolves the name to the callee (else the callee
  is an override this class does not run, and nothing is passed).

Given the class ``C``, a path is read from ``C``'s members (``ReceiverValues``):

* ``self.X`` where ``C`` resolves ``X`` to a ``@property`` (``builtins.property``, nothing else)
  whose getter gives one value: every ``return`` that can run gives it, read with ``C``'s paths
  in turn (``return self.custom_llm_provider or "anthropic"``);
* ``self.m()`` where ``C`` resolves ``m`` to an undecorated method, never shadowed by an attribute
  of that name in a class of ``C``'s order (an instance attribute would hide a method), whose
  returns give one value the same way.

Those functions' returns are recorded by the index only for methods of that plain shape (no
``yield``, a body that always ends in ``return`` or ``raise``) whose every return value is
understood (``SELF_RETURNS``). A chain deeper than ``MAX_DEPTH`` or a cycle is unknown. Not seen:
an attribute assigned on the object from outside its class (``config.x = ...``), a metaclass
whose ``__call__`` builds another class.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Protocol

from loopguard.analysis.argument_types import bound_to, without_type_tests
from loopguard.analysis.expressions import Expr
from loopguard.analysis.guards import UNKNOWN, names_in, parts_of
from loopguard.analysis.known import RETURNS, Return
from loopguard.analysis.loop_values import UNKNOWN_RESULT, plain_shape, value_on_the_loop, yields
from loopguard.models import Literal, Parameters

#: The key, among a method call's literal arguments, of how its receiver was made
RECEIVER = "<receiver>"
#: ``(BUILT, class)``: the receiver is a local bound once to ``Class(...)``
BUILT = "<new>"
#: the receiver is the calling method's own ``self``
SELF = ("<self>",)
#: The argument name, in a node of the call graph, of its receiver's exact class
CLASS = "<class>"
#: The entry of a method's literal locals (``Parameters`` defaults) that holds its returns
SELF_RETURNS = "<self returns>"
#: The deepest chain of properties and methods whose values decide one another's
MAX_DEPTH = 8
#: A path's value (or ``UNKNOWN_RESULT``), and whether a cycle or the depth bound made it so.
Computed = tuple[object, bool]
#: Library bases that define no members of their own an instance could use instead
MEMBERLESS_BASES = frozenset({"abc.ABC", "typing.Generic", "typing_extensions.Generic", "builtins.object"})


# -- the index ----------------------------------------------------------------------------------
class BuiltLocals:
    """The locals bound to a call of a class-like name, while the index walks a module, and the
    method calls it marked on them (checked once the module's bindings are all known)."""

    def __init__(self) -> None:
        self.built: dict[tuple[int, str], tuple[str, str]] = {}  # (scope, local) -> (class, name)
        self.marked: list[tuple[int, str]] = []  # (call number, the class's name in the module)

    def note(self, target: ast.expr, value: ast.expr | None, scope: int, bindings_of: Callable[[str], Sequence[object]]) -> None:
        """``name = Cls(...)`` (one plain name; ``Cls`` a name bound once, to an import or a def)."""
        if not (isinstance(target, ast.Name) and isinstance(value, ast.Call) and isinstance(value.func, ast.Name)):
            return
        found = bound_to(value.func, bindings_of)
        if found is not None and found[2]:
            self.built[(scope, target.id)] = (found[0], found[1])

    def marked_call(
        self, node: ast.Call, literals: tuple[Literal, ...], scope: int, bindings: Mapping[str, Sequence[object]],
        in_loop: bool, sync: bool, number: int,
    ) -> tuple[Literal, ...]:
        """A method call's arguments, with the mark of its receiver when it is known exactly."""
        function = node.func
        if not (isinstance(function, ast.Attribute) and isinstance(function.value, ast.Name)):
            return literals
        name = function.value.id
        bound = bindings.get(name, ())
        if len(bound) != 1:
            return literals
        if sync and isinstance(bound[0], tuple) and bound[0][:1] == ("self",):
            return (*literals, (RECEIVER, SELF))
        built = self.built.get((scope, name))
        if built is None or in_loop:
            return literals
        self.marked.append((number, built[1]))
        return (*literals, (RECEIVER, (BUILT, built[0])))

    def rebound(self, module_bindings: Mapping[str, Sequence[object]]) -> set[int]:
        """The marked calls whose class name the module binds more than once (a later binding
        may be the one the call sees)."""
        return {number for number, name in self.marked if len(module_bindings.get(name, ())) > 1}


def without_mark(literals: tuple[Literal, ...]) -> tuple[Literal, ...]:
    return tuple((key, value) for key, value in literals if key != RECEIVER)


def method_returns(
    node: ast.FunctionDef | ast.AsyncFunctionDef, decorators: tuple[Expr, ...], returns: list[Return]
) -> tuple[Return, ...]:
    """The returns worth keeping for a method (see the module's docstring): none unless each
    gives a value the guard reader understands."""
    if not returns or not all(decorator[-1] == "property" for decorator in decorators):
        return ()
    if any(part == UNKNOWN for value, _conditions, _line in returns for part in parts_of(value)):
        return ()
    if not plain_shape(node, ()) or yields(node):
        return ()
    return tuple((value, without_type_tests(conditions), line) for value, conditions, line in returns)


def with_method_returns(parameters: Parameters, returns: tuple[Return, ...]) -> Parameters:
    if not returns:
        return parameters
    positional, keyword_only, defaults, bound, rebindings = parameters
    return (positional, keyword_only, (*defaults, (SELF_RETURNS, returns)), bound, rebindings)


def recorded_returns(parameters: Parameters) -> tuple[Return, ...]:
    """A method's returns, as ``with_method_returns`` (or loop_values, for one that tests the
    loop) kept them."""
    for name, value in parameters[2]:
        if name in (SELF_RETURNS, RETURNS) and isinstance(value, tuple):
            return value
    return ()


# -- the call graph -----------------------------------------------------------------------------
class GraphLike(Protocol):
    """What is read of the call graph (transitive.py imports this module)."""

    properties: frozenset[str]

    def function_for(self, key: str | None) -> str | None: ...

    def parameters_of(self, qualname: str) -> Parameters: ...

    def decorators_of(self, qualname: str) -> set[str | None]: ...

    def class_order(self, qualname: str) -> tuple[str, ...] | None: ...

    def attribute_names(self, qualname: str) -> Collection[str] | None: ...



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
        self._values: dict[tuple[str, str], tuple[object, frozenset[str]]] = {}

    def class_of_call(self, key: str | None, callee: str, literals: tuple[Literal, ...], caller_class: object) -> str | None:
        """The exact class of the receiver of a call of ``key`` that runs ``callee`` (see the
        module's docstring), from the call's mark and the class of the caller's own receiver."""
        mark = next((value for name, value in literals if name == RECEIVER), None)
        if mark is None or key is None:
            return None
        if mark == SELF:
            found = caller_class if isinstance(caller_class, str) else None
        elif isinstance(mark, tuple) and len(mark) == 2 and mark[0] == BUILT:
            found = str(mark[1])
            if self.graph.class_order(found) is None or self.graph.function_for(f"{found}.__new__") is not None:
                return None
        else:
            return None
        if found is None or self.graph.function_for(f"{found}.{key.rpartition('.')[2]}") != callee:
            return None
        return found if not self.graph.decorators_of(callee) else None

    def paths(self, cls: str, qualname: str, names: Collection[str]) -> dict[str, object]:
        """The known values of the paths off ``qualname``'s receiver among ``names``."""
        return self.values_of(cls, self.graph.parameters_of(qualname), names, ())[0]

    def values_of(
        self, cls: str, parameters: Parameters, names: Collection[str], stack: tuple[str, ...]
    ) -> tuple[dict[str, object], bool]:
        own = receiver(parameters)
        found: dict[str, object] = {}
        cut = False
        for name in sorted(names):
            base, dot, path = name.partition(".")
            if own is not None and base == own and dot:
                value, tainted = self.value(cls, path, stack)
                cut = cut or tainted
                if value is not UNKNOWN_RESULT:
                    found[name] = value
        return found, cut

    def value(self, cls: str, path: str, stack: tuple[str, ...]) -> Computed:
        """What ``self.<path>`` (``provider`` or ``filters()``) gives on an instance of exactly
        ``cls`` (``UNKNOWN_RESULT`` when not known), and whether a cycle or the depth bound cut
        it short (then it is not remembered: the answer must not depend on what is asked first)."""
        remembered = self._values.get((cls, path))
        if remembered is not None:
            self.depend(remembered[1])
            return remembered[0], False
        if path in stack or len(stack) >= MAX_DEPTH:
            return UNKNOWN_RESULT, True
        (value, cut), used = self.read_apart(lambda: self.compute(cls, path, (*stack, path)))
        self.depend(used)
        if not cut:
            self._values[(cls, path)] = (value, used)
        return value, cut

    def compute(self, cls: str, path: str, stack: tuple[str, ...]) -> Computed:
        function = self.member_function(cls, path)
        if function is None:
            return UNKNOWN_RESULT, False
        parameters = self.graph.parameters_of(function)
        returns = recorded_returns(parameters)
        if not returns:
            return UNKNOWN_RESULT, False
        read = {name for value, conditions, _line in returns for guard in (value, *(g for g, _ in conditions)) for name in names_in(guard)}
        paths, cut = self.values_of(cls, parameters, read, stack)
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
        is_property = function in self.graph.properties and self.graph.decorators_of(function) == {"builtins.property"}
        return function if is_property else None

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


def marks_self(literals: tuple[Literal, ...]) -> bool:
    """Whether a call is made on the calling method's own receiver."""
    return any(name == RECEIVER and value == SELF for name, value in literals)


def class_given(literals: tuple[Literal, ...]) -> str | None:
    """The exact class of the receiver a call graph node's arguments name (``CLASS``)."""
    return next((str(value) for name, value in literals if name == CLASS), None)
