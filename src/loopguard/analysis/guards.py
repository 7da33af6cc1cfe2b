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

* ``("name", id)`` / ``("const", value)`` — a name, a literal (str, int, bool, None), or a display
  of string literals (``["AWS_REGION", "AWS_REGION_NAME"]``, a tuple or a set) as the tuple of them,
  which only ``in`` / ``not in`` look into;
* ``("not", g)``, ``("and", g, ...)``, ``("or", g, ...)``;
* ``("cmp", op, left, right)`` — one comparison: ``is``, ``is not``, ``==``, ``!=``, ``in``, ``not in``;
* ``("method", base, name, argument)`` — ``base.startswith(lit)`` / ``endswith``, and ``loop.is_running()`` / ``loop.is_closed()`` (argument ``("const", None)``);
* ``("if", test, body, orelse)`` — a conditional expression;
* ``("len", g)`` — ``len(x)`` with ``len`` the builtin (checked as ``isinstance`` is), of a
  string or of ``("method", base, "split", separator)``, ``x.split(sep)``'s parts; ``<``, ``<=``,
  ``>``, ``>=`` compare two ints or two strings;
* ``("isinstance", subject, classes)`` — ``isinstance(subject, C)`` with every class one whose
  instances can be judged, by qualified name (``argument_types.py``: a ``dict`` argument is never
  a ``str``);
* ``("loop",)`` — ``asyncio.get_event_loop()`` or ``asyncio.get_running_loop()``: in the call graph
  every helper runs on the event loop's thread while it runs, so these give the running loop
  (``LOOP``, also the value of a local bound to one), which is running, not closed and not None;
* ``("enum", qualname)`` — ``Class.MEMBER.value`` of an enum class (``enums.py``), ``qualname``
  naming the member where the class is bound (``"app.kinds.Kind.GOOGLE"``): its literal, which the
  call graph finds through the project and binds to ``qualname``;
* ``("fact", text, deps, entry)`` — a call of a named function with pure arguments
  (``Registry.exists(model.split("/")[0])``, ``facts.py``): true or false where a caller's guard
  established it for this call, else unknown;
* ``("result", key)`` — what a call without arguments of a project helper gives (``key``: where
  the call is, ``call_key``): known when every ``return`` of the helper that can run on the loop
  gives one value there (``is_event_loop_running()`` is True: ``loop_values.py``), which the call
  graph binds to ``key``;
* ``("unknown",)`` — anything else.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, cast

from loopguard.analysis.argument_types import Instance, is_instance, isinstance_test

Constant: TypeAlias = str | int | bool | None | tuple[str, ...]
Unknown: TypeAlias = tuple[Literal["unknown"]]
Loop: TypeAlias = tuple[Literal["loop"]]
if TYPE_CHECKING:  # the variadic ``and``/``or`` need ``Unpack`` (typing 3.11): for the checker only
    from typing_extensions import Unpack

    Guard: TypeAlias = (
        tuple[Literal["name"], str]
        | tuple[Literal["const"], Constant]
        | Loop
        | Unknown
        | tuple[Literal["not"], "Guard"]
        | tuple[Literal["and", "or"], Unpack[tuple["Guard", ...]]]
        | tuple[Literal["cmp"], str, "Guard", "Guard"]
        | tuple[Literal["method"], "Guard", str, "Guard"]
        | tuple[Literal["if"], "Guard", "Guard", "Guard"]
        | tuple[Literal["isinstance"], "Guard", tuple[str, ...]]
        | tuple[Literal["len"], "Guard"]
        | tuple[Literal["result"], str]
        | tuple[Literal["enum"], str]
        | tuple[Literal["fact"], str, tuple[tuple[str, int, int], ...], bool]
    )
else:
    Guard = tuple
UNKNOWN: Unknown = ("unknown",)
#: The running event loop: the guard of a call that gets it, and its value (plain data, so it
#: travels in summaries like a literal).
LOOP: Loop = ("loop",)
#: A guarded call: (guard, the value the guard had on the way to the call).
Condition = tuple[Guard, bool]
#: What a name can be bound to when a guard is evaluated: a literal, the running loop, or another
#: value the evaluator passes through without looking into it.
Value: TypeAlias = object

#: After an enum member's qualified name: the member compared as a whole, which equals its value
#: only in an enum whose members are instances of the value's type (enums.py).
EQUALS_VALUE = "~"
_COMPARISONS = {
    ast.Is: "is", ast.IsNot: "is not", ast.Eq: "==", ast.NotEq: "!=", ast.In: "in", ast.NotIn: "not in",
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
}
#: Orderings, for two ints (or bools) or two strings: anything else may raise or be user-defined
_ORDERINGS: dict[str, Callable[[Any, Any], bool]] = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_STRING_TESTS = frozenset({"startswith", "endswith"})
_LOOP_TESTS = frozenset({"is_running", "is_closed"})
MAX_GUARD_DEPTH = 8
#: The qualified name of the class (or ``isinstance``) an expression names, if one is judged.
ClassNamed = Callable[[ast.expr], "str | None"]
MAX_STRING = 200
MAX_DISPLAY = 32


def guard_of(
    node: ast.expr,
    gets_loop: Callable[[ast.expr], bool] | None = None,
    depth: int = 0,
    class_named: ClassNamed | None = None,
    helper_call: Callable[[ast.Call], bool] | None = None,
    member_named: Callable[[ast.Attribute], str | None] | None = None,
    fact_of: Callable[[ast.Call], Guard | None] | None = None,
) -> Guard:
    """The guard expression of an ``if`` test (``UNKNOWN`` for what cannot be evaluated);
    ``gets_loop`` says which calls get the running event loop, ``class_named`` which class (or
    ``isinstance``) a name is, ``helper_call`` which calls without arguments may be of a project
    helper whose result is known on the loop (the index knows the imports)."""
    return _GuardReader(gets_loop, class_named, helper_call, member_named, fact_of).read(node, depth)


def guard_reader(
    gets_loop: Callable[[ast.expr], bool] | None = None,
    class_named: ClassNamed | None = None,
    helper_call: Callable[[ast.Call], bool] | None = None,
    member_named: Callable[[ast.Attribute], str | None] | None = None,
    fact_of: Callable[[ast.Call], Guard | None] | None = None,
) -> Callable[[ast.expr], Guard]:
    """``guard_of`` with these arguments, made once for many tests (the index reads the test of
    every ``if`` of a module, and a frozen dataclass costs a ``__setattr__`` per field to make).
    The reader's bound ``read``, its depth 0 by default — not a ``partial`` giving ``depth=0``: a
    ``partial`` with a keyword is called through a copy of its keywords' dict, at every test."""
    return _GuardReader(gets_loop, class_named, helper_call, member_named, fact_of).read


@dataclass(frozen=True, slots=True)
class _GuardReader:
    gets_loop: Callable[[ast.expr], bool] | None
    class_named: ClassNamed | None
    helper_call: Callable[[ast.Call], bool] | None
    member_named: Callable[[ast.Attribute], str | None] | None = None
    fact_of: Callable[[ast.Call], Guard | None] | None = None

    def read(self, node: ast.expr, depth: int = 0) -> Guard:
        if depth > MAX_GUARD_DEPTH:
            return UNKNOWN
        if node.__class__ is ast.Call and self.gets_loop is not None and self.gets_loop(node):  # (only calls do)
            return LOOP
        inner = depth + 1
        # told apart by class (``ast.parse`` makes no subclass of them), not by ``isinstance``:
        # a test is read part by part, each part asked up to a dozen classes
        if node.__class__ is ast.Name:
            return ("name", node.id)
        if node.__class__ is ast.Constant:
            value = node.value
            if value is None or isinstance(value, (bool, int)) or (isinstance(value, str) and len(value) <= MAX_STRING):
                return ("const", value)
            return UNKNOWN
        if node.__class__ is ast.Compare and len(node.ops) == 1:
            op = _COMPARISONS.get(type(node.ops[0]))
            if op is not None:
                left = self.read_compared(node.left, inner, op)
                return ("cmp", op, left, self.read_compared(node.comparators[0], inner, op))
        if node.__class__ is ast.Call:
            return self.read_call(node, inner)
        if node.__class__ is ast.Attribute:
            base = node.value
            if self.member_named is not None and node.attr == "value" and base.__class__ is ast.Attribute:
                member = self.member_named(base)
                if member is not None:
                    return ("enum", member)
            if base.__class__ is ast.Name:
                return ("name", f"{base.id}.{node.attr}")  # an attribute path (receivers.py)
            return UNKNOWN
        if node.__class__ is ast.BoolOp:
            operands = tuple([self.read(value, inner) for value in node.values])
            # mypy cannot type a starred tuple display as the variadic member it builds
            return cast(Guard, ("and" if node.op.__class__ is ast.And else "or", *operands))
        if node.__class__ is ast.UnaryOp and node.op.__class__ is ast.Not:
            return ("not", self.read(node.operand, inner))
        if node.__class__ is ast.List or node.__class__ is ast.Tuple or node.__class__ is ast.Set:
            return display_of_strings(node)
        if node.__class__ is ast.IfExp:
            test = self.read(node.test, inner)
            body = self.read(node.body, inner)
            return ("if", test, body, self.read(node.orelse, inner))
        return UNKNOWN

    def read_compared(self, node: ast.expr, depth: int, op: str) -> Guard:
        """An operand of a comparison. ``Class.MEMBER`` compared with ``==`` or ``!=`` is the
        member itself, which equals its value only when the enum's members are instances of the
        value's type (``class Kind(str, Enum)``, ``StrEnum``): the guard names it with
        ``EQUALS_VALUE`` after it, and only such an enum exports that name (enums.py)."""
        if (
            node.__class__ is ast.Attribute and (op == "==" or op == "!=") and self.member_named is not None
            and node.value.__class__ is ast.Name
        ):
            member = self.member_named(node)
            if member is not None:
                return ("enum", member + EQUALS_VALUE)
        return self.read(node, depth)

    def read_call(self, node: ast.Call, inner: int) -> Guard:
        """A string test, a loop test, an ``isinstance`` test, or the result of a helper.

        Each field of the call read once and its function told apart by class, not by
        ``isinstance``; a call with arguments is asked for no helper's result, one without for no
        fact (``facts.fact_of`` finds none in it). (~110 M instructions for every 10th
        homeassistant file went to reading guards.)"""
        function = node.func
        args = node.args
        keywords = node.keywords
        if function.__class__ is ast.Name:
            if self.class_named is not None:
                called = function.id
                if called == "isinstance":  # (what ``isinstance_test`` asks first)
                    tested = isinstance_test(node, self.class_named)
                    if tested is not None:
                        return ("isinstance", self.read(tested[0], inner), tested[1])
                elif (
                    called == "len" and len(args) == 1 and not keywords
                    and self.class_named(function) == "builtins.len"
                ):
                    return ("len", self.read(args[0], inner))
        elif function.__class__ is ast.Attribute and not keywords:
            attr = function.attr
            if attr == "split" and len(args) <= 1:  # ``model.split("/")``: the parts
                separator = self.read(args[0], inner) if args else ("const", None)
                return ("method", self.read(function.value, inner), "split", separator)
            if attr in _STRING_TESTS and len(args) == 1:
                base = self.read(function.value, inner)
                return ("method", base, attr, self.read(args[0], inner))
            if attr in _LOOP_TESTS and not args:
                return ("method", self.read(function.value, inner), attr, ("const", None))
        if args or keywords:
            if self.fact_of is not None and not keywords:
                fact = self.fact_of(node)
                if fact is not None:
                    return fact
            return UNKNOWN
        if self.helper_call is not None and self.helper_call(node):
            return ("result", call_key(node))
        if function.__class__ is ast.Attribute:
            owner = function.value
            if owner.__class__ is ast.Name:
                return ("name", f"{owner.id}.{function.attr}()")  # a method's result (receivers.py)
        return UNKNOWN


def call_key(node: ast.Call) -> str:
    """Where a call is, as the index records it: the key of its result in a guard's values."""
    return f"{node.lineno}:{node.col_offset}:{node.end_lineno}:{node.end_col_offset}"


def display_of_strings(node: ast.List | ast.Tuple | ast.Set) -> Guard:
    """``[...]``, ``(...)`` or ``{...}`` of string literals: the tuple of them (else unknown)."""
    items = node.elts
    if len(items) > MAX_DISPLAY:
        return UNKNOWN
    strings = tuple(
        item.value for item in items
        if isinstance(item, ast.Constant) and isinstance(item.value, str) and len(item.value) <= MAX_STRING
    )
    return ("const", strings) if len(strings) == len(items) else UNKNOWN


#: The guards inside a guard that can make it decidable (``mentions_a_name``)
_DECIDING = frozenset({"name", "loop", "result", "fact"})


def mentions_a_name(guard: Guard) -> bool:
    """Only guards over names (or the running loop, or a helper's result) can be decided: the
    others are not kept."""
    return any(part[0] in _DECIDING for part in parts_of(guard))


def decidable_names(guard: Guard) -> frozenset[str] | None:
    """``names_in(guard)`` when ``mentions_a_name(guard)``, else None: the guard taken apart once
    for both (the index asks both of every test it reads)."""
    parts = parts_of(guard)
    for part in parts:  # (a loop, not ``any`` of a generator: asked of every test the index reads)
        if part[0] in _DECIDING:
            return frozenset(part[1] for part in parts if part[0] == "name")
    return None


def results_in(guard: Guard) -> set[str]:
    """The keys of the helper calls whose results a guard tests."""
    return {str(part[1]) for part in parts_of(guard) if part[0] == "result"}


#: The guards with no guard inside: ``rewritten`` hands them to its ``leaf``.
_LEAVES = frozenset({"const", "name", "fact", "result", "enum", "loop", "unknown"})


def rewritten(guard: Guard, leaf: Callable[[Guard], Guard]) -> Guard:
    """``guard`` with each guard inside it that has none inside (a name, a literal, a fact, ...)
    replaced by what ``leaf`` makes of it; the classes of an ``isinstance`` and the operator or
    method name of a comparison or method test are kept as they are."""
    return cast(Guard, _rewritten(guard, leaf))


def _rewritten(guard: Any, leaf: Callable[[Guard], Guard]) -> Any:
    if not isinstance(guard, tuple) or not guard:
        return guard
    kind = guard[0]
    if kind in _LEAVES:
        return leaf(guard)
    if kind == "isinstance":
        return ("isinstance", _rewritten(guard[1], leaf), guard[2])
    return (kind, *(_rewritten(part, leaf) if isinstance(part, tuple) else part for part in guard[1:]))


#: The kinds of guard with no guard inside (the commonest: ``parts_of`` answers them at once)
_WITHOUT_PARTS = frozenset({"name", "const", "loop", "unknown", "result", "enum", "fact"})


def parts_of(guard: Guard) -> list[Guard]:
    """``guard`` and every guard inside it (in preorder). Asked of every guard the index reads
    and of every guard planning evaluates: a leaf is answered without the ``match``, and the
    parts are gathered in one list, not through a generator per level."""
    if guard.__class__ is tuple and guard and guard[0] in _WITHOUT_PARTS:
        return [guard]
    match guard:
        case ("not", inner):
            inside: tuple[Guard, ...] = (inner,)
        case ("and" | "or", *operands):
            inside = tuple(operands)
        case ("cmp", _, left, right):
            inside = (left, right)
        case ("method", base, _, argument):
            inside = (base, argument)
        case ("if", test, body, orelse):
            inside = (test, body, orelse)
        case ("isinstance", subject, _classes):
            inside = (subject,)
        case ("len", subject):
            inside = (subject,)
        case _:
            return [guard]
    found: list[Guard] = [guard]
    for inner in inside:
        found += parts_of(inner)
    return found


def names_in(guard: Guard) -> set[str]:
    """The names a guard tests (``self.kind`` and ``self.filters()`` among them: paths)."""
    return {part[1] for part in parts_of(guard) if part[0] == "name"}


def base_names(guard: Guard) -> set[str]:
    """The variables a guard reads: each name, and the name each attribute path starts with."""
    return {name.partition(".")[0] for name in names_in(guard)}


_UNKNOWN_VALUE = object()


def evaluate(guard: Guard, values: Mapping[str, Value]) -> Value:
    """The value of ``guard`` with ``values`` bound (``_UNKNOWN_VALUE`` when it cannot be known)."""
    match guard:
        case ("name", str() as name):
            return values.get(name, _UNKNOWN_VALUE)
        case ("const", value):
            return value
        case ("loop",):
            return LOOP
        case ("result", str() as key) | ("enum", str() as key):
            return values.get(key, _UNKNOWN_VALUE)
        case ("fact", str() as fact, _deps, True):  # read as the parameters came in (facts.py)
            return values.get(fact, _UNKNOWN_VALUE)
        case ("if", test, body, orelse):
            decided = truth(test, values)
            return _UNKNOWN_VALUE if decided is None else evaluate(body if decided else orelse, values)
        case ("not", inner):
            value = truth(inner, values)
            return _UNKNOWN_VALUE if value is None else not value
        case ("and" | "or", *operands):
            return _boolean_operation(guard[0], tuple(operands), values)
        case ("cmp", op, left, right):
            return _compare(op, evaluate(left, values), evaluate(right, values))
        case ("isinstance", subject, classes):
            answer = is_instance(evaluate(subject, values), classes)
            return _UNKNOWN_VALUE if answer is None else answer
        case ("method", base, name, _) if name in _LOOP_TESTS:
            if evaluate(base, values) == LOOP:
                return name == "is_running"  # the loop the code runs on: running, so not closed
            return _UNKNOWN_VALUE
        case ("method", base, "split", argument):
            text, separator = evaluate(base, values), evaluate(argument, values)
            if isinstance(text, str) and (separator is None or (isinstance(separator, str) and separator)):
                return tuple(text.split(separator))
        case ("method", base, name, argument):
            text, prefix = evaluate(base, values), evaluate(argument, values)
            if isinstance(text, str) and isinstance(prefix, str):
                return text.startswith(prefix) if name == "startswith" else text.endswith(prefix)
        case ("len", measured):
            sized = evaluate(measured, values)
            if isinstance(sized, (str, tuple)):
                return len(sized)
    return _UNKNOWN_VALUE


def is_known(value: Value) -> bool:
    """Whether ``evaluate`` knew the value (a value only the type of which is known is not)."""
    return value is not _UNKNOWN_VALUE and not isinstance(value, Instance)


def truth(guard: Guard, values: Mapping[str, Value]) -> bool | None:
    """Whether ``guard`` is true (None: unknown)."""
    value = evaluate(guard, values)
    return None if value is _UNKNOWN_VALUE or isinstance(value, Instance) else bool(value)


def _boolean_operation(kind: str, operands: tuple[Guard, ...], values: Mapping[str, Value]) -> Value:
    """``and``/``or`` as Python evaluates them, stopping at the first deciding operand; an unknown
    operand before it makes the whole unknown."""
    result: Value = _UNKNOWN_VALUE
    for operand in operands:
        value = evaluate(operand, values)
        if value is _UNKNOWN_VALUE or isinstance(value, Instance):  # its truth is not known
            return _UNKNOWN_VALUE
        result = value
        if bool(value) is (kind == "or"):
            return value
    return result


def _compare(op: str, left: Value, right: Value) -> Value:
    if left is _UNKNOWN_VALUE or right is _UNKNOWN_VALUE:
        return _UNKNOWN_VALUE
    if isinstance(left, Instance) or isinstance(right, Instance):  # only its type is known: not None
        if op in ("is", "is not") and (left is None or right is None):
            return op == "is not"
        return _UNKNOWN_VALUE
    if op == "is":
        return left is None and right is None if (left is None or right is None) else _UNKNOWN_VALUE
    if op == "is not":
        return not (left is None and right is None) if (left is None or right is None) else _UNKNOWN_VALUE
    if op in _ORDERINGS:
        comparable = (isinstance(left, int) and isinstance(right, int)) or (isinstance(left, str) and isinstance(right, str))
        return _ORDERINGS[op](left, right) if comparable else _UNKNOWN_VALUE
    if isinstance(left, tuple) or (isinstance(right, tuple) and op not in ("in", "not in")):
        return _UNKNOWN_VALUE  # a list and a tuple display differ, and both are tuples here
    if isinstance(right, tuple):
        return (left in right) if op == "in" else (left not in right)
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    if isinstance(right, str) and isinstance(left, str):
        return (left in right) if op == "in" else (left not in right)
    return _UNKNOWN_VALUE


def needs_a_string_form(conditions: tuple[Condition, ...], values: Mapping[str, Value]) -> bool:
    """Whether a call runs only when a string whose value is not known starts with a literal
    (``if name.startswith("oidc/"):``, ``if data.startswith("@"):``). A prefix like that marks a
    value of a special kind (a reference to another source); a call that does not show the value
    is not taken to give one, so the branch is followed only when the value is known (then
    ``can_run`` decides it). URL schemes (``_is_pattern``), suffix (``path.endswith(".json")``)
    and substring tests are not such markers: they tell kinds of ordinary data apart, and stay
    followed."""
    for guard, expected in conditions:  # (a loop, not ``any`` of a generator: asked for every guarded call)
        if _needs_prefix(guard, expected, values):
            return True
    return False


def _needs_prefix(guard: Guard, expected: bool, values: Mapping[str, Value]) -> bool:
    match guard:
        case ("method", ("name", str() as name), "startswith", ("const", pattern)) if "." not in name:
            # a variable's form only: an attribute's test was never taken for one (receivers.py)
            return expected and _is_pattern(pattern) and not is_known(values.get(name, _UNKNOWN_VALUE))
        case ("not", inner):
            return _needs_prefix(inner, not expected, values)
        case ("and", *operands) if expected:  # every operand is true
            return any(_needs_prefix(operand, True, values) for operand in operands)
        case ("or", *operands) if not expected:  # every operand is false
            return any(_needs_prefix(operand, False, values) for operand in operands)
    return False


def _is_pattern(pattern: object) -> bool:
    """A non-empty string, or a tuple of them, that is not a URL scheme: ``url.startswith("https://")``
    (or ``"http"``, or ``("http://", "https://")``) tells a URL from a path, both ordinary data of
    a helper that fetches either, so that branch stays followed."""
    patterns = pattern if isinstance(pattern, tuple) else (pattern,)
    return bool(patterns) and all(
        isinstance(text, str) and text and not text.startswith("http") and "://" not in text
        for text in patterns
    )


def can_run(conditions: tuple[Condition, ...], values: Mapping[str, Value]) -> bool:
    """False when some guard around the call certainly has the other value."""
    for guard, expected in conditions:
        value = truth(guard, values)
        if value is not None and value is not expected:
            return False
    return True
