"""What ``self.X`` holds in a method whose receiver's class is known exactly.

A guard reads ``self.provider`` and ``self.filters()`` as the paths ``("name", "self.provider")``
and ``("name", "self.filters()")`` (guards.py); nothing gives them a value unless the class of
the object the method runs on is known *exactly* — a subclass could override a property or a
method. Two calls make it known:

* ``config = BaselineConfig()`` then ``config.supports_safeguards()``: the receiver is a local of
  the caller bound once, to a call of a name (no loop around the method call, so no later binding
  can have run first). The index marks the method call with ``(RECEIVER, (BUILT, class))`` once
  the module is walked — when the scope the name is read from binds it exactly once, to a
  definition or an import (``BuiltLocals.classes_named``) — with the arguments of the
  construction as the method call sees them (``construction_arguments``). The call graph takes
  the class when it is a project class without a project ``__new__`` (which could return
  anything) and the method it resolves for the call's name is the callee.
* ``self.drops_safeguards()`` in a method whose own receiver's class is known: the index marks
  calls on the method's first parameter ``(RECEIVER, SELF)``; the class (and construction) pass
  on when that parameter is never bound again and the class resolves the name to the callee
  (else the callee is an override this class does not run, and nothing is passed).

Given the class ``C``, a path is read from ``C``'s members (``receiver_values.ReceiverValues``):

* ``self.X`` where ``C`` resolves ``X`` to a ``@property`` (``builtins.property``, nothing else)
  whose getter gives one value: every ``return`` that can run gives it, read with ``C``'s paths
  in turn (``return self.custom_llm_provider or "anthropic"``);
* ``self.m()`` where ``C`` resolves ``m`` to an undecorated method, never shadowed by an attribute
  of that name in a class of ``C``'s order (an instance attribute would hide a method), whose
  returns give one value the same way;
* ``self.x`` that the ``__init__`` the construction runs stores from a parameter
  (``self.x = kind`` in its own block, before any ``return``; ``STORES``), with the value the
  construction gave that parameter, when nothing else may set it (``ReceiverValues.built``).

This module is the index's half (the marks, the returns and stores it keeps); the call graph's
is receiver_values.py.

Those functions' returns are recorded by the index only for methods of that plain shape (no
``yield``, a body that always ends in ``return`` or ``raise``) whose every return value is
understood (``SELF_RETURNS``). A chain deeper than ``MAX_DEPTH`` or a cycle is unknown. Not seen:
an attribute assigned on the object from outside its class (``config.x = ...``, ``setattr``), a
metaclass whose ``__call__`` builds another class.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from loopguard.analysis.argument_types import ScopeLike, without_type_tests
from loopguard.analysis.constants import ArgumentValue
from loopguard.analysis.equalities import Equalities
from loopguard.analysis.expressions import Expr
from loopguard.analysis.guards import UNKNOWN, parts_of
from loopguard.analysis.known import RETURNS, Return
from loopguard.analysis.literals import literal_value
from loopguard.analysis.loop_values import plain_shape
from loopguard.analysis.self_sets import block_stores
from loopguard.models import NOT_LITERAL, PASSED, Literal, Parameters

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
#: The entry of an ``__init__``'s literal locals that holds the parameters it stores:
#: ``((attribute, parameter), ...)`` for ``self.attribute = parameter``
STORES = "<stores>"
#: A name's bindings where it is read, as the index has them
BindingsOf = Callable[[str], Sequence[object]]


# -- the index ----------------------------------------------------------------------------------
class BuiltLocals:
    """The locals bound to a call of a class-like name, while the index walks a module, and the
    method calls it marked on them (checked once the module's bindings are all known)."""

    def __init__(self) -> None:
        # (scope, local) -> (the class's name, its arguments, how often each name they pass was bound)
        self.built: dict[tuple[int, str], tuple[str, tuple[Literal, ...], dict[str, int]]] = {}
        # (call number, its scope, the local called on, the class's name)
        self.marked: list[tuple[int, int, str, str]] = []
        self.stores: dict[str, tuple[int, list[tuple[str, str]]]] = {}  # class -> its __init__'s

    def note(self, target: ast.expr, value: ast.expr | None, scope: int, bindings_of: BindingsOf) -> None:
        """``name = Cls(...)`` (one plain name called; what it is bound to is read once the module
        is walked: the class may be defined further down, ``classes_named``)."""
        if not (isinstance(target, ast.Name) and isinstance(value, ast.Call)):
            return
        if not isinstance(value.func, ast.Name):
            return
        built = built_with(value)
        passed = {str(given[1]) for _key, given in built if isinstance(given, tuple) and given[:1] == (PASSED,)}
        counts = {name: len(bindings_of(name)) for name in passed}
        self.built[(scope, target.id)] = (value.func.id, built, counts)

    def marked_call(
        self, name: str, literals: tuple[Literal, ...], scope: int, bindings_of: BindingsOf,
        in_loop: bool, sync: bool, number: int, pinned: Equalities | None,
    ) -> tuple[Literal, ...]:
        """A method call's arguments, with the mark of its receiver when it is known exactly (and
        for a local built here, the arguments it was built with, as this call sees them:
        ``construction_arguments``). ``name``: the receiver of the call ``name.method(...)``, as
        ``visit_Call`` has read it (the only calls it hands on: not read off the node again, a
        generic attribute lookup for each of its fields)."""
        bound = bindings_of(name)
        if len(bound) != 1:
            return literals
        if sync and isinstance(bound[0], tuple) and bound[0][:1] == ("self",):
            return (*literals, (RECEIVER, SELF))
        built = self.built.get((scope, name))
        if built is None or in_loop:
            return literals
        self.marked.append((number, scope, name, built[0]))
        given = construction_arguments(built[1], built[2], bindings_of, pinned)
        return (*literals, *given, (RECEIVER, (BUILT, "")))

    def note_stores(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: int, owner: str, parameters: Parameters,
        rebindings: Sequence[tuple[Any, ...]], block: Sequence[ast.stmt],
    ) -> None:
        """The ``self.attribute = parameter`` statements of an ``__init__`` that always run (its
        own block, before any ``return``: ``block``), of parameters it never binds again."""
        positional, keyword_only, _defaults, bound, _rebindings = parameters
        if node.name != "__init__" or not bound or not positional:
            return
        own, rebound = positional[0], {rebinding[0] for rebinding in rebindings}
        names = set(positional[1:]) | set(keyword_only)
        stores = [(attribute, name) for _statement, attribute, name in block_stores(block, own, names)]
        if stores and own not in rebound:
            kept = [(attribute, name) for attribute, name in stores if name not in rebound]
            self.stores[owner] = (scope, kept)

    def with_stores(
        self, owner: str, attributes: Mapping[str, Sequence[object]], parameters: dict[int, Parameters]
    ) -> None:
        """Once the class ``owner`` is walked: its ``__init__``'s stores of the attributes that
        nothing else in the class assigns (``attributes``: the class's, each with its bindings)."""
        if owner not in self.stores:
            return
        scope, found = self.stores.pop(owner)
        stores = tuple((a, name) for a, name in found if len(attributes.get(a, ())) == 1)
        if stores and scope in parameters:
            positional, keyword_only, defaults, bound, rebindings = parameters[scope]
            defaults = (*defaults, (STORES, stores))
            parameters[scope] = (positional, keyword_only, defaults, bound, rebindings)

    def classes_named(self, scopes: Sequence[ScopeLike]) -> dict[int, str | None]:
        """For each call marked on a local built here: the class its constructor's name is, when
        the scope it is read from (the nearest from the call's out, class bodies aside) binds it
        exactly once, to a definition or an import; else None — also when the local is not the
        function's own for good: bound in its scope more than once, or not there (``global``), or
        bound by a scope nested in it (which may say ``nonlocal``)."""
        found: dict[int, str | None] = {}
        if not self.marked:
            return found
        nested = nested_bindings(scopes, {(scope, local) for _number, scope, local, _name in self.marked})
        for number, scope, local, name in self.marked:
            if len(scopes[scope].bindings.get(local, ())) != 1 or (scope, local) in nested:
                found[number] = None
                continue
            current: int | None = scope
            bindings: Sequence[object] = ()
            while current is not None:
                owner = scopes[current]
                if name in owner.bindings and (current == scope or owner.kind != "class"):
                    bindings = owner.bindings[name]
                    break
                current = owner.parent
            match bindings:
                case [("ref", str() as qualname)]:
                    found[number] = qualname
                case _:
                    found[number] = None
        return found


def nested_bindings(scopes: Sequence[ScopeLike], wanted: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """Which of the ``wanted`` (scope, name) pairs a scope nested in that scope also binds."""
    names_of: dict[int, set[str]] = {}
    for number, name in wanted:
        names_of.setdefault(number, set()).add(name)
    found: set[tuple[int, str]] = set()
    for inner in scopes:
        outer = inner.parent
        while outer is not None:
            for name in names_of.get(outer, ()):
                if name in inner.bindings:
                    found.add((outer, name))
            outer = scopes[outer].parent
    return found


def built_with(call: ast.Call) -> tuple[Literal, ...]:
    """The arguments ``call`` builds with, keyed ``BUILT`` + position or keyword: a literal, a
    name as ``(PASSED, name)``, anything else not a literal (kept as data, not as the tree: the
    index is garbage with its tree once the module is walked)."""

    def value_of(argument: ast.expr) -> ArgumentValue:
        keep, value = literal_value(argument)
        if keep:
            return value
        return (PASSED, argument.id) if isinstance(argument, ast.Name) else NOT_LITERAL

    found: list[Literal] = []
    for position, argument in enumerate(call.args):
        if isinstance(argument, ast.Starred):
            return (*found, (f"{BUILT}*", NOT_LITERAL))
        found.append((f"{BUILT}{position}", value_of(argument)))
    for keyword in call.keywords:
        if keyword.arg is None:
            found.append((f"{BUILT}*", NOT_LITERAL))  # ``**options``
        else:
            found.append((f"{BUILT}{keyword.arg}", value_of(keyword.value)))
    return tuple(found)


def construction_arguments(
    built: tuple[Literal, ...], counts: Mapping[str, int], bindings_of: BindingsOf, pinned: Equalities | None
) -> list[Literal]:
    """The arguments a receiver was built with (``built_with``) as a later call sees them: a
    name not bound again since (``counts``) with the literal a test has pinned it to there
    (equalities.py), or as the name; a name bound again is not a literal."""
    found: list[Literal] = []
    for key, value in built:
        if isinstance(value, tuple) and value[:1] == (PASSED,):
            name = str(value[1])
            if counts.get(name) != len(bindings_of(name)):
                value = NOT_LITERAL
            elif pinned and (name, None) in pinned:
                value = pinned[(name, None)]
        found.append((key, value))
    return found


def construction_of(literals: Iterable[Literal]) -> tuple[Literal, ...]:
    """The arguments a receiver was built with (``construction_arguments``), as a call's
    arguments: by position or keyword again."""
    found: list[Literal] = []
    for key, value in literals:
        if isinstance(key, str) and key.startswith(BUILT):
            name = key[len(BUILT):]
            found.append((int(name) if name.isdigit() else name, value))
    return tuple(found)


def with_class(literals: tuple[Literal, ...], qualname: str | None) -> tuple[Literal, ...]:
    """A marked call's arguments with the class its receiver was built from, or without the mark
    and the construction when that is not known."""
    if qualname is not None:
        return tuple((key, (BUILT, qualname) if key == RECEIVER else value) for key, value in literals)
    return tuple(
        (key, value) for key, value in literals
        if key != RECEIVER and not (isinstance(key, str) and key.startswith(BUILT))
    )


def method_returns(
    node: ast.FunctionDef | ast.AsyncFunctionDef, decorators: tuple[Expr, ...], returns: list[Return],
    generator: Callable[[], bool],
) -> tuple[Return, ...]:
    """The returns worth keeping for a method (see the module's docstring): none unless each
    gives a value the guard reader understands (``generator``: whether a ``yield`` is anywhere
    in it, as the index's walk noted)."""
    if not returns or not all(decorator[-1] == "property" for decorator in decorators):
        return ()
    if not plain_shape(node, ()):  # (the cheaper test first)
        return ()
    if any(part == UNKNOWN for value, _conditions, _line in returns for part in parts_of(value)):
        return ()
    if generator():
        return ()
    return tuple((value, without_type_tests(conditions), line) for value, conditions, line in returns)


def with_method_returns(parameters: Parameters, returns: tuple[Return, ...]) -> Parameters:
    if not returns:
        return parameters
    positional, keyword_only, defaults, bound, rebindings = parameters
    return (positional, keyword_only, (*defaults, (SELF_RETURNS, returns)), bound, rebindings)


def stores_of(parameters: Parameters) -> tuple[tuple[str, str], ...]:
    """What an ``__init__`` stores (``BuiltLocals.with_stores``)."""
    for name, value in parameters[2]:
        if name == STORES and isinstance(value, tuple):
            return value
    return ()


def recorded_returns(parameters: Parameters) -> tuple[Return, ...]:
    """A method's returns, as ``with_method_returns`` (or loop_values, for one that tests the
    loop) kept them."""
    for name, value in parameters[2]:
        if name in (SELF_RETURNS, RETURNS) and isinstance(value, tuple):
            return value
    return ()


def receiver_mark(literals: tuple[Literal, ...]) -> object:
    """How a call's receiver was made (``SELF``, ``(BUILT, class)``), if the index marked it."""
    for name, value in literals:  # a loop, not a generator: asked 70,000 times planning homeassistant
        if name == RECEIVER:
            return value
    return None


def marks_self(literals: tuple[Literal, ...]) -> bool:
    """Whether a call is made on the calling method's own receiver."""
    return receiver_mark(literals) == SELF


def class_given(literals: tuple[Literal, ...]) -> str | None:
    """The exact class of the receiver a call graph node's arguments name (``CLASS``)."""
    for name, value in literals:  # (a loop, not ``next`` of a generator: asked for every node made)
        if name == CLASS:
            return str(value)
    return None
