"""What the index's walk notes about a def as it passes (its first ``return``, its ``yield``s, its
loops) must be what a walk of the whole def would find: these answers replaced such walks. And
the cheap looks that let the index skip work must skip only work that would have found nothing."""

from __future__ import annotations

import ast
import textwrap

import pytest

from loopguard.analysis import index
from loopguard.analysis.equalities import equalities
from loopguard.analysis.index import _Indexer
from loopguard.analysis.narrowing import narrowed_and_pinned, narrowings
from loopguard.analysis.self_sets import before_return

SOURCES = {
    "plain": """
        class C:
            def __init__(self, a, b):
                self.a = a
                self.b = b
    """,
    "return in a nested def": """
        class C:
            def __init__(self, a, b):
                self.a = a
                def inner():
                    return 1
                self.b = b
    """,
    "return after a semicolon": """
        class C:
            def __init__(self, a, b):
                self.a = a; return
    """,
    "return in branches": """
        class C:
            def __init__(self, a, b):
                self.a = a
                try:
                    pass
                except E:
                    if a:
                        return
                self.b = b
                return
    """,
    "return in a nested class's method": """
        class C:
            def __init__(self, a, b):
                self.a = a
                class D:
                    def f(self):
                        for x in y:
                            return x
                self.b = b
    """,
    "yield in a nested def": """
        def f():
            def g():
                yield 1
            return g
    """,
    "yield in a nested def's annotation": """
        def f():
            def g(x: (yield)) -> int:
                pass
            return g
    """,
    "yield in a star parameter's annotation": """
        def f():
            def g(*args: (yield), **kwargs: int): pass
            return g
    """,
    "yield in a keyword-only parameter's annotation": """
        def f():
            def g(*, x: list[(yield)] = 1): pass
            return g
    """,
    "yield in a return annotation": """
        def f():
            def g() -> (yield):
                pass
            return g
    """,
    "yield in a variable's annotation": """
        def f():
            x: (yield) = 1
            return x
    """,
    "yield in a comprehension's target": """
        def f():
            return [a for (yield).b in c]
    """,
    "yield in a lambda, a default, a decorator": """
        def f():
            h = lambda: (yield)
            def g(x=(yield)): pass
            @(yield)
            def k(): pass
            return h
    """,
    "yield from and loops": """
        def f(self):
            while x:
                async def g():
                    async for y in z:
                        pass
            for a in b:
                yield from a
            return 1
    """,
    "no yield, loops only in a nested def": """
        def f(self):
            def g():
                for a in b:
                    pass
            return g
    """,
}


class Checking(_Indexer):
    """The index's walk, each def's noted answers compared with a walk of the def."""

    def __init__(self) -> None:
        super().__init__("m", "")
        self.checked = 0

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        yields, unvisited, loops = self.yields, len(self.unvisited), len(self.loop_spans)
        super().visit_FunctionDef(node)
        walked = list(ast.walk(node))
        assert self.generator(yields, unvisited) == any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in walked)
        spans = {(n.lineno, n.end_lineno) for n in walked if isinstance(n, (ast.For, ast.While, ast.AsyncFor))}
        assert set(self.loop_spans[loops:]) == spans
        self.checked += 1

    visit_AsyncFunctionDef = visit_FunctionDef


def own_block_by_walking(body: list[ast.stmt]) -> list[ast.stmt]:
    """The statements before the first that holds a ``return`` (the walk the note replaced)."""
    block = []
    for statement in body:
        if any(isinstance(inner, ast.Return) for inner in ast.walk(statement)):
            break
        block.append(statement)
    return block


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_the_notes_are_what_a_walk_finds(name: str) -> None:
    tree = ast.parse(textwrap.dedent(SOURCES[name]))
    indexer = Checking()
    for statement in tree.body:
        indexer.visit(statement)
    assert indexer.checked >= 1


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_the_block_before_the_first_return_is_what_a_walk_finds(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks: list[list[ast.stmt]] = []

    def checked(body: list[ast.stmt], first_return: ast.Return | None) -> list[ast.stmt]:
        block = before_return(body, first_return)
        assert block == own_block_by_walking(body)
        blocks.append(block)
        return block

    monkeypatch.setattr(index, "before_return", checked)
    tree = ast.parse(textwrap.dedent(SOURCES[name]))
    indexer = index._Indexer("m", "")
    for statement in tree.body:
        indexer.visit(statement)
    assert len(blocks) == (1 if "__init__" in SOURCES[name] else 0)


TESTS = [
    "x", "x.y", "f(x)", "x.done()", "x.y.done()", "(await x).done()", "isinstance(x, C)",
    "isinstance(x, (C,))", "isinstance(x, (C, D))", "isinstance(x)", "not isinstance(x, C)",
    'x == "a"', 'x != "a"', '"a" == x', "x is None", "x is not None", "x is True", "None is x",
    'x == 1', 'x < "a"', 'x in "ab"', 'x == y', 'x == "a" == y', 'm["k"] == "a"', 'm.get("k") != "a"',
    'm.get("k", "b") == "a"', "m.get('k') is None", 'a and x == "a"', 'a or not x == "a"',
    'isinstance(x, C) and y is None', "not (a or b)", "-x", "x if y else z", "(x := f())",
    'not not x == "a"', 'x.done() or isinstance(y, D)', "lambda: x",
]


@pytest.mark.parametrize("test", TESTS)
def test_a_test_is_taken_apart_only_when_it_may_narrow_or_pin(test: str) -> None:
    """``narrowed_and_pinned`` passes the tests its cheap look says give nothing: they must."""
    node = ast.parse(test, mode="eval").body
    assert narrowed_and_pinned(node) == (narrowings(node), equalities(node))
