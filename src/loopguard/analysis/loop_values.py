"""What a project helper called without arguments returns on the loop (N7).

``is_event_loop_running()`` — ``try: asyncio.get_running_loop() except RuntimeError: return
False`` then ``return True`` — is True wherever it runs on the loop, and every helper of the call
graph does (guards.py: ``("loop",)``). So ``links if is_event_loop_running() else probe_all(links)``
never probes there, and neither does the rest of a body after ``if is_event_loop_running():
return x``, wherever the helper is defined.

The index records, for a plain sync function (no decorator but ``staticmethod``/``classmethod``:
``functools.cache`` would keep whatever the first call gave; no ``yield``; a body that ends in a
``return`` or ``raise``) whose returns depend on the running loop — a ``return`` under a guard, or
giving a value, that tests the loop or another helper's result — each ``return``: the value it
gives as a guard, the guards around it, its line (``loop_returns``). They travel in the function's
summary with its literal locals, under a name no Python code can bind (``RETURNS``).

In a guard, ``helper()`` is ``("result", key)``. The call graph finds the call at ``key`` in the
body's calls, what it calls (a project function, by the one resolver), and that function's value
on the loop: the one value every ``return`` that can run there gives, its parameters unknown
(``value_on_the_loop``) — itself possibly from the results of the helpers it calls, to a bounded
depth. A cycle, or more depth, is unknown; an answer that met one is not remembered, so each
function's value is the same whatever is asked first.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

from loopguard.analysis.argument_types import without_type_tests
from loopguard.analysis.expressions import Expr
from loopguard.analysis.guards import Condition, can_run, evaluate, is_known, parts_of, results_in
from loopguard.analysis.known import RETURNS, KnownValues, Return, locals_of
from loopguard.analysis.values import Target
from loopguard.models import Parameters

#: The deepest chain of helpers whose results decide one another's.
MAX_HELPER_DEPTH = 8
UNKNOWN_RESULT = object()
#: A helper's value (or ``UNKNOWN_RESULT``), and whether a cycle or the depth bound made it so.
Computed = tuple[object, bool]
#: The helpers' results a body's guards test, by key, and whether a cycle or the bound cut one.
Results = tuple[dict[str, object], bool]


def depends_on_the_loop(returns: list[Return], loop_names: set[str]) -> bool:
    """Whether some return gives, or runs under, a test of the running loop (or of a local bound
    to it, ``loop_names``) or of a helper."""
    guards = [value for value, _conditions, _line in returns]
    guards += [guard for _value, conditions, _line in returns for guard, _ in conditions]
    return any(
        part[0] in ("loop", "result") or (part[0] == "name" and part[1] in loop_names)
        for guard in guards
        for part in parts_of(guard)
    )


def loop_returns(
    node: ast.FunctionDef | ast.AsyncFunctionDef,
    decorators: tuple[Expr, ...],
    returns: list[Return],
    loop_names: set[str],
    generator: Callable[[], bool],
) -> tuple[Return, ...]:
    """The returns worth keeping in the summary of a function (see the module's docstring); none
    when its value cannot depend on the loop or it is not a plain function (``generator``: whether
    a ``yield`` is anywhere in it, as the index's walk noted)."""
    if not returns or not plain_shape(node, decorators):  # (the cheaper test first)
        return ()
    if not depends_on_the_loop(returns, loop_names) or generator():
        return ()
    # an ``isinstance`` test reads names a later binding may change (argument_types.TypeTests):
    # not kept here, where the index's check does not reach
    return tuple((value, without_type_tests(conditions), line) for value, conditions, line in returns)


def plain_shape(node: ast.FunctionDef | ast.AsyncFunctionDef, decorators: tuple[Expr, ...]) -> bool:
    """No decorator but ``staticmethod``/``classmethod`` (``functools.cache`` would keep whatever
    the first call gave) and a body that always ends in a ``return`` or ``raise``: with no
    ``yield`` either (the index's ``generator``), what a call gives is what its returns give."""
    return all(d[-1] in ("staticmethod", "classmethod") for d in decorators) and ends_in_return(node.body)


def ends_in_return(body: list[ast.stmt]) -> bool:
    """Whether a block always ends in a ``return`` or ``raise``: its last statement is one, or a
    ``try`` whose every way out does (``try: return get_running_loop() except RuntimeError: return
    None``), so the function never falls off its end and returns ``None`` unseen."""
    if not body:
        return False
    last = body[-1]
    if isinstance(last, (ast.Return, ast.Raise)):
        return True
    if isinstance(last, ast.Try) and not last.finalbody:
        normal = last.orelse or last.body
        return ends_in_return(normal) and all(ends_in_return(h.body) for h in last.handlers)
    return False


def with_returns(parameters: Parameters, returns: tuple[Return, ...]) -> Parameters:
    positional, keyword_only, defaults, bound, rebindings = parameters
    return (positional, keyword_only, (*defaults, (RETURNS, returns)), bound, rebindings)


def returns_of(parameters: Parameters) -> tuple[Return, ...]:
    for name, value in parameters[2]:
        if name == RETURNS and isinstance(value, tuple):
            return value
    return ()


def value_on_the_loop(parameters: Parameters, returns: tuple[Return, ...], results: Mapping[str, object]) -> object:
    """The one value every ``return`` that can run on the loop gives (``UNKNOWN_RESULT`` when one
    is unknown, or they differ, or none can run), the parameters unknown."""
    known = KnownValues(parameters, locals_of(parameters))
    found: set[tuple[type, object]] = set()  # by type too: ``True == 1``
    for value, conditions, line in returns:
        here = {**known.at(line), **results}
        if not can_run(conditions, here):
            continue
        given = evaluate(value, here)
        if not is_known(given):
            return UNKNOWN_RESULT
        found.add((type(given), given))
    if len(found) != 1:
        return UNKNOWN_RESULT
    return next(iter(found))[1]


class FunctionLike(Protocol):
    """What is read of a ``summary.FunctionSummary`` (summary.py imports the index, which imports
    this module)."""

    @property
    def calls(self) -> tuple[Any, ...]: ...

    @property
    def parameters(self) -> Parameters: ...


T = TypeVar("T")


class ReadApart(Protocol):
    """``GlobalProject.read_apart``: an answer and the modules computing it read."""

    def __call__(self, compute: Callable[[], T]) -> tuple[T, frozenset[str]]: ...


class LoopValues:
    """The values on the loop of the helpers a call graph's bodies test, remembered with the
    modules read to find them (each use records them again, as ``GlobalProject.remembered``)."""

    def __init__(
        self,
        function: Callable[[str], FunctionLike],
        callee: Callable[[Target], str | None],
        read_apart: ReadApart,
        depend: Callable[[frozenset[str]], None],
    ) -> None:
        self.function = function  # qualname -> its summary
        self.callee = callee  # a call's target -> the project function it calls, if one
        self.read_apart = read_apart
        self.depend = depend
        self._values: dict[str, tuple[object, frozenset[str]]] = {}
        self._results: dict[str, tuple[dict[str, object], frozenset[str]]] = {}

    def results_for(self, qualname: str, calls: tuple[Any, ...]) -> dict[str, object]:
        """{key: value} for each helper call whose result a guard of ``calls`` (``qualname``'s,
        not to be changed by the caller) tests and whose value on the loop is known. Remembered
        per function, as each helper's value is, when no cycle or bound cut one: each node of a
        function called with literals asks again (homeassistant: 11,600 bodies, 8,200 functions)."""
        known = self._results.get(qualname)
        if known is not None:
            if known[1]:
                self.depend(known[1])
            return known[0]
        (results, tainted), used = self.read_apart(lambda: self.results(calls, (qualname,)))
        self.depend(used)
        if not tainted:
            self._results[qualname] = (results, used)
        return results

    def results(self, calls: tuple[Any, ...], stack: tuple[str, ...], extra: tuple[Condition, ...] = ()) -> Results:
        keys = {key for call in calls for guard, _ in call[6] for key in results_in(guard)}
        keys |= {key for guard, _ in extra for key in results_in(guard)}
        if not keys:
            return {}, False
        found: dict[str, object] = {}
        tainted = False
        for line, col, end_line, end_col, target, *_rest in calls:
            key = f"{line}:{col}:{end_line}:{end_col}"
            if key not in keys:
                continue
            helper = self.callee(target)
            if helper is None:
                continue
            value, cut = self.value(helper, stack)
            tainted = tainted or cut
            if value is not UNKNOWN_RESULT:
                found[key] = value
        return found, tainted

    def value(self, qualname: str, stack: tuple[str, ...]) -> Computed:
        """(the helper's value on the loop, or ``UNKNOWN_RESULT``; whether a cycle or the depth
        bound cut it short)."""
        remembered = self._values.get(qualname)
        if remembered is not None:
            self.depend(remembered[1])
            return remembered[0], False
        if qualname in stack or len(stack) >= MAX_HELPER_DEPTH:
            return UNKNOWN_RESULT, True
        (value, tainted), used = self.read_apart(lambda: self.compute(qualname, (*stack, qualname)))
        self.depend(used)
        if not tainted:
            self._values[qualname] = (value, used)
        return value, tainted

    def compute(self, qualname: str, stack: tuple[str, ...]) -> Computed:
        function = self.function(qualname)
        returns = returns_of(function.parameters)
        if not returns:
            return UNKNOWN_RESULT, False
        tested: tuple[Condition, ...] = tuple(
            (guard, True) for value, conditions, _line in returns for guard in (value, *(g for g, _ in conditions))
        )
        results, tainted = self.results(function.calls, stack, tested)
        return value_on_the_loop(function.parameters, returns, results), tainted

