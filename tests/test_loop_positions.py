"""The checker's one-pass walk (``loop_positions``) against the libcst visitor it replaced: a
``MetadataWrapper`` with libcst's ``PositionProvider``, kept here as the reference. Both must find
the same calls on the loop, at the same positions, with their ends in the same order."""

from __future__ import annotations

import ast
import warnings
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from loopguard.analysis.checker import LoopCalls, parse_guarded, segment_source, walk
from loopguard.sourcetext import split_lines

FIXTURES = Path(__file__).parent / "fixtures"


class ReferenceVisitor(cst.CSTVisitor):
    """The checker's visitor before the one-pass walk (see ``checker.py``'s doc for the rules)."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, line_offset: int, found: LoopCalls, loop_defs: frozenset[int]) -> None:
        super().__init__()
        self.line_offset = line_offset
        self.found = found
        self.loop_defs = loop_defs
        self.on_loop: list[bool] = []

    def visit_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        if node.asynchronous is not None:
            self.on_loop.append(True)
        else:
            line = self.get_metadata(PositionProvider, node.name).start.line + self.line_offset
            self.on_loop.append(line in self.loop_defs)

    def leave_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        self.on_loop.pop()

    def visit_Lambda_body(self, node: cst.Lambda) -> None:
        self.on_loop.append(False)

    def leave_Lambda_body(self, node: cst.Lambda) -> None:
        self.on_loop.pop()

    def visit_ClassDef_body(self, node: cst.ClassDef) -> None:
        self.on_loop.append(False)

    def leave_ClassDef_body(self, node: cst.ClassDef) -> None:
        self.on_loop.pop()

    def visit_Call(self, node: cst.Call) -> None:
        self.reaches(node)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.reaches(node)

    def visit_For(self, node: cst.For) -> None:
        if node.asynchronous is None:
            self.reaches(node.iter)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        if node.asynchronous is None:
            self.reaches(node.iter)

    def visit_With(self, node: cst.With) -> None:
        if node.asynchronous is None:
            for item in node.items:
                self.reaches(item.item)

    def reaches(self, expression: cst.BaseExpression) -> None:
        if self.on_loop and self.on_loop[-1]:
            where = self.get_metadata(PositionProvider, expression)
            start = (where.start.line + self.line_offset, where.start.column)
            self.found.add(start, (where.end.line + self.line_offset, where.end.column))


def reference_walk(module: cst.Module, offset: int, loop_defs: frozenset[int]) -> LoopCalls:
    found = LoopCalls()
    MetadataWrapper(module, unsafe_skip_copy=True).visit(ReferenceVisitor(offset, found, loop_defs))
    return found


def one_pass_walk(module: cst.Module, offset: int, loop_defs: frozenset[int]) -> LoopCalls:
    found = LoopCalls()
    assert walk(module, offset, found, loop_defs)
    return found


def assert_same_walks(text: str) -> int:
    """Walk every ``async def`` segment of ``text`` both ways, with no sync def on the loop and with
    every sync def inside on it; the number of segments compared."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = ast.parse(text)
    lines = split_lines(text)
    compared = 0
    for node in ast.walk(tree):
        if not isinstance(node, ast.AsyncFunctionDef):
            continue
        column = len(lines[node.lineno - 1].encode()[: node.col_offset].decode())
        segment = segment_source(lines, node.lineno, column, node.end_lineno or node.lineno)
        if segment is None:
            continue
        module = parse_guarded(segment[0])
        assert module is not None
        sync_defs = frozenset(n.lineno for n in ast.walk(node) if isinstance(n, ast.FunctionDef))
        for loop_defs in (frozenset(), sync_defs):
            expected = reference_walk(module, segment[1], loop_defs).calls
            found = one_pass_walk(module, segment[1], loop_defs).calls
            assert found == expected
            assert list(found) == list(expected)  # the order the calls were met in, too
        compared += 1
    return compared


SOURCES = {
    "nested scopes": (
        "import time\n\nclass A:\n    async def f(self, x=time.time(), *, y: g() = h()):\n"
        "        @deco(time.sleep(1))\n        def helper(a=open('f')) -> k():\n            time.sleep(2)\n"
        "        lam = lambda q=time.sleep(3): time.sleep(4)\n"
        "        class B(base()):\n            attr = time.sleep(5)\n            def m(self): m()\n"
        "        async def inner():\n            time.sleep(6)\n        return helper\n"
    ),
    "calls on calls and parentheses": (
        "async def f(url):\n    requests.Session().get(url)\n    (f)(x)\n    ((a.b))(c).d.e(g)\n"
        "    (\n        open('x')\n    ).read()\n    x = [y.z for y in (q())]\n"
    ),
    "for, with and comprehensions": (
        "async def f(rows, lock):\n    for row in cursor.execute(q):\n        pass\n"
        "    async for row in aiter():\n        pass\n    with lock, open(p) as fh, (a.b) as c:\n        pass\n"
        "    async with alock:\n        pass\n    [x for x in it for y in x.items() if y.ok()]\n"
        "    {k: v async for k, v in source()}\n    for x[lambda: 1] in y:\n        pass\n"
    ),
    "line continuations and odd layout": (
        "class A:\n    async def \\\n        f(self):\n        x = a.b \\\n            .c()\n"
        "        def \\\n            g(): return h()\n        y = \'\'\'\nflush\n\'\'\' + s.strip()\n"
        "        if x: z(); w.v()\n"
    ),
    "tabs": "class A:\n\tasync def f(self):\n\t\tx = [a.b() for a in c()]\n",
    "crlf and carriage returns": "async def f():\r\n    a.b()\r\n    x = '''\r\n'''\r\n    c.d()\r\n",
    "non-ascii": "async def f():\n    s = 'héllo wörld'; time.sleep(1)\n    ünï.côdé()\n",
    "match, walrus, await, f-strings": (
        "async def f(cmd):\n    match cmd.kind():\n        case Point(x=0):\n            g()\n"
        "    if (n := len(a.b())) > 1:\n        await h(i())\n    return f'{j.k()!r:>{w()}}'\n"
    ),
    "decorated async def inside a sync def inside a coroutine": (
        "async def outer():\n    def sync():\n        @d.e()\n        async def inner(a=b()):\n"
        "            c()\n        return inner\n    del x.y\n    x.y = 1\n    import os.path\n"
    ),
}


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_the_one_pass_walk_finds_what_the_visitor_found(name: str) -> None:
    assert assert_same_walks(SOURCES[name]) > 0


def test_the_one_pass_walk_agrees_on_every_fixture() -> None:
    compared = 0
    for path in sorted(FIXTURES.rglob("*.py")):
        try:
            text = path.read_text(encoding="utf-8")
            compile(text, str(path), "exec", ast.PyCF_ONLY_AST)
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        compared += assert_same_walks(text)
    assert compared > 100


def test_a_span_leaves_out_the_parentheses_around_its_node() -> None:
    """``( a.b )( c )``: the call starts at the callee's "(", the attribute inside it."""
    found = one_pass_walk(cst.parse_module("async def f():\n    ( a.b )( c )\n"), 0, frozenset())
    assert found.calls == {(2, 4): [(2, 16)], (2, 6): [(2, 9)]}


def test_a_sync_def_runs_on_the_loop_when_the_line_of_its_name_says_so() -> None:
    source = "async def f():\n    def \\\n      g():\n        h()\n"
    module = cst.parse_module(source)
    assert one_pass_walk(module, 10, frozenset({13})).calls == {(14, 8): [(14, 11)]}
    assert one_pass_walk(module, 10, frozenset({12})).calls == {}  # the line of "def"
