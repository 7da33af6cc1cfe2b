"""The libcst walk over coroutine bodies: confirms and locates each candidate.

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
The walk is one code generation of the segment's tree, which gives the positions too
(``loop_positions.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from loopguard.analysis.loop_positions import loop_positions
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
    """Visit a parsed module; False when there is none, or the tree nests beyond the walk's
    recursion (then nothing of it is kept: ``found`` is only filled by a complete walk)."""
    if module is None:
        return False
    try:
        located = loop_positions(module, offset, loop_defs)
    except RecursionError:
        return False
    for start_line, start_column, end_line, end_column in located:
        found.add((start_line + offset, start_column), (end_line + offset, end_column))
    return True


def parses_with_libcst(source: str) -> bool:
    """Whether libcst (which knows every syntax up to Python 3.14) accepts ``source``; False too
    when it is not safe to ask (see ``parse_guarded``)."""
    return parse_guarded(source) is not None
