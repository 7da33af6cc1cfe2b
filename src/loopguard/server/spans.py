"""Phase three (libcst) per coroutine, remembered between keystrokes.

Confirming a plan walks every coroutine that holds a candidate with libcst: most of a re-check of a
big buffer (12 coroutines in prefect's ``flow_engine.py``: ~2/3 of the time). Typing changes one
coroutine; the others keep their text, and while no line is added or removed above them, their
positions too. So each coroutine's findings are kept, keyed by everything ``confirm`` reads for it —
its span, its source lines, its candidates, the library and its loop-function lines — and only
the coroutines whose key changed are walked again. A span confirmed alone gives what it gives
among the others: ``confirm`` locates each span's calls in that span's segment.
"""

from __future__ import annotations

from loopguard.analysis.confirm import confirm
from loopguard.analysis.stages import Candidate, Confirmation, file_error, internal_error
from loopguard.models import FileResult, Finding
from loopguard.sourcetext import SourceRefused, decode_source, split_lines

Span = tuple[int, int, int]
SpanKey = tuple[str, Span, str, str, str, frozenset[int]]


class SpanMemo:
    """The findings of each coroutine of the last check of each buffer."""

    def __init__(self) -> None:
        self.by_path: dict[str, dict[SpanKey, tuple[Finding, ...]]] = {}

    def confirm_file(self, plan: Confirmation) -> FileResult:
        """``confirm.confirm_file`` for a buffer, walking only the coroutines that changed."""
        try:
            text = decode_source(plan.source or b"")
        except SourceRefused as refused:
            return file_error(plan.display, refused.message, refused.line, refused.column)
        try:
            return FileResult(plan.display, self.confirm_spans(plan, text))
        except Exception as error:  # noqa: BLE001 - one file's bug must not stop the others
            return internal_error(plan.display, error)

    def confirm_spans(self, plan: Confirmation, text: str) -> tuple[Finding, ...]:
        lines = split_lines(text)
        known = self.by_path.get(plan.display, {})
        kept: dict[SpanKey, tuple[Finding, ...]] = {}
        findings: list[Finding] = []
        for span in plan.spans:
            candidates = tuple(c for c in plan.candidates if c.call.span == span)
            key = span_key(plan, span, lines, candidates)
            if key not in known:
                loop_defs = frozenset(line for line in plan.loop_defs if span[0] <= line <= span[2])
                known[key] = confirm(
                    candidates, (span,), text, plan.display, plan.library, loop_defs
                )
            kept[key] = known[key]
            findings += kept[key]
        self.by_path[plan.display] = kept  # only this check's: the memo does not grow with edits
        return tuple(sorted(findings, key=Finding.sort_key))


def span_key(
    plan: Confirmation, span: Span, lines: list[str], candidates: tuple[Candidate, ...]
) -> SpanKey:
    def_line, _column, end_line = span
    source = "\n".join(lines[def_line - 1 : end_line])
    loop_defs = frozenset(line for line in plan.loop_defs if def_line <= line <= end_line)
    return (plan.display, span, source, repr(candidates), plan.library, loop_defs)
