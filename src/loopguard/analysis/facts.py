"""What a caller's guard establishes, carried into the helper it calls: in

    prefix = model.split("/", 1)[0]
    if Registry.exists(prefix):
        return provider_info(model=model)

``provider_info`` is called only when ``Registry.exists(model.split("/", 1)[0])`` is true; when
its own first step is ``provider = model.split("/", 1)[0]`` / ``if Registry.exists(provider):
return ...``, nothing after that ``return`` runs on this call (litellm G1).

A *fact guard* is a call of a project or library function named through an import or a definition
(``Registry.exists``), whose arguments are *pure expressions* of the function's parameters:
constants, attributes, constant subscripts and calls of ``str`` methods with constant arguments
(``model.split("/", 1)[0]``), a local standing for the pure expression it was bound to. Its text,
with each parameter written ``{name}``, is what is compared: ``("fact", text, deps, entry)``.

``deps`` are the names the text reads, each with how many bindings it had when read and how many
loops were around: at a call, a fact of the caller holds only if no name it reads was bound again
since, in the same loops (``still_holds``); the call must pass each parameter it reads on, by
name, to a parameter of the callee (``passed_parameters``). In the callee, a fact guard can be
decided only if it reads the parameters as they came in (``entry``: every name bound once, no
loop), so the value the caller tested is the value the callee tests (a fact that no longer
holds at a call keeps its text and ``entry``, with no ``deps``). What is assumed: that the
function called gives the same answer for the same argument twice in a row, with nothing but the
call between (a registry lookup, not a clock).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from typing import Literal, cast

from loopguard.analysis.guards import Guard, rewritten
from loopguard.models import PASSED, Parameters
from loopguard.models import Literal as Argument

#: ``str`` methods whose result depends only on the string and the constant arguments.
STR_METHODS = frozenset({
    "split", "rsplit", "partition", "rpartition", "lower", "upper", "casefold", "strip", "lstrip",
    "rstrip", "removeprefix", "removesuffix", "replace",
})
#: A name a fact reads: (name, its bindings so far, loops around) when it was read.
Dep = tuple[str, int, int]
Pure = tuple[str, tuple[Dep, ...]]
MAX_TEXT = 300
FactGuard = tuple[Literal["fact"], str, tuple[Dep, ...], bool]
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def pure_text(node: ast.expr, name_text: Callable[[str], Pure | None]) -> Pure | None:
    """The text of a pure expression and the names it reads (None: not pure)."""
    if isinstance(node, ast.Name):
        return name_text(node.id)
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int)) and not isinstance(node.value, bool):
        return repr(node.value), ()
    if isinstance(node, ast.Attribute):
        inner = pure_text(node.value, name_text)
        return None if inner is None else (f"{inner[0]}.{node.attr}", inner[1])
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, int):
        inner = pure_text(node.value, name_text)
        return None if inner is None else (f"{inner[0]}[{node.slice.value!r}]", inner[1])
    if (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in STR_METHODS
        and not node.keywords
        and all(isinstance(a, ast.Constant) and isinstance(a.value, (str, int)) for a in node.args)
    ):
        inner = pure_text(node.func.value, name_text)
        if inner is None:
            return None
        arguments = ", ".join(repr(a.value) for a in node.args if isinstance(a, ast.Constant))
        return f"{inner[0]}.{node.func.attr}({arguments})", inner[1]
    return None


def fact_of(node: ast.Call, function_named: Callable[[ast.expr], str | None],
            name_text: Callable[[str], Pure | None]) -> FactGuard | None:
    """The fact guard of a call, if it is one."""
    args = node.args  # (read once, each argument told by class: no ``any`` of a generator)
    if not args or node.keywords:
        return None
    for argument in args:
        if argument.__class__ is ast.Starred:
            return None
    function = function_named(node.func)
    if function is None:
        return None
    parts = [pure_text(argument, name_text) for argument in args]
    if any(part is None for part in parts):
        return None
    texts = [part[0] for part in parts if part is not None]
    deps = tuple(dict.fromkeys(dep for part in parts if part is not None for dep in part[1]))
    text = f"{function}({', '.join(texts)})"
    if len(text) > MAX_TEXT or not deps:
        return None
    entry = all(count == 1 and loops == 0 for _name, count, loops in deps)
    return ("fact", text, deps, entry)


def still_holds(guard: tuple[object, ...], now: Callable[[str], tuple[int, int]]) -> bool:
    """Whether every name a fact guard read is bound as it was then, in the same loops
    (``now``: a name's bindings so far and the loops around, where the call is)."""
    deps = guard[2]
    return isinstance(deps, tuple) and all(now(str(dep[0])) == (dep[1], dep[2]) for dep in deps)


def with_stale_facts_spent(guard: Guard, now: Callable[[str], tuple[int, int]]) -> Guard:
    """``guard`` with each fact in it that no longer holds where the call is marked so (no
    ``deps``): the callee cannot be told it. The guard still tests the fact as read, so it can
    still be decided in this function when a caller told it (``entry``)."""

    def spent(leaf: Guard) -> Guard:
        if leaf[0] == "fact" and not still_holds(leaf, now):
            return cast(Guard, (*leaf[:2], (), leaf[3]))
        return leaf

    return rewritten(guard, spent)


def facts_given(
    conditions: tuple[tuple[object, bool], ...], passed: Mapping[str, str]
) -> dict[str, bool]:
    """The facts a call establishes for the callee: each fact guard around it (also an operand of
    an ``and`` that is true, or of an ``or`` that is false, or under ``not``) with every
    parameter it reads passed on (``passed``: caller's name -> callee's parameter), in the
    callee's parameters' names."""
    found: dict[str, bool] = {}
    for guard, expected in conditions:
        for text, value in _facts_in(guard, expected):
            translated = translate(text, passed)
            if translated is not None:
                found[translated] = value
    return found


def _facts_in(guard: object, expected: bool) -> list[tuple[str, bool]]:
    if not isinstance(guard, tuple) or not guard:
        return []
    kind = guard[0]
    if kind == "fact":
        return [(str(guard[1]), expected)] if guard[2] else []  # no deps: it no longer holds here
    if kind == "not":
        return _facts_in(guard[1], not expected)
    if (kind == "and" and expected) or (kind == "or" and not expected):
        return [fact for operand in guard[1:] for fact in _facts_in(operand, expected)]
    return []


def translate(text: str, passed: Mapping[str, str]) -> str | None:
    """``text`` with each ``{name}`` the callee's parameter it was passed as (None: one was not)."""
    names = _PLACEHOLDER.findall(text)
    if not names or any(name not in passed for name in names):
        return None
    return _PLACEHOLDER.sub(lambda match: "{" + passed[match.group(1)] + "}", text)


def passed_parameters(parameters: Parameters, literals: tuple[Argument, ...]) -> dict[str, str]:
    """The caller's names a call passes on as they are (``f(model=model)``, ``f(model)``) ->
    the callee's parameter each one is."""
    positional, keyword_only, _defaults, bound, _assignments = parameters
    names = positional[1:] if bound else positional
    passed: dict[str, str] = {}
    for key, value in literals:
        if not (isinstance(value, tuple) and value[:1] == (PASSED,)):
            continue
        if isinstance(key, int) and key < len(names):
            passed[str(value[1])] = names[key]
        elif isinstance(key, str) and key in (*names, *keyword_only):
            passed[str(value[1])] = key
    return passed
