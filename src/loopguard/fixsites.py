"""One libcst walk of a module that says, for every call, whether a fix may rewrite it.

The fix planner (``fixes.py``) needs to know for the call at a finding's position whether ``await``
is legal there, whether the call is already awaited, entered with ``with`` or iterated, whether
the rewritten expression needs parentheses, which lines carry a ``# noqa``, how the module imports
the async libraries and which names it binds (an import added for ``asyncio`` must not be shadowed).

Where ``await`` is legal is tracked with a stack, as the checker does (``checker.py``): a coroutine
body pushes "legal", a nested sync ``def``, a ``lambda`` and a class body push "illegal", and a
comprehension keeps the enclosing answer only when it is asynchronous (an ``async for``) — in a
sync comprehension ``await`` is illegal before Python 3.11 outside ``async def`` and, in a generator
expression, would turn it into an async generator. The outermost ``for``'s iterable of a
comprehension is evaluated where the comprehension is written, so it keeps the enclosing answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import PositionProvider


@dataclass(frozen=True, slots=True)
class CallSite:
    """A call and what the fixes need to know about where it stands."""

    node: cst.Call
    end: tuple[int, int]  # (line, column), 1-based line, 0-based exclusive column
    await_legal: bool
    #: why the call must not be wrapped: "awaited", "entered" (``with``), "iterated", or ""
    held: str
    #: the call is the value of ``.attr`` / ``[...]`` or the callee of a call: an ``await`` put in
    #: front of it needs parentheses
    in_primary: bool


@dataclass(slots=True)
class ModuleImports:
    """Plain ``import`` statements of the module body: local name -> module, and every module they
    load (``import a.b`` loads ``a`` and ``a.b``)."""

    bindings: dict[str, str] = field(default_factory=dict)
    loaded: set[str] = field(default_factory=set)
    roots: set[str] = field(default_factory=set)  # top-level packages imported anywhere


def _target_names(node: cst.BaseExpression | cst.BaseAssignTargetExpression) -> list[str]:
    if isinstance(node, cst.Name):
        return [node.value]
    if isinstance(node, (cst.Tuple, cst.List)):
        return [name for element in node.elements for name in _target_names(element.value)]
    if isinstance(node, cst.StarredElement):
        return _target_names(node.value)
    return []


class FixSites(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self) -> None:
        super().__init__()
        self.sites: dict[tuple[int, int], CallSite] = {}
        self.comments: dict[int, str] = {}
        self.bound: set[str] = set()
        self.imports = ModuleImports()
        self.await_legal: list[bool] = [False]  # module level
        self.held: dict[int, str] = {}  # id(expression) -> why it must not be wrapped
        self.primary_parts: set[int] = set()
        self.outermost_fors: set[int] = set()
        self.depth = 0  # of function and class bodies: imports at depth 0 are the module's

    # -- where await is legal ----------------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.bound.add(node.name.value)

    def visit_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        self.await_legal.append(node.asynchronous is not None)
        self.depth += 1

    def leave_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        self.await_legal.pop()
        self.depth -= 1

    def visit_Lambda_body(self, node: cst.Lambda) -> None:
        self.await_legal.append(False)

    def leave_Lambda_body(self, node: cst.Lambda) -> None:
        self.await_legal.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.bound.add(node.name.value)

    def visit_ClassDef_body(self, node: cst.ClassDef) -> None:
        self.await_legal.append(False)
        self.depth += 1

    def leave_ClassDef_body(self, node: cst.ClassDef) -> None:
        self.await_legal.pop()
        self.depth -= 1

    def _enter_comprehension(self, for_in: cst.CompFor) -> None:
        self.outermost_fors.add(id(for_in))
        is_async = False
        part: cst.CompFor | None = for_in
        while part is not None:
            is_async = is_async or part.asynchronous is not None
            part = part.inner_for_in
        self.await_legal.append(self.await_legal[-1] and is_async)

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._enter_comprehension(node.for_in)

    def leave_ListComp(self, node: cst.ListComp) -> None:
        self.await_legal.pop()

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._enter_comprehension(node.for_in)

    def leave_SetComp(self, node: cst.SetComp) -> None:
        self.await_legal.pop()

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._enter_comprehension(node.for_in)

    def leave_DictComp(self, node: cst.DictComp) -> None:
        self.await_legal.pop()

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._enter_comprehension(node.for_in)

    def leave_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self.await_legal.pop()

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self.held[id(node.iter)] = "iterated"
        self.bound.update(_target_names(node.target))

    def visit_CompFor_iter(self, node: cst.CompFor) -> None:
        # the outermost iterable is evaluated where the comprehension is written
        outer = id(node) in self.outermost_fors
        self.await_legal.append(self.await_legal[-2] if outer else self.await_legal[-1])

    def leave_CompFor_iter(self, node: cst.CompFor) -> None:
        self.await_legal.pop()

    # -- how a call is used ------------------------------------------------------------------------
    def visit_Await(self, node: cst.Await) -> None:
        self.held[id(node.expression)] = "awaited"

    def visit_WithItem(self, node: cst.WithItem) -> None:
        self.held[id(node.item)] = "entered"
        if node.asname is not None:
            self.bound.update(_target_names(node.asname.name))

    def visit_For(self, node: cst.For) -> None:
        self.held[id(node.iter)] = "iterated"
        self.bound.update(_target_names(node.target))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.primary_parts.add(id(node.value))

    def visit_Subscript(self, node: cst.Subscript) -> None:
        self.primary_parts.add(id(node.value))

    def visit_Call(self, node: cst.Call) -> None:
        self.primary_parts.add(id(node.func))
        where = self.get_metadata(PositionProvider, node)
        self.sites[(where.start.line, where.start.column)] = CallSite(
            node,
            (where.end.line, where.end.column),
            self.await_legal[-1],
            self.held.get(id(node), ""),
            id(node) in self.primary_parts and not node.lpar,
        )

    # -- names and comments ------------------------------------------------------------------------
    def visit_Param(self, node: cst.Param) -> None:
        self.bound.add(node.name.value)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self.bound.update(_target_names(node.target))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.bound.update(_target_names(node.target))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.bound.update(_target_names(node.target))

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self.bound.update(_target_names(node.target))

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self.bound.update(_target_names(node.name.name))

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            dotted = cst.helpers.get_full_name_for_node(alias.name) or ""
            self.imports.roots.add(dotted.partition(".")[0])
            name = alias.evaluated_alias or dotted.partition(".")[0]
            if self.depth:
                self.bound.add(name)  # a function-local import: not usable module-wide
                continue
            if alias.asname is not None:
                self.imports.bindings[name] = dotted
            else:
                self.imports.bindings[name] = name
            parts = dotted.split(".")
            self.imports.loaded.update(".".join(parts[: i + 1]) for i in range(len(parts)))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.module is not None and not node.relative:
            module = cst.helpers.get_full_name_for_node(node.module) or ""
            self.imports.roots.add(module.partition(".")[0])
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            self.bound.add(alias.evaluated_alias or alias.evaluated_name)

    def visit_Comment(self, node: cst.Comment) -> None:
        self.comments[self.get_metadata(PositionProvider, node).start.line] = node.value


class CommentCounter(cst.CSTVisitor):
    """How many comments a subtree holds: a rewrite must keep every one."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def visit_Comment(self, node: cst.Comment) -> None:
        self.count += 1


def comments_in(node: cst.CSTNode) -> int:
    counter = CommentCounter()
    node.visit(counter)
    return counter.count
