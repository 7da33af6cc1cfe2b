"""The expression IR: an ``ast`` expression as small tuples the resolver can follow.

Tuples hash, compare and pickle cheaply, so the index and the summaries built from them stay small.
Anything the resolver cannot use becomes ``OTHER``; ``NONE`` is the literal ``None`` (ignored when
bindings are merged, so ``self.session = None`` does not hide the real type).
"""

from __future__ import annotations

import ast
from typing import Any

from loopguard.analysis.literals import literal_arguments
from loopguard.analysis.values import NONE, OTHER, Expr
from loopguard.catalogue import BUILT_NAMES, BUILT_ON_NAMES

__all__ = ["NONE", "OTHER", "Expr", "annotation_of", "expr_of"]

# The shapes (``values.py``): ("name", id) | ("attr", base, attr) | ("call", func) | ("sub", base)
# | ("div", left) | ("partial", function) | ("built", func, literals) | ("on", func, first argument)
# | ("typed", func, class, fallback) | ("none",) | ("other",); the index adds the call-site shapes
# (``values.CallFunc``) and the summaries ``values.Resolved``.

#: An expression nested deeper than this (``a.b.c...``, ``f()()()...``) is unknown (``OTHER``), so
#: every walk over the IR — the resolver, the deferred values built from it — is bounded too.
MAX_EXPR_DEPTH = 64


def expr_of(expression: ast.AST | None, depth: int = 0) -> Expr:
    """The IR of an expression; anything the resolver cannot use becomes ``OTHER``. (Told apart by
    class, the commonest first: the index asks this of every call, binding and access.)"""
    if depth > MAX_EXPR_DEPTH:
        return OTHER
    # its class read once, not at each test: ``__class__`` read off an ast node is a generic
    # attribute lookup, as any of its fields (the index asks 58,000 expressions for every 10th
    # homeassistant file). (mypy tells a node's class by ``node.__class__ is X`` alone: the node
    # is read as ``Any`` below, each field read as the test before it allows.)
    kind = expression.__class__
    node: Any = expression
    if kind is ast.Name:
        return ("name", node.id)
    inner = depth + 1
    if kind is ast.Attribute:
        return ("attr", expr_of(node.value, inner), node.attr)
    if kind is ast.Call:
        func = expr_of(node.func, inner)
        # ``last_name(func)``, read by position (once: most calls are none of these)
        name = func[-1] if func[0] == "name" or func[0] == "attr" else None
        if name == "partial" and node.args and not isinstance(node.args[0], ast.Starred):
            return ("partial", expr_of(node.args[0], inner))  # functools.partial(f, ...): calling it calls f
        if name in BUILT_NAMES:  # queue.Queue(): what it builds depends on its arguments
            return ("built", func, literal_arguments(node))
        if name in BUILT_ON_NAMES and node.args and not isinstance(node.args[0], ast.Starred):
            return ("on", func, expr_of(node.args[0], inner))  # ZipFile(io.BytesIO()): on what it is built
        if name == "cast":
            return cast_of(node, func, inner)
        return ("call", func)
    if kind is ast.Subscript:
        return ("sub", expr_of(node.value, inner))
    if kind is ast.Await or kind is ast.NamedExpr:
        return expr_of(node.value, inner)
    if kind is ast.BinOp and node.op.__class__ is ast.Div:
        return ("div", expr_of(node.left, inner))  # Path(root) / "name"
    if kind is ast.Constant and node.value is None:
        return NONE
    return OTHER


def cast_of(node: ast.Call, func: Expr, depth: int) -> Expr:
    """``cast(T, value)``: an instance of what ``T`` names when the resolver finds ``func`` is
    ``typing.cast`` (``narrowing.py``), else the call's result as for any call."""
    if len(node.args) != 2 or node.keywords or isinstance(node.args[0], ast.Starred):
        return ("call", func)
    return ("typed", func, annotation_of(node.args[0], depth), ("call", func))


_WRAPPERS = {"Optional", "Annotated", "Final", "ClassVar", "Required", "NotRequired", "ReadOnly"}


def annotation_of(node: ast.AST | None, depth: int = 0) -> Expr:
    """The IR of the one type an annotation names: ``X``, ``Optional[X]``, ``X | None``, ``"X"``."""
    # told apart by class, read once, and each field read once (the node read as ``Any``, as in
    # ``expr_of``): not an ``isinstance`` call for each shape tried, up to six for an attribute;
    # 14,600 calls (10,200 from the index) for every 10th homeassistant file
    kind = node.__class__
    typed: Any = node
    if kind is ast.Name and depth < MAX_EXPR_DEPTH:  # the commonest: ``expr_of``'s answer
        return ("name", typed.id)
    if depth > MAX_EXPR_DEPTH:
        return OTHER
    inner = depth + 1
    if kind is ast.Subscript:
        generic = typed.value
        head = generic.attr if generic.__class__ is ast.Attribute else getattr(generic, "id", "")
        sliced = typed.slice
        args = sliced.elts if sliced.__class__ is ast.Tuple else [sliced]
        if head in _WRAPPERS:
            return annotation_of(args[0], inner)
        if head == "Union":
            return _single_member([annotation_of(arg, inner) for arg in args])
        if head in ("type", "Type"):
            return ("classof", annotation_of(args[0], inner))  # the class itself, not an instance
        return annotation_of(generic, inner)  # a generic: IO[str] is an IO, list[X] a list (not an X)
    if kind is ast.Name or kind is ast.Attribute:
        return expr_of(node, inner)
    if kind is ast.BinOp:
        if typed.op.__class__ is not ast.BitOr:
            return OTHER
        members = [annotation_of(typed.left, inner), annotation_of(typed.right, inner)]
        return _single_member(members)
    if kind is ast.Constant:
        value = typed.value
        if value is None:
            return NONE
        if not isinstance(value, str):
            return OTHER
        try:
            parsed = ast.parse(value.strip(), mode="eval")
        except (SyntaxError, ValueError, MemoryError, RecursionError):  # not an expression, or too deep
            return OTHER
        return annotation_of(parsed.body, inner)
    return OTHER


def _single_member(members: list[Expr]) -> Expr:
    real = [m for m in members if m != NONE]
    return real[0] if len(real) == 1 else OTHER
