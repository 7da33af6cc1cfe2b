"""The per-file pipeline: read -> parse (ast) -> index -> candidates -> confirm (libcst) -> suppress.

Phase one (``index_source``) and phase three (``confirm``) are pure functions of a file's bytes and
the settings, so they run in worker processes and their results can be cached by content; phase two
(``plan_confirmation``) needs the whole project's names and runs once, in the main process.
"""

from __future__ import annotations

import ast
import io
import os
import tokenize
import warnings
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from loopguard import catalogue
from loopguard.config import Config
from loopguard.index import index_module
from loopguard.match import Match, Matcher
from loopguard.models import FileResult, Finding, Hop
from loopguard.summary import TARGET, FileSummary, FunctionSummary, LoopCall, summarize
from loopguard.suppress import is_selected, per_file_ignored, silenced_by_noqa
from loopguard.transitive import CallGraph, short_name
from loopguard.world import GlobalProject


@dataclass(frozen=True, slots=True)
class Settings:
    """What a worker needs besides the file: built once per run, pickled once per worker."""

    config: Config
    matcher: Matcher


def make_settings(config: Config) -> Settings:
    rules = tuple(r for r in catalogue.RULES if is_selected(r, config.select, config.ignore))
    return Settings(config, Matcher(rules, config.blocking_calls, config.safe_calls))


@dataclass(frozen=True)  # not slotted: it crosses processes, and slotted dataclasses pickle slowly
class Candidate:
    """A call on the loop that blocks: directly (``match``), or through ``via``, a project function
    whose ``chain`` leads down to the blocking API ``match``."""

    call: LoopCall
    match: Match
    via: str = ""
    chain: tuple[Hop, ...] = ()


def file_error(path: str, message: str, line: int = 1, column: int = 1) -> FileResult:
    finding = Finding(
        path=path, line=line, column=column, end_line=line, end_column=column, code="LG001",
        name="file-error", message=message,
    )
    return FileResult(path, (finding,), error=True)


def decode_source(data: bytes) -> str:
    """Decode as Python does: a BOM or a PEP 263 coding cookie, else UTF-8."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding)


@cache
def package_parts(directory: str) -> tuple[str, ...]:
    """The dotted name of the package a directory is (empty when it has no ``__init__.py``)."""
    if not os.path.isfile(os.path.join(directory, "__init__.py")):
        return ()
    parent, name = os.path.split(directory)
    if not name:
        return ()
    return (*package_parts(parent), name) if parent != directory else (name,)


def source_roots(root: Path) -> tuple[str, ...]:
    """Where the project's import roots are: ``src/`` (src layout) and the project root (flat)."""
    src = root / "src"
    return (str(src), str(root)) if src.is_dir() else (str(root),)


def module_name(path: Path, roots: tuple[str, ...] = ()) -> tuple[str, str]:
    """(module, package) for a file: its stem prefixed by every enclosing package directory.

    Above the last ``__init__.py``, directories inside one of the project's source ``roots`` are
    namespace packages (PEP 420) and name the module too: ``src/acme/billing/api.py`` with no
    ``__init__.py`` anywhere is ``acme.billing.api``."""
    directory, filename = os.path.split(os.path.abspath(path))
    stem = filename.rpartition(".")[0] or filename
    package = package_parts(directory)
    above = directory
    for _ in package:
        above = os.path.dirname(above)
    for root in roots:
        if above.startswith(root + os.sep):
            namespace = tuple(above[len(root) + 1 :].split(os.sep))
            if all(part.isidentifier() for part in namespace):
                package = (*namespace, *package)
            break
    parts = package if stem == "__init__" else (*package, stem)
    module = ".".join(parts) or stem
    return module, (module if stem == "__init__" else ".".join(package))


@dataclass(frozen=True)  # not slotted: it crosses processes, and slotted dataclasses pickle slowly
class Indexed:
    """Phase one of a file: its summary (or the LG001 result when it cannot be checked)."""

    path: Path
    display: str
    relative: str
    summary: FileSummary | None
    error: FileResult | None = None
    source: bytes | None = None  # kept only for standard input, which cannot be read twice
    context: bool = False  # indexed only so names resolve (an imported module not being checked)


def internal_error(display: str, error: BaseException) -> FileResult:
    return file_error(
        display, f"internal error while checking this file ({type(error).__name__}: {error}); please report it"
    )


def index_source(
    data: bytes,
    path: Path,
    display: str,
    relative: str,
    module: str,
    package: str,
    project_tops: Collection[str] = (),
    keep_source: bool = False,
    matcher: Matcher | None = None,
) -> Indexed:
    try:
        text = decode_source(data)
    except (UnicodeDecodeError, SyntaxError, LookupError) as error:
        return Indexed(path, display, relative, None, file_error(display, f"cannot decode file: {error}"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences are the user's business
            tree = ast.parse(text, filename=display)
    except SyntaxError as error:
        return Indexed(path, display, relative, None, syntax_error(display, text, error))
    except ValueError as error:  # null bytes
        return Indexed(path, display, relative, None, file_error(display, f"cannot parse file: {error}"))
    wanted = (lambda key: matcher.match(key) is not None) if matcher is not None else (lambda key: True)
    summary = summarize(index_module(tree, module, package), project_tops, wanted)
    return Indexed(path, display, relative, summary, source=data if keep_source else None)


def syntax_error(display: str, text: str, error: SyntaxError) -> FileResult:
    from loopguard.checker import parses_with_libcst

    if parses_with_libcst(text):
        message = (
            "cannot analyse file: it uses syntax newer than the Python running loopguard can parse; "
            "run loopguard with a newer Python"
        )
    else:
        message = f"cannot parse file: {error.msg}"
    return file_error(display, message, error.lineno or 1, error.offset or 1)


def find_candidates(
    summary: FileSummary, project: GlobalProject, graph: CallGraph, settings: Settings, relative: str
) -> list[Candidate]:
    per_file = settings.config.per_file_ignores
    candidates = []
    for call in (*summary.calls, *loop_function_calls(summary, graph, settings)):
        key = project.target(call[TARGET])
        if key is not None and settings.matcher.is_safe(key):
            continue  # safe-calls: neither reported nor followed
        found = settings.matcher.match(key)
        if found is not None:
            candidate = Candidate(LoopCall._make(call), found)
        else:
            helper = graph.function_for(key)
            witness = graph.blocking(helper) if helper is not None else None
            if witness is None or helper is None:
                continue
            candidate = Candidate(LoopCall._make(call), witness.match, helper, witness.hops)
        if not per_file_ignored(candidate.match.rule.code, relative, per_file):
            candidates.append(candidate)
    return candidates


def loop_function_calls(summary: FileSummary, graph: CallGraph, settings: Settings) -> list[LoopCall]:
    """The calls of this module's sync functions that run on the loop (``graph.loop_functions``),
    checked like a coroutine's."""
    calls = []
    for qualname in graph.loop_functions.intersection(summary.functions):
        function = FunctionSummary(*summary.functions[qualname])
        span = (function.line, function.col, function.end_line)
        calls += [LoopCall(*call, span, qualname) for call in function.calls]
    return calls


@dataclass(frozen=True)  # not slotted: it crosses processes, and slotted dataclasses pickle slowly
class Confirmation:
    """Phase three of a file with candidates: what the libcst walk needs."""

    path: Path
    display: str
    candidates: tuple[Candidate, ...]
    spans: tuple[tuple[int, int, int], ...]
    library: str
    source: bytes | None = None
    loop_defs: frozenset[int] = frozenset()  # def lines of sync functions that run on the loop


def plan_confirmation(
    indexed: Indexed, project: GlobalProject, graph: CallGraph, settings: Settings
) -> Confirmation | None:
    summary = indexed.summary
    if summary is None or indexed.context or not (summary.calls or graph.loop_functions):
        return None
    candidates = find_candidates(summary, project, graph, settings, indexed.relative)
    if not candidates:
        return None
    spans = sorted({candidate.call.span for candidate in candidates})
    loop_defs = frozenset(c.call.span[0] for c in candidates if c.call.function in summary.functions)
    return Confirmation(
        indexed.path, indexed.display, tuple(candidates), tuple(spans), summary.library, indexed.source,
        loop_defs,
    )


def confirm_file(plan: Confirmation) -> FileResult:
    try:
        text = decode_source(plan.source if plan.source is not None else plan.path.read_bytes())
    except (OSError, UnicodeDecodeError, SyntaxError, LookupError) as error:
        return file_error(plan.display, f"cannot read file: {error}")
    try:
        findings = confirm(plan.candidates, plan.spans, text, plan.display, plan.library, plan.loop_defs)
        return FileResult(plan.display, findings)
    except Exception as error:  # noqa: BLE001 - one file's bug must not stop the others
        return internal_error(plan.display, error)


def confirm(
    candidates: tuple[Candidate, ...], spans: tuple[tuple[int, int, int], ...], text: str, display: str,
    library: str, loop_defs: frozenset[int] = frozenset(),
) -> tuple[Finding, ...]:
    """Locate each candidate with libcst; keep those the libcst walk also sees on the loop."""
    from loopguard.checker import LoopCalls, locate_in_module, locate_in_segment

    lines = text.splitlines(keepends=True)
    found = LoopCalls()
    for def_line, def_col, end_line in spans:
        column = character_column(lines[def_line - 1], def_col)
        if not locate_in_segment(lines, def_line, column, end_line, found, loop_defs):
            found = LoopCalls()
            locate_in_module(text, found, loop_defs)
            break
    findings = []
    for candidate in candidates:
        call = candidate.call
        column = character_column(lines[call.line - 1], call.col)
        end = found.calls.get((call.line, column))
        if end is None:
            continue
        if silenced_by_noqa(candidate.match.rule.code, found.comments.get(call.line)):
            continue
        findings.append(make_finding(candidate, display, column, end, library))
    return tuple(sorted(findings, key=Finding.sort_key))


def character_column(line: str, byte_offset: int) -> int:
    """ast columns are UTF-8 byte offsets; libcst's and the user's are characters."""
    if line.isascii():
        return byte_offset
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="replace"))


TO_THREAD = {
    "asyncio": "await asyncio.to_thread({name}, ...)",
    "anyio": "await anyio.to_thread.run_sync({name}, ...)",
    "trio": "await trio.to_thread.run_sync({name}, ...)",
}


def make_finding(candidate: Candidate, display: str, column: int, end: tuple[int, int], library: str) -> Finding:
    match, call = candidate.match, candidate.call
    rule = match.rule
    # "{api}" in a rule's replacement stands for the very API that matched
    suggestion = (match.suggestion or rule.suggestion(library)).replace("{api}", match.api.removeprefix("builtins."))
    chain: tuple[Hop, ...] = ()
    if candidate.via:
        helper = short_name(candidate.via)
        last = candidate.chain[-1]
        hops = " -> ".join(f"{hop.call}" for hop in candidate.chain)
        message = f"`{helper}()` blocks the event loop: -> {hops} ({last.path}:{last.line})"
        suggestion = f"{TO_THREAD[library].format(name=helper)} or, in `{last.function}`, {suggestion}"
        first = Hop(display, call.line, column + 1, short_name(call.function), f"{helper}()")
        chain = (first, *candidate.chain)
    else:
        message = f"`{match.api.removeprefix('builtins.')}` blocks the event loop"
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
    )
