"""Applying fixes without losing a byte: edits on text, the bounded fix loop, atomic writes.

* Edits of several fixes that overlap are not applied together: the outermost fix wins and the
  others wait for the next round of the loop, on the text the first produced (``f(g(x))`` with both
  calls blocking is wrapped outside in, one round each). Identical edits (the same import added
  by two fixes) are made once.
* Each round is verified: the new text must compile (``await`` where Python allows it) when the old
  one did, and checking it again must not report a fixed finding where its call now starts.
  Otherwise the file keeps its original text and the failure is reported.
* A file is written by ``atomic_source_write`` (a temporary file in its own directory renamed over
  it, in the file's encoding, BOM and permissions kept); the line breaks are the file's own (fixes
  insert the module's newline); a file whose bytes changed on disk since they were read is not
  written.
"""

from __future__ import annotations

import bisect
import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from loopguard.atomic_source_write import SourceFile, write_source_atomically
from loopguard.models import Edit, Finding, Fix
from loopguard.safeio import read_regular_file
from loopguard.sourcetext import MAX_FILE_BYTES

#: Rounds of the fix loop: each fixes what the last one's overlapping edits held back.
MAX_ROUNDS = 8

Span = tuple[int, int]
#: The fixes wanted for a text's findings (planned on that text).
Planner = Callable[[str, Sequence[Finding]], Mapping[Finding, Fix]]
#: The findings of a fixed text, checked again; None when it could not be checked.
Recheck = Callable[[str], "Sequence[Finding] | None"]


# -- edits on text ---------------------------------------------------------------------------------
def line_starts(text: str) -> list[int]:
    """The offset where each line starts (``\n``, ``\r\n`` and a lone ``\r`` end a line), and
    the end of the text as the start of the line after a last line that has no line break."""
    starts = [0]
    for index, char in enumerate(text):
        if char == "\n" or (char == "\r" and text[index + 1 : index + 2] != "\n"):
            starts.append(index + 1)
    if starts[-1] != len(text):
        starts.append(len(text))
    return starts


def offset_of(starts: list[int], line: int, column: int) -> int:
    return starts[min(line, len(starts)) - 1] + column - 1


def position_of(starts: list[int], offset: int) -> tuple[int, int]:
    """The 1-based (line, column) of an offset."""
    line = bisect.bisect_right(starts, offset) - 1
    return line + 1, offset - starts[line] + 1


def edit_span(starts: list[int], edit: Edit) -> Span:
    start = offset_of(starts, edit.line, edit.column)
    return start, offset_of(starts, edit.end_line, edit.end_column)


def conflict(one: Span, other: Span) -> bool:
    """Overlapping ranges, or an insertion strictly inside the other's range."""
    (a, b), (c, d) = one, other
    return max(a, c) < min(b, d) or (a == b and c < a < d) or (c == d and a < c < b)


@dataclass(frozen=True, slots=True)
class Applied:
    """The text after one round, and each fixed finding with the offset its call now starts at."""

    text: str
    fixed: tuple[tuple[Finding, int], ...]


def apply_fixes(text: str, fixes: Mapping[Finding, Fix]) -> Applied:
    """Apply every fix that does not overlap one applied before it, outermost first."""
    starts = line_starts(text)
    taken: dict[Edit, Span] = {}
    chosen: list[tuple[Finding, Edit]] = []

    def outermost_first(item: tuple[Finding, Fix]) -> tuple[int, int]:
        start, end = edit_span(starts, item[1].edits[0])
        return start, -end

    for finding, fix in sorted(fixes.items(), key=outermost_first):
        new = [(edit, edit_span(starts, edit)) for edit in fix.edits if edit not in taken]
        if any(conflict(span, held) for _, span in new for held in taken.values()):
            continue  # the next round, on the text this one makes
        taken.update(new)
        chosen.append((finding, fix.edits[0]))
    new_text = splice(text, [(span, edit.content) for edit, span in taken.items()])
    return Applied(new_text, tuple((finding, moved_start(edit, taken)) for finding, edit in chosen))


def splice(text: str, replacements: Sequence[tuple[Span, str]]) -> str:
    """Replace each span by its content; the spans do not overlap (insertions at one point go in
    the order of their contents)."""
    pieces, position = [], 0
    for (start, end), content in sorted(replacements):
        pieces += [text[position:start], content]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def moved_start(edit: Edit, taken: Mapping[Edit, Span]) -> int:
    """Where ``edit`` starts in the new text: shifted by every edit that ends before it."""
    start = taken[edit][0]
    before = ((other, span) for other, span in taken.items() if other != edit and span[1] <= start)
    return start + sum(len(other.content) - (end - begin) for other, (begin, end) in before)


# -- the fix loop ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class FixedText:
    """The outcome of fixing one file's text: the new text, the findings fixed and those left;
    ``error`` says why nothing was fixed (then ``text`` is the original)."""

    text: str
    fixed: tuple[Finding, ...]
    remaining: tuple[Finding, ...]
    error: str = ""


def compile_error(text: str) -> str | None:
    """Why Python would not compile ``text`` (an ``await`` where it is illegal, too), or None."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, "<fixed>", "exec", dont_inherit=True)
    except SyntaxError as error:
        return f"{error.msg} at line {error.lineno}"
    except (ValueError, RecursionError, MemoryError) as error:
        return type(error).__name__
    return None


def fix_text(text: str, findings: Sequence[Finding], plan: Planner, recheck: Recheck) -> FixedText:
    """Fix, check again, repeat until nothing changes (at most ``MAX_ROUNDS`` times)."""
    current, pending, fixed = text, tuple(findings), []
    compiled = compile_error(text) is None
    for _ in range(MAX_ROUNDS):
        fixes = plan(current, pending)
        if not fixes:
            break
        applied = apply_fixes(current, fixes)
        failure, result = verify(applied, compiled, recheck)
        if failure:
            return FixedText(text, (), tuple(findings), failure)
        fixed += [finding for finding, _ in applied.fixed]
        current, pending = applied.text, result
    return FixedText(current, tuple(fixed), pending)


def verify(applied: Applied, compiled: bool, recheck: Recheck) -> tuple[str, tuple[Finding, ...]]:
    """Why the fixed text is refused ("" when it is not), and its findings."""
    problem = compile_error(applied.text) if compiled else None
    if problem is not None:
        return f"the fixed code would not compile ({problem})", ()
    result = recheck(applied.text)
    if result is None:
        return "the fixed code could not be checked again", ()
    starts = line_starts(applied.text)
    for finding, offset in applied.fixed:
        line, column = position_of(starts, offset)
        still = (line, column, finding.code, finding.message)
        if any((f.line, f.column, f.code, f.message) == still for f in result):
            return f"the fix of {finding.code} at line {finding.line} did not remove it", ()
    return "", tuple(result)


# -- files ----------------------------------------------------------------------------------------
class ChangedOnDisk(Exception):
    """The file's bytes are not those the fixes were planned on."""


def write_fixed(source: SourceFile, text: str) -> None:
    """Write the fixed ``text`` over the file (atomically, see ``atomic_source_write``), unless
    its bytes are no longer those ``source`` was read from: then ``ChangedOnDisk``."""
    expected = source.text.encode(source.encoding)  # read_source_file made sure these are its bytes
    current = read_regular_file(os.path.realpath(source.path), max(len(expected), MAX_FILE_BYTES))
    if current != expected:
        raise ChangedOnDisk(str(source.path))
    write_source_atomically(source, text)
