"""One ``ast`` walk of a module that says, for every call, whether a fix may rewrite it.

The fix planner (``fixes.py``) needs to know for the call at a finding's position whether ``await``
is legal there, whether the call is already awaited, entered with ``with`` or iterated, whether an
``await`` put in front of it needs parentheses, how the module imports the async libraries and
which names it binds (an ``import asyncio`` the fix adds must not be shadowed). ``ast`` answers all
of it at a fraction of libcst's cost (DESIGN.md: ~10x for a parse with positions): the planner then
hands libcst only the source of each call it rewrites.

Where ``await`` is legal is tracked with a stack, as the checker does (``checker.py``): a coroutine
body pushes "legal", a nested sync ``def``, a ``lambda`` and a class body push "illegal" (their
decorators, defaults and annotations are evaluated where they are written), and a comprehension
keeps the enclosing answer only when it is asynchronous (an ``async for``): in a sync
comprehension ``await`` is illegal before Python 3.11 outside ``async def`` and, in a generator
expression, would turn it into an async generator. The outermost iterable of a comprehension is
evaluated where the comprehension is written, so it keeps the enclosing answer.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from loopguard.analysis.confirm import character_column

Comprehension = ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp


@dataclass(frozen=True, slots=True)
class CallSite:
    """A call and what the fixes need to know about where it stands; lines are 1-based, columns
    0-based characters, the end exclusive."""

    start: tuple[int, int]
    end: tuple[int, int]
    callee: str  # the called name: ``f`` of ``f(x)`` and of ``obj.f(x)``; "" for anything else
    await_legal: bool
    #: why the call must not be wrapped: "awaited", "entered" (``with``), "iterated", or ""
    held: str
    #: the call is the value of ``.attr`` / ``[...]`` or the callee of a call: an ``await`` put in
    #: front of it needs parentheses
    in_primary: bool


@dataclass(slots=True)
class ModuleImports:
    """Plain ``import`` statements of the module body: local name -> module, and every module they
    load (``import a.b`` loads ``a`` and ``a.b``); the top-level packages imported anywhere."""

    bindings: dict[str, str] = field(default_factory=dict)
    loaded: set[str] = field(default_factory=set)
    roots: set[str] = field(default_factory=set)


class FixSites(ast.NodeVisitor):
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        #: calls by where they start, outermost first: ``a().b()`` starts where ``a()`` does
        self.sites: dict[tuple[int, int], list[CallSite]] = {}
        self.bound: set[str] = set()
        self.imports = ModuleImports()
        self.await_legal: list[bool] = [False]  # module level
        self.held: dict[int, str] = {}  # id(expression) -> why it must not be wrapped
        self.primary_parts: set[int] = set()
        self.depth = 0  # of function and class bodies: imports at depth 0 are the module's

    def position(self, line: int, byte_column: int) -> tuple[int, int]:
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return line, character_column(text, byte_column)

    def in_body(self, legal: bool, body: list[ast.stmt]) -> None:
        self.await_legal.append(legal)
        self.depth += 1
        for statement in body:
            self.visit(statement)
        self.depth -= 1
        self.await_legal.pop()

    # -- where await is legal ----------------------------------------------------------------------
    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.function(node, False)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self.function(node, True)

    def function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, is_async: bool) -> None:
        self.bound.add(node.name)
        for decorator in node.decorator_list:
            self.visit(decorator)
        self.visit(node.args)
        if node.returns is not None:
            self.visit(node.returns)
        self.in_body(is_async, node.body)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self.visit(node.args)
        self.await_legal.append(False)
        self.visit(node.body)
        self.await_legal.pop()

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.bound.add(node.name)
        for expression in (*node.decorator_list, *node.bases, *node.keywords):
            self.visit(expression)
        self.in_body(False, node.body)

    def comprehension(self, node: Comprehension, parts: list[ast.expr]) -> None:
        first, *rest = node.generators
        for generator in node.generators:
            self.held[id(generator.iter)] = "iterated"
        self.visit(first.iter)  # evaluated where the comprehension is written
        is_async = any(generator.is_async for generator in node.generators)
        self.await_legal.append(self.await_legal[-1] and is_async)
        self.visit(first.target)
        for condition in first.ifs:
            self.visit(condition)
        for generator in rest:
            self.visit(generator)
        for part in parts:
            self.visit(part)
        self.await_legal.pop()

    def visit_ListComp(self, node: ast.ListComp) -> None:
        self.comprehension(node, [node.elt])

    def visit_SetComp(self, node: ast.SetComp) -> None:
        self.comprehension(node, [node.elt])

    def visit_GeneratorExp(self, node: ast.GeneratorExp) -> None:
        self.comprehension(node, [node.elt])

    def visit_DictComp(self, node: ast.DictComp) -> None:
        self.comprehension(node, [node.key, node.value])

    # -- how a call is used ------------------------------------------------------------------------
    def visit_Await(self, node: ast.Await) -> None:
        self.held[id(node.value)] = "awaited"
        self.generic_visit(node)

    def visit_withitem(self, node: ast.withitem) -> None:
        self.held[id(node.context_expr)] = "entered"
        self.generic_visit(node)

    def visit_For(self, node: ast.For) -> None:
        self.held[id(node.iter)] = "iterated"
        self.generic_visit(node)

    def visit_AsyncFor(self, node: ast.AsyncFor) -> None:
        self.held[id(node.iter)] = "iterated"
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.primary_parts.add(id(node.value))
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        self.primary_parts.add(id(node.value))
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        self.primary_parts.add(id(node.func))
        start = self.position(node.lineno, node.col_offset)
        end = self.position(node.end_lineno or node.lineno, node.end_col_offset or 0)
        site = CallSite(
            start, end, callee_name(node.func), self.await_legal[-1], self.held.get(id(node), ""),
            id(node) in self.primary_parts,
        )
        self.sites.setdefault(start, []).append(site)
        self.generic_visit(node)

    # -- names -------------------------------------------------------------------------------------
    def visit_arg(self, node: ast.arg) -> None:
        self.bound.add(node.arg)
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if not isinstance(node.ctx, ast.Load):
            self.bound.add(node.id)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.bound.add(node.name)
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.imports.roots.add(alias.name.partition(".")[0])
            name = alias.asname or alias.name.partition(".")[0]
            if self.depth:
                self.bound.add(name)  # a function-local import: not usable module-wide
                continue
            self.imports.bindings[name] = alias.name if alias.asname else name
            parts = alias.name.split(".")
            self.imports.loaded.update(".".join(parts[: i + 1]) for i in range(len(parts)))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module and not node.level:
            self.imports.roots.add(node.module.partition(".")[0])
        self.bound.update(alias.asname or alias.name for alias in node.names if alias.name != "*")


def callee_name(function: ast.expr) -> str:
    if isinstance(function, ast.Name):
        return function.id
    if isinstance(function, ast.Attribute):
        return function.attr
    return ""


def find_sites(tree: ast.Module, lines: list[str]) -> FixSites:
    sites = FixSites(lines)
    sites.visit(tree)
    return sites
