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

The planner asks about a few lines of a file — those of its findings — and about a few names, so
the walk enters only the statements that span a line it is asked about (``wanted``): what a call
at such a line needs to know comes from the statements around it, and a name is bound only by a
statement whose text holds it. On homeassistant's 67 files with fixable findings (33,000 lines) the
walk of every statement took 0.12 s, as long as parsing them.
"""

from __future__ import annotations

import ast
from bisect import bisect_left
from collections.abc import Sequence
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
    def __init__(self, lines: list[str], wanted: Sequence[int] | None = None) -> None:
        self.lines = lines
        #: the lines (sorted, 1-based) whose statements are walked; None: every statement
        self.wanted = wanted
        #: calls by where they start, outermost first: ``a().b()`` starts where ``a()`` does
        self.sites: dict[tuple[int, int], list[CallSite]] = {}
        self.bound: set[str] = set()
        self.imports = ModuleImports()
        self.await_legal: list[bool] = [False]  # module level
        self.held: dict[int, str] = {}  # id(expression) -> why it must not be wrapped
        self.primary_parts: set[int] = set()
        self.depth = 0  # of function and class bodies: imports at depth 0 are the module's

    def visit(self, node: ast.AST) -> None:
        if self.wanted is not None and isinstance(node, ast.stmt) and not spans_any(node, self.wanted):
            return
        super().visit(node)

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


def spans_any(statement: ast.stmt, wanted: Sequence[int]) -> bool:
    """Whether one of the ``wanted`` lines (sorted) is among the statement's: from its first
    decorator's (written before the ``def`` or ``class`` line) to its last."""
    first = statement.lineno
    decorators = getattr(statement, "decorator_list", None)
    if decorators:
        first = min(first, *(decorator.lineno for decorator in decorators))
    index = bisect_left(wanted, first)
    return index < len(wanted) and wanted[index] <= (statement.end_lineno or statement.lineno)


def find_sites(tree: ast.Module, lines: list[str], wanted: Sequence[int] | None = None) -> FixSites:
    """The walk of ``tree``; of the statements that span one of the ``wanted`` lines (sorted)
    only, when given: their calls' sites and the names they bind are the whole walk's."""
    sites = FixSites(lines, wanted)
    sites.visit(tree)
    return sites


def import_lines(lines: list[str]) -> list[int]:
    """The lines that may hold an import statement's keyword: its statement spans one of them."""
    return [number for number, line in enumerate(lines, 1) if "import" in line]


class BoundNames:
    """Whether a name is bound anywhere in the module (``FixSites.bound`` of the whole walk), asked
    name by name: each answer walks only the statements that span a line holding the name. An
    identifier is read from the source normalised (NFKC), so a line with a character other than
    ASCII may spell the name otherwise: such lines are walked for every name."""

    def __init__(self, tree: ast.Module, lines: list[str]) -> None:
        self.tree = tree
        self.lines = lines
        self.other_than_ascii = {number for number, line in enumerate(lines, 1) if not line.isascii()}
        self.answers: dict[str, bool] = {}

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        answer = self.answers.get(name)
        if answer is None:
            wanted = sorted({number for number, line in enumerate(self.lines, 1) if name in line} | self.other_than_ascii)
            try:
                answer = bool(wanted) and name in find_sites(self.tree, self.lines, wanted).bound
            except RecursionError:  # a tree too deep to walk: taken as bound, so no fix names it
                answer = True
            self.answers[name] = answer
        return answer
