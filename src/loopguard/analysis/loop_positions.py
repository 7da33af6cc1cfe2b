"""Where the calls on the loop are in a libcst tree: the checker's walk (``checker.py``), done in
one code generation of the tree.

libcst gives positions through its ``PositionProvider``, which generates the code of the whole tree
and records a position for every node; asked through a ``MetadataWrapper``, it also walks the tree
once more for the batchable providers (there are none here), and the checker's visitor walked it a
third time. On homeassistant's coroutines those three walks were two thirds of confirming.

Here the code generation is the only walk: a ``CodegenState`` is told when each node starts and
ends (``before_codegen``/``after_codegen``) and where each expression's syntax starts and ends
(``record_syntactic_position``, the span the ``PositionProvider`` gives an expression: without its
parentheses), and it follows lines and columns exactly as that provider does. It keeps the context
stack of the checker's visitor — a coroutine body is on the loop, a sync ``def`` (unless it runs
on the loop), ``lambda`` or ``class`` body is not — and records the span of each node the visitor
reported there: a call, an attribute (a property's accessor runs there), the iterable of a sync
``for`` or comprehension, the manager of a sync ``with``. Spans are listed in the order the
visitor met the nodes (where it enters them), which puts an outer call before an inner call that
starts with it.

``CodegenState`` and ``CSTNode._codegen`` are libcst internals, the ones its own position providers
are built on (unchanged since libcst 0.3); ``tests/test_loop_positions.py`` checks this walk against
the ``MetadataWrapper`` visitor it replaces.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import libcst as cst
from libcst._nodes.internal import CodegenState

#: A located node: start line, start column, end line, end column, within the parsed text.
Span = list[int]

#: The line breaks the ``PositionProvider`` counts (``\r\n`` is one).
NEWLINE = re.compile(r"\r\n?|\n")

#: Nodes reported wherever they are on the loop.
LOCATED = frozenset({cst.Call, cst.Attribute})


class LoopPositions(CodegenState):
    """A code generation that locates what the checker's visitor reported (see the module doc)."""

    __slots__ = ("bodies", "column", "def_names", "line", "loop_defs", "offset", "on_loop", "reached", "spans")

    def __init__(self, module: cst.Module, offset: int, loop_defs: frozenset[int]) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.line = 1  # one-based, as the PositionProvider's
        self.column = 0
        self.on_loop: list[bool] = [False]  # module level
        #: id(the body of a def, lambda or class, until it ends) -> whether it runs on the loop
        self.bodies: dict[int, bool] = {}
        self.def_names: dict[int, int] = {}  # id(a sync def's name) -> id(its body)
        self.reached: set[int] = set()  # id(iterables of sync ``for``s, managers of sync ``with``s)
        self.loop_defs = loop_defs
        self.offset = offset
        self.spans: list[Span] = []

    # -- lines and columns, as ``WhitespaceInclusivePositionProvidingCodegenState`` counts them --
    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self.advance(value)

    def add_indent_tokens(self) -> None:
        self.tokens.extend(self.indent_tokens)
        for token in self.indent_tokens:
            self.advance(token)

    def advance(self, value: str) -> None:
        if "\n" not in value and "\r" not in value:
            self.column += len(value)
            return
        segments = NEWLINE.split(value)
        self.line += len(segments) - 1
        self.column = len(segments[-1])

    # -- the checker's context stack -------------------------------------------------------------
    def before_codegen(self, node: cst.CSTNode) -> None:
        on_loop = self.bodies.get(id(node))
        if on_loop is not None:
            self.on_loop.append(on_loop)
        entered = ENTERED.get(type(node))
        if entered is not None:
            entered(self, node)

    def after_codegen(self, node: cst.CSTNode) -> None:
        if self.bodies.pop(id(node), None) is not None:
            self.on_loop.pop()

    def enter_def(self, node: cst.FunctionDef) -> None:
        self.bodies[id(node.body)] = node.asynchronous is not None
        if node.asynchronous is None:  # on the loop when the checker says so, by its name's line
            self.def_names[id(node.name)] = id(node.body)

    def enter_other_scope(self, node: cst.Lambda | cst.ClassDef) -> None:
        self.bodies[id(node.body)] = False

    def enter_iteration(self, node: cst.For | cst.CompFor) -> None:
        if node.asynchronous is None:  # a sync ``for`` iterates its iterable where it is written
            self.reached.add(id(node.iter))

    def enter_with(self, node: cst.With) -> None:
        if node.asynchronous is None:  # ``with lock:`` calls the manager's ``__enter__`` there
            self.reached.update(id(item.item) for item in node.items)

    @contextmanager
    def record_syntactic_position(
        self, node: cst.CSTNode, *, start_node: cst.CSTNode | None = None, end_node: cst.CSTNode | None = None
    ) -> Iterator[None]:
        if self.def_names and id(node) in self.def_names:
            self.bodies[self.def_names.pop(id(node))] = self.line + self.offset in self.loop_defs
            yield
            return
        if not self.on_loop[-1] or (type(node) not in LOCATED and id(node) not in self.reached):
            yield
            return
        span = [self.line, self.column]
        self.spans.append(span)
        yield
        span += (self.line, self.column)


#: What entering a node of these types does (``LoopPositions.before_codegen``).
ENTERED: dict[type[cst.CSTNode], Callable[[LoopPositions, Any], None]] = {
    cst.FunctionDef: LoopPositions.enter_def,
    cst.Lambda: LoopPositions.enter_other_scope,
    cst.ClassDef: LoopPositions.enter_other_scope,
    cst.For: LoopPositions.enter_iteration,
    cst.CompFor: LoopPositions.enter_iteration,
    cst.With: LoopPositions.enter_with,
}


def loop_positions(module: cst.Module, offset: int, loop_defs: frozenset[int]) -> list[tuple[int, int, int, int]]:
    """The span of each node on the loop, as the checker's visitor met them: lines within the
    parsed text (``offset`` turns them into the file's, for ``loop_defs``), columns in characters."""
    state = LoopPositions(module, offset, loop_defs)
    module._codegen(state)
    return [(span[0], span[1], span[2], span[3]) for span in state.spans]
