"""The libcst visitor over coroutine bodies: confirms and locates each candidate.

The ``ast`` index already knows which calls inside coroutines resolve to blocking APIs (the
candidates). libcst parses only the coroutines that contain one — the source segment of the
outermost ``async def``, not the module — and walks it with an explicit context stack:

* a coroutine body pushes "on the loop"; a nested sync ``def``, ``lambda`` or ``class`` body pushes
  "not on the loop" (it runs later, elsewhere, or not at all);
* decorators, default values and annotations sit outside the body, so they keep the enclosing
  context — they are evaluated where the ``def`` is written;
* comprehensions and generator expressions push nothing: they run where they are written.

A candidate is reported only where this walk also sees a call on the loop at the same position,
so the two trees must agree. Segments are parsed unchanged (columns stay exact): a ``def`` that is
indented is wrapped in ``if 1:`` so the indented block is legal on its own, which also keeps
multi-line strings with less indentation intact; lines are shifted back by the segment's offset.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from loopguard.sourcetext import libcst_refusal


@dataclass(slots=True)
class LoopCalls:
    """Calls on the loop keyed by (line, column) -> their (end line, end column), outermost first:
    in ``requests.Session().get(url)`` the ``get`` call and the ``Session`` call start together.

    Lines are 1-based in the original file; columns are 0-based character offsets.
    """

    calls: dict[tuple[int, int], list[tuple[int, int]]] = field(default_factory=dict)

    def add(self, start: tuple[int, int], end: tuple[int, int]) -> None:
        ends = self.calls.setdefault(start, [])
        if end not in ends:
            ends.append(end)


class LoopCallVisitor(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, line_offset: int, found: LoopCalls, loop_defs: frozenset[int] = frozenset()) -> None:
        super().__init__()
        self.line_offset = line_offset
        self.found = found
        self.loop_defs = loop_defs  # def lines of sync functions that run on the loop
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
        if self.on_loop and self.on_loop[-1]:
            where = self.get_metadata(PositionProvider, node)
            start = (where.start.line + self.line_offset, where.start.column)
            self.found.add(start, (where.end.line + self.line_offset, where.end.column))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        """Reading, assigning or deleting an attribute calls a property's accessor there (a call
        at the same position keeps its own end)."""
        self.reaches(node)

    def visit_For(self, node: cst.For) -> None:
        """A sync ``for`` iterates its iterable where it is written (``for line in f:``)."""
        if node.asynchronous is None:
            self.reaches(node.iter)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        if node.asynchronous is None:
            self.reaches(node.iter)

    def reaches(self, expression: cst.BaseExpression) -> None:
        """An expression the loop runs a special method on (``__iter__``, ``__enter__``)."""
        if self.on_loop and self.on_loop[-1]:
            where = self.get_metadata(PositionProvider, expression)
            start = (where.start.line + self.line_offset, where.start.column)
            self.found.add(start, (where.end.line + self.line_offset, where.end.column))

    def visit_With(self, node: cst.With) -> None:
        """``with lock:`` enters the manager (a call of its ``__enter__``) where it is written."""
        if node.asynchronous is None:
            for item in node.items:
                self.reaches(item.item)


def segment_source(lines: list[str], def_line: int, def_column: int, end_line: int) -> tuple[str, int] | None:
    """The source of one ``async def`` parseable on its own, and the line offset to add back.

    ``lines`` keep their line endings; ``def_column`` is a character column. None when something
    other than indentation precedes the ``def`` on its line (``class A: async def f(): ...``).
    """
    prefix = lines[def_line - 1][:def_column]
    if prefix.strip():
        return None
    body = "".join(lines[def_line - 1 : end_line])
    if def_column == 0:
        return body, def_line - 1
    return "if 1:\n" + body, def_line - 2


def parse_guarded(text: str) -> cst.Module | None:
    """``text`` as a libcst module; None when libcst refuses it, or when handing it to libcst's native
    parser could overflow the stack or take too long (``sourcetext.libcst_refusal``)."""
    if libcst_refusal(text) is not None:
        return None
    try:
        return cst.parse_module(text)
    except Exception:  # noqa: BLE001 - ParserSyntaxError, or libcst's own limits (RecursionError...)
        return None


def locate_in_segment(
    lines: list[str], def_line: int, def_column: int, end_line: int, found: LoopCalls,
    loop_defs: frozenset[int] = frozenset(),
) -> bool:
    """Walk one coroutine's segment; False when it cannot be parsed on its own."""
    segment = segment_source(lines, def_line, def_column, end_line)
    if segment is None:
        return False
    text, offset = segment
    return walk(parse_guarded(text), offset, found, loop_defs)


def locate_in_module(source: str, found: LoopCalls, loop_defs: frozenset[int] = frozenset()) -> bool:
    """Walk the whole module (the fallback when a segment does not parse on its own)."""
    return walk(parse_guarded(source), 0, found, loop_defs)


def walk(module: cst.Module | None, offset: int, found: LoopCalls, loop_defs: frozenset[int]) -> bool:
    """Visit a parsed module; False when there is none, or the tree nests beyond the visitor's
    recursion (then nothing of it is kept: ``found`` is only filled by a complete walk)."""
    if module is None:
        return False
    walked = LoopCalls()
    try:
        MetadataWrapper(module, unsafe_skip_copy=True).visit(LoopCallVisitor(offset, walked, loop_defs))
    except RecursionError:
        return False
    found.calls.update(walked.calls)
    return True


def parses_with_libcst(source: str) -> bool:
    """Whether libcst (which knows every syntax up to Python 3.14) accepts ``source``; False too
    when it is not safe to ask (see ``parse_guarded``)."""
    return parse_guarded(source) is not None
