"""The index's faster walk keeps what it records (issue 13): the shortcuts are checked here."""

from __future__ import annotations

import ast
from collections.abc import Callable

import pytest

from loopguard.analysis.index import (
    MAX_DEPTH,
    CallSite,
    NestingTooDeep,
    index_module,
    with_literals,
)
from loopguard.runner import collector_paused


def test_with_literals_is_replace_for_every_field() -> None:
    # every field given a value unlike its default: a field added later and not copied fails here
    call = CallSite(("name", "f"), 3, 10, 4, 11, 9, True, 3, True, (("0", "a"),), (((("name", "x"), True), True),))
    assert with_literals(call, (("1", 2),)) == call._replace(literals=(("1", 2),))
    assert len(CallSite._fields) == 11


def nested_negations(levels: int) -> ast.Module:
    """``x = - - ... - 1`` with ``levels`` minus signs, built directly (the parser refuses it)."""
    value: ast.expr = ast.Constant(1)
    for _ in range(levels):
        value = ast.UnaryOp(ast.USub(), value)
    return ast.Module([ast.Expr(value, lineno=1, col_offset=0)], [])


@pytest.mark.parametrize(("levels", "too_deep"), [(MAX_DEPTH - 2, False), (MAX_DEPTH - 1, True)])
def test_leaves_passed_without_a_visit_still_count_towards_the_depth(levels: int, too_deep: bool) -> None:
    # the statement is level 1, the negations levels 2.., their operators and the constant one more:
    # the bound is hit exactly where a visit of every leaf hit it
    with collector_paused():  # the recursion limit a run has
        if too_deep:
            with pytest.raises(NestingTooDeep):
                index_module(nested_negations(levels), "m", "")
        else:
            index_module(nested_negations(levels), "m", "")


def test_calls_under_one_child_nodes_are_recorded() -> None:
    # an expression statement, a keyword argument, an attribute's base, an awaited call
    tree = ast.parse("async def f():\n    g(k=h())\n    a.b.c\n    await d()\n")
    funcs = sorted(str(call.func) for call in index_module(tree, "m", "").calls)
    assert funcs == [
        "('get', ('attr', ('attr', ('name', 'a'), 'b'), 'c'))",
        "('get', ('attr', ('name', 'a'), 'b'))",
        "('name', 'd')",
        "('name', 'g')",
        "('name', 'h')",
    ]


AT = {"lineno": 1, "col_offset": 0, "end_lineno": 1, "end_col_offset": 1}


def method_chain(calls: int, innermost: ast.expr) -> ast.Module:
    """``<innermost>.m().m()...`` with ``calls`` method calls, built directly."""
    value = innermost
    for _ in range(calls):
        value = ast.Call(ast.Attribute(value, "m", ast.Load(), **AT), [], [], **AT)
    return ast.Module([ast.Expr(value, lineno=1, col_offset=0)], [])


@pytest.mark.parametrize(
    ("calls", "innermost", "too_deep"),
    [
        # the statement is level 1, each call 2k and the attribute it calls 2k + 1: a name base is
        # a leaf one level below its attribute, a call base is visited there
        ((MAX_DEPTH - 2) // 2, ast.Name("x", ast.Load()), False),
        (MAX_DEPTH // 2, ast.Name("x", ast.Load()), True),
        ((MAX_DEPTH - 4) // 2, ast.Call(ast.Name("f", ast.Load()), [], [], **AT), False),
        ((MAX_DEPTH - 2) // 2, ast.Call(ast.Name("f", ast.Load()), [], [], **AT), True),
    ],
)
def test_a_called_attribute_visited_in_place_counts_towards_the_depth(
    calls: int, innermost: ast.expr, too_deep: bool
) -> None:
    # ``visit_Call`` visits a called attribute's base itself: the bound is hit where a visit of
    # the attribute hit it
    with collector_paused():
        if too_deep:
            with pytest.raises(NestingTooDeep):
                index_module(method_chain(calls, innermost), "m", "")
        else:
            index_module(method_chain(calls, innermost), "m", "")


#: One level of nesting around ``inner``, for each node whose children the walk passes itself.
WRAPPERS: dict[str, Callable[[ast.expr], ast.expr]] = {
    "list": lambda inner: ast.List([inner], ast.Load()),
    "tuple": lambda inner: ast.Tuple([ast.Constant(1), inner], ast.Load()),
    "dict key": lambda inner: ast.Dict([inner], [ast.Constant(1)]),
    "dict value": lambda inner: ast.Dict([None, ast.Constant(1)], [ast.Name("d", ast.Load()), inner]),
    "subscript": lambda inner: ast.Subscript(inner, ast.Constant(0), ast.Load()),
    "subscript slice": lambda inner: ast.Subscript(ast.Name("x", ast.Load()), inner, ast.Load()),
    "compare": lambda inner: ast.Compare(ast.Constant(1), [ast.Lt()], [inner]),
    "binop": lambda inner: ast.BinOp(inner, ast.Add(), ast.Constant(1)),
}


@pytest.mark.parametrize("wrapper", sorted(WRAPPERS))
@pytest.mark.parametrize(("levels", "too_deep"), [(MAX_DEPTH - 2, False), (MAX_DEPTH - 1, True)])
@pytest.mark.parametrize("statement", ["expression", "assignment"])
def test_leaf_children_passed_in_place_count_towards_the_depth(
    wrapper: str, levels: int, too_deep: bool, statement: str
) -> None:
    # the statement is level 1, the wrappers 2..levels + 1, the constant inside one more: the
    # bound is hit exactly where a visit of every child hit it
    value: ast.expr = ast.Constant(1)
    for _ in range(levels):
        value = WRAPPERS[wrapper](value)
    if statement == "expression":
        tree = ast.Module([ast.Expr(value, lineno=1, col_offset=0)], [])
    else:
        tree = ast.Module([ast.Assign([ast.Name("y", ast.Store(), **AT)], value, lineno=1, col_offset=0)], [])
    with collector_paused():
        if too_deep:
            with pytest.raises(NestingTooDeep):
                index_module(tree, "m", "")
        else:
            index_module(tree, "m", "")
