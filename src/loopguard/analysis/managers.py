"""Context managers written as generators: what ``with helper() as x`` binds ``x`` to.

``@contextlib.contextmanager`` turns ``def uploaded(p) -> Iterator[Path]: yield Path(p)`` into a
function whose call is a context manager, and entering it gives the yielded ``Path``. The index
records such a function's return as ``("managed", decorator, yielded type)`` (``managed_return``);
the resolver makes its call an instance of ``contextlib._GeneratorContextManager[pathlib.Path]``
(``managed_type``) — the name typeshed gives it, with the yielded type carried in the brackets so
it crosses modules in a summary like any other type name — and ``with`` unwraps it
(``entered_type``). Only the decorator as the resolver finds it counts: a project function that
happens to be called ``contextmanager`` is not ``contextlib``'s, and its result stays unknown.
An unannotated helper stays unknown too (its yields are not typed here). A yielded class of
another project module is finished by the main process (``values.ManagedStep``).
"""

from __future__ import annotations

import ast
from typing import Literal

from loopguard.analysis.expressions import annotation_of, expr_of
from loopguard.analysis.values import Expr, Value, last_name

#: decorator -> (the type its call returns, the kind of ``with`` that enters it)
MANAGER_TYPES: dict[str, tuple[str, Literal["enter", "aenter"]]] = {
    "contextlib.contextmanager": ("contextlib._GeneratorContextManager", "enter"),
    "contextlib.asynccontextmanager": ("contextlib._AsyncGeneratorContextManager", "aenter"),
}
DECORATOR_NAMES = frozenset(name.rpartition(".")[2] for name in MANAGER_TYPES)
#: the generator annotations whose first argument is the yielded type (sync, then async)
GENERATOR_HEADS = {
    "contextmanager": frozenset({"Iterator", "Generator"}),
    "asynccontextmanager": frozenset({"AsyncIterator", "AsyncGenerator"}),
}


def managed_return(node: ast.FunctionDef | ast.AsyncFunctionDef) -> Expr | None:
    """``("managed", decorator, yielded)`` for a def decorated ``contextmanager`` (or
    ``asynccontextmanager``) annotated ``-> Iterator[T]`` / ``Generator[T, ...]`` (``AsyncIterator``
    / ``AsyncGenerator``); whether the decorator is ``contextlib``'s is the resolver's to say."""
    returns = node.returns
    if not isinstance(returns, ast.Subscript):
        return None
    head = returns.value
    head_name = head.attr if isinstance(head, ast.Attribute) else getattr(head, "id", None)
    arguments = returns.slice.elts if isinstance(returns.slice, ast.Tuple) else [returns.slice]
    if not arguments:
        return None
    for decorator in node.decorator_list:
        decorator_expr = expr_of(decorator)
        name = last_name(decorator_expr)
        if name in DECORATOR_NAMES and head_name in GENERATOR_HEADS[name]:
            return ("managed", decorator_expr, annotation_of(arguments[0]))
    return None


def managed_type(decorator: Value | None, yielded: Value | None) -> Value | None:
    """What ``("managed", decorator, yielded)`` resolves to: the class of the helper's result, a
    ``contextlib`` manager type carrying the yielded class (deferred, when that class is in another
    module of the project); unknown for any other decorator, or a yielded type that is no class."""
    match decorator, yielded:
        case ("ref", qualname), ("ref", yielded_class) if qualname in MANAGER_TYPES:
            return ("ref", f"{MANAGER_TYPES[qualname][0]}[{yielded_class}]")
        case ("ref", qualname), ("defer", closed) if qualname in MANAGER_TYPES:
            return ("defer", ("managed", qualname, closed))  # a class of another project module
    return None


def entered_type(type_name: str, kind: Literal["enter", "aenter"]) -> str | None:
    """The yielded type a ``with`` (``kind`` "enter") or ``async with`` ("aenter") of an instance of
    ``type_name`` binds, when it is a generator manager of ``managed_type``; "" when it is one
    entered by the other kind of ``with`` (that raises: nothing is bound), None when it is not one."""
    base, bracket, inner = type_name.partition("[")
    for manager, manager_kind in MANAGER_TYPES.values():
        if base == manager and bracket and inner.endswith("]"):
            return inner[:-1] if manager_kind == kind else ""
    return None
