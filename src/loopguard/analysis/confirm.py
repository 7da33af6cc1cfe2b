"""The confirm stage: confirm and locate each candidate with libcst (``# noqa`` is read after, by
the suppress stage: ``noqa.py``).

libcst parses the coroutines that hold a candidate (``checker.py``). When it cannot — the text is
too long or nests too deeply to hand to its native parser safely (``sourcetext.libcst_refusal``), or
libcst refuses syntax ``ast`` accepted (4,000 implicit string concatenations) — the candidates of
that coroutine are not dropped: the ``ast`` index already placed them on the loop, so they are
reported at the positions ``ast`` gave.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from loopguard.analysis.checker import LoopCalls, locate_in_module, locate_in_segment
from loopguard.analysis.stages import Candidate, Confirmation, file_error, internal_error
from loopguard.analysis.transitive import short_name
from loopguard.catalogue import ITERATED_AS
from loopguard.catalogue.advice import in_a_thread
from loopguard.models import FileResult, Finding, Hop
from loopguard.sourcetext import (
    SourceRefused,
    decode_source,
    read_source,
    split_lines,
)

Span = tuple[int, int, int]
T = TypeVar("T")


#: What a confirmed file's text and findings are handed to (the fix planner), and its answer.
Then = Callable[[str, tuple[Finding, ...]], T]


def confirm_file(plan: Confirmation) -> FileResult:
    return confirm_file_then(plan, lambda text, findings: None)[0]


def confirm_file_then(plan: Confirmation, then: Then[T]) -> tuple[FileResult, T | None]:
    """``confirm_file``, and ``then`` of the text it read and the findings it confirmed (None when
    the file has no findings or could not be confirmed): the fixes are planned from the same text,
    without reading the file again."""
    try:
        text = decode_source(plan.source if plan.source is not None else read_source(plan.path))
    except SourceRefused as refused:
        return file_error(plan.display, refused.message, refused.line, refused.column), None
    except OSError as error:
        return file_error(plan.display, f"cannot read file: {error.strerror or error}"), None
    try:
        findings = confirm(plan.candidates, plan.spans, text, plan.display, plan.library, plan.loop_defs)
    except Exception as error:  # noqa: BLE001 - one file's bug must not stop the others
        return internal_error(plan.display, error), None
    return FileResult(plan.display, findings), then(text, findings) if findings else None


def walk_spans(lines: list[str], text: str, spans: tuple[Span, ...], loop_defs: frozenset[int]) -> tuple[LoopCalls, set[Span]]:
    """The libcst walk of every span, and the spans it could not walk (confirmed from ``ast``)."""
    found = LoopCalls()
    failed = set()
    for span in spans:
        def_line, def_col, end_line = span
        column = character_column(line_at(lines, def_line), def_col)
        if not locate_in_segment(lines, def_line, column, end_line, found, loop_defs):
            failed.add(span)
    if failed:
        whole = LoopCalls()
        if locate_in_module(text, whole, loop_defs):
            return whole, set()
    return found, failed


def confirm(
    candidates: tuple[Candidate, ...], spans: tuple[Span, ...], text: str, display: str,
    library: str, loop_defs: frozenset[int] = frozenset(),
) -> tuple[Finding, ...]:
    """Locate each candidate with libcst; keep those the libcst walk also sees on the loop."""
    lines = split_lines(text)
    found, unwalked = walk_spans(lines, text, spans, loop_defs)
    findings = []
    for candidate in candidates:
        call = candidate.call
        column = character_column(line_at(lines, call.line), call.col)
        expected = (call.end_line, character_column(line_at(lines, call.end_line), call.end_col))
        if call.span in unwalked:
            end: tuple[int, int] | None = expected
        else:
            ends = found.calls.get((call.line, column))
            # the call that ends where ast says: ``Session()`` and ``.get()`` start together
            end = None if ends is None else expected if expected in ends else ends[-1]
        if end is None:
            continue
        findings.append(make_finding(candidate, display, column, end, library))
    return tuple(sorted(findings, key=Finding.sort_key))


def line_at(lines: list[str], number: int) -> str:
    """Line ``number`` (1-based); empty past the end (the file changed since it was indexed)."""
    return lines[number - 1] if 0 < number <= len(lines) else ""


def character_column(line: str, byte_offset: int) -> int:
    """ast columns are UTF-8 byte offsets; libcst's and the user's are characters."""
    if line.isascii():
        return byte_offset
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="replace"))


#: An access of a property (``resolve.access_target``): what it is called, and what runs it in a thread
ACCESS_VERBS = {"get": ("reading", "getattr"), "set": ("assigning", "setattr"), "del": ("deleting", "delattr")}


def helper_names(via: str) -> tuple[str, str, str]:
    """(the call as the chain shows it, the message's subject, the function a thread would run) for
    a call of the project helper ``via`` — or an access of the property ``Cls.name:get``."""
    prop, _, kind = via.partition(":")
    if kind in ACCESS_VERBS:
        verb, threaded = ACCESS_VERBS[kind]
        name = short_name(prop)
        return name, f"{verb} `{name}`", threaded
    helper = short_name(via)
    return f"{helper}()", f"`{helper}()`", helper


ITERATION = ".__iter__"


def subject_of(api: str) -> str:
    """How a message names the blocking API: ``time.sleep`` as itself, the iteration of a type
    (``sqlite3.Cursor.__iter__``) as "iterating a `sqlite3.Cursor`", with the catalogue's words for
    its pseudo types (``pathlib.PathListing`` is what ``Path.iterdir()`` returns)."""
    if api.endswith(ITERATION):
        iterated = api.removesuffix(ITERATION)
        return f"iterating {ITERATED_AS.get(iterated, f'a `{iterated}`')}"
    return f"`{api.removeprefix('builtins.')}`"


def suggested_name(rule_api: str, suggest_as: dict[str, str]) -> str:
    """What "{api}" in a replacement stands for: the API that matched, or the one to run in a thread
    instead (``threading.Lock.acquire`` for ``with lock:``; ``list`` to iterate in a thread)."""
    if rule_api in suggest_as:
        return suggest_as[rule_api].removeprefix("builtins.")
    return "list" if rule_api.endswith(ITERATION) else rule_api.removeprefix("builtins.")


def make_finding(candidate: Candidate, display: str, column: int, end: tuple[int, int], library: str) -> Finding:
    match, call = candidate.match, candidate.call
    rule = match.rule
    # "{api}" in a rule's replacement stands for the very API that matched
    suggested_api = suggested_name(match.api, rule.suggest_as)
    suggestion = (match.suggestion or rule.suggestion(library)).replace("{api}", suggested_api)
    chain: tuple[Hop, ...] = ()
    if candidate.via:
        called, subject, threaded = helper_names(candidate.via)
        last = candidate.chain[-1]
        hops = " -> ".join(f"{hop.call}" for hop in candidate.chain)
        message = f"{subject} blocks the event loop: -> {hops} ({last.path}:{last.line})"
        suggestion = f"{in_a_thread(library, threaded)} or, in `{last.function}`, {suggestion}"
        first = Hop(display, call.line, column + 1, short_name(call.function), called)
        chain = (first, *candidate.chain)
        root = f"{last.path}:{last.line} {last.call}"
    else:
        message = match.note or f"{subject_of(match.api)} blocks the event loop"
        root = f"{display}:{call.line} {match.api.removeprefix('builtins.')}"
    return Finding(
        path=display,
        line=call.line,
        column=column + 1,
        end_line=end[0],
        end_column=end[1] + 1,
        code=rule.code,
        name=rule.name,
        message=message,
        suggestion=suggestion,
        chain=chain,
        root=root,
    )
