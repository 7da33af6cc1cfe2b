"""Branches decided by a helper's arguments: ``get_secret("TOKEN")`` never reaches the ``open`` under
``if name.startswith("oidc/"):``, and ``client(verify=False)`` never builds the SSL context under
``if verify:``.

The index records, for each call in a sync function, the conditions of the ``if`` statements and
conditional expressions around it (and of the early ``if ...: return`` before it) as small *guard*
expressions over names. When a coroutine calls such a helper with literal arguments — or leaves a
parameter to its literal default — the guards are evaluated with those values; a call whose guard is
certainly false cannot run, so it cannot be the reason the helper blocks. Anything the evaluator does
not understand is *unknown*, and an unknown guard keeps the call: pruning only ever removes calls
that provably do not run.

Guards (tuples, so they hash and travel in summaries):

* ``("name", id)`` / ``("const", value)`` — a name, a literal (str, int, bool, None);
* ``("not", g)``, ``("and", g, ...)``, ``("or", g, ...)``;
* ``("cmp", op, left, right)`` — one comparison: ``is``, ``is not``, ``==``, ``!=``, ``in``, ``not in``;
* ``("method", base, name, argument)`` — ``base.startswith(lit)`` / ``endswith``, and ``loop.is_running()`` / ``loop.is_closed()`` (argument ``("const", None)``);
* ``("if", test, body, orelse)`` — a conditional expression;
* ``("loop",)`` — ``asyncio.get_event_loop()`` or ``asyncio.get_running_loop()``: in the call graph
  every helper runs on the event loop's thread while it runs, so these give the running loop
  (``LOOP``, also the value of a local bound to one), which is running, not closed and not None;
* ``("unknown",)`` — anything else.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from typing import Any

Guard = tuple[Any, ...]
UNKNOWN: Guard = ("unknown",)
#: The running event loop: the guard of a call that gets it, and its value (plain data, so it
#: travels in summaries like a literal).
LOOP: Guard = ("loop",)
#: A guarded call: (guard, the value the guard had on the way to the call).
Condition = tuple[Guard, bool]

_COMPARISONS = {ast.Is: "is", ast.IsNot: "is not", ast.Eq: "==", ast.NotEq: "!=", ast.In: "in", ast.NotIn: "not in"}
_STRING_TESTS = frozenset({"startswith", "endswith"})
_LOOP_TESTS = frozenset({"is_running", "is_closed"})
MAX_GUARD_DEPTH = 8
MAX_STRING = 200


def guard_of(
    node: ast.expr, gets_loop: Callable[[ast.expr], bool] | None = None, depth: int = 0
) -> Guard:
    """The guard expression of an ``if`` test (``UNKNOWN`` for what cannot be evaluated);
    ``gets_loop`` says which calls get the running event loop (the index knows the imports)."""
    if depth > MAX_GUARD_DEPTH:
        return UNKNOWN
    if gets_loop is not None and gets_loop(node):
        return LOOP
    inner = depth + 1
    if isinstance(node, ast.Name):
        return ("name", node.id)
    if isinstance(node, ast.Constant):
        value = node.value
        if value is None or isinstance(value, (bool, int)) or (isinstance(value, str) and len(value) <= MAX_STRING):
            return ("const", value)
        return UNKNOWN
    if isinstance(node, ast.IfExp):
        parts = (node.test, node.body, node.orelse)
        return ("if", *(guard_of(part, gets_loop, inner) for part in parts))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return ("not", guard_of(node.operand, gets_loop, inner))
    if isinstance(node, ast.BoolOp):
        kind = "and" if isinstance(node.op, ast.And) else "or"
        return (kind, *(guard_of(value, gets_loop, inner) for value in node.values))
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        op = _COMPARISONS.get(type(node.ops[0]))
        if op is not None:
            left, right = (guard_of(side, gets_loop, inner) for side in (node.left, node.comparators[0]))
            return ("cmp", op, left, right)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _STRING_TESTS
        and len(node.args) == 1
        and not node.keywords
    ):
        base = guard_of(node.func.value, gets_loop, inner)
        return ("method", base, node.func.attr, guard_of(node.args[0], gets_loop, inner))
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _LOOP_TESTS
        and not node.args
        and not node.keywords
    ):
        base = guard_of(node.func.value, gets_loop, inner)
        return ("method", base, node.func.attr, ("const", None))
    return UNKNOWN


def mentions_a_name(guard: Guard) -> bool:
    """Only guards over names (or the running loop) can be decided: the others are not kept."""
    if guard[0] in ("name", "loop"):
        return True
    return any(isinstance(part, tuple) and mentions_a_name(part) for part in guard[1:])


def names_in(guard: Guard) -> set[str]:
    """The names a guard tests."""
    if guard[0] == "name":
        return {guard[1]}
    found: set[str] = set()
    for part in guard[1:]:
        if isinstance(part, tuple):
            found |= names_in(part)
    return found


_UNKNOWN_VALUE = object()


def evaluate(guard: Guard, values: Mapping[str, Any]) -> Any:
    """The value of ``guard`` with ``values`` bound (``_UNKNOWN_VALUE`` when it cannot be known)."""
    kind = guard[0]
    if kind == "name":
        return values.get(guard[1], _UNKNOWN_VALUE)
    if kind == "const":
        return guard[1]
    if kind == "loop":
        return LOOP
    if kind == "if":
        test = truth(guard[1], values)
        return _UNKNOWN_VALUE if test is None else evaluate(guard[2] if test else guard[3], values)
    if kind == "not":
        value = truth(guard[1], values)
        return _UNKNOWN_VALUE if value is None else not value
    if kind in ("and", "or"):
        return _boolean_operation(kind, guard[1:], values)
    if kind == "cmp":
        return _compare(guard[1], evaluate(guard[2], values), evaluate(guard[3], values))
    if kind == "method" and guard[2] in _LOOP_TESTS:
        if evaluate(guard[1], values) == LOOP:
            return guard[2] == "is_running"  # the loop the code runs on: running, so not closed
        return _UNKNOWN_VALUE
    if kind == "method":
        base, argument = evaluate(guard[1], values), evaluate(guard[3], values)
        if isinstance(base, str) and isinstance(argument, str):
            return base.startswith(argument) if guard[2] == "startswith" else base.endswith(argument)
    return _UNKNOWN_VALUE


def truth(guard: Guard, values: Mapping[str, Any]) -> bool | None:
    """Whether ``guard`` is true (None: unknown)."""
    value = evaluate(guard, values)
    return None if value is _UNKNOWN_VALUE else bool(value)


def _boolean_operation(kind: str, operands: tuple[Guard, ...], values: Mapping[str, Any]) -> Any:
    """``and``/``or`` as Python evaluates them, stopping at the first deciding operand; an unknown
    operand before it makes the whole unknown."""
    result: Any = _UNKNOWN_VALUE
    for operand in operands:
        value = evaluate(operand, values)
        if value is _UNKNOWN_VALUE:
            return _UNKNOWN_VALUE
        result = value
        if bool(value) is (kind == "or"):
            return value
    return result


def _compare(op: str, left: Any, right: Any) -> Any:
    if left is _UNKNOWN_VALUE or right is _UNKNOWN_VALUE:
        return _UNKNOWN_VALUE
    if op == "is":
        return left is None and right is None if (left is None or right is None) else _UNKNOWN_VALUE
    if op == "is not":
        return not (left is None and right is None) if (left is None or right is None) else _UNKNOWN_VALUE
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    if isinstance(right, str) and isinstance(left, str):
        return (left in right) if op == "in" else (left not in right)
    return _UNKNOWN_VALUE


def can_run(conditions: tuple[Condition, ...], values: Mapping[str, Any]) -> bool:
    """False when some guard around the call certainly has the other value."""
    for guard, expected in conditions:
        value = truth(guard, values)
        if value is not None and value is not expected:
            return False
    return True
