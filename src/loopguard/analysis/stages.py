"""The values passed between the analysis stages, and each stage's per-file step (docs/analysis.md).

index and summarise (``index_source``, in a worker) -> project (``plan_confirmation``, in the main
process: it needs every module's summary) -> confirm (``confirm.confirm_file``, in a worker) ->
suppress (``select``/``ignore`` and per-file ignores on the candidates here, ``# noqa`` as each is
confirmed). Index, summarise and confirm are pure functions of a file's bytes and the settings, so
they run in worker processes and their results are cached by content.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from loopguard import catalogue
from loopguard.analysis.filled_once import filled_once
from loopguard.analysis.import_aliases import with_aliases
from loopguard.analysis.index import NestingTooDeep, index_module
from loopguard.analysis.known import runs_on_the_loop
from loopguard.analysis.match import Match, Matcher, with_arguments
from loopguard.analysis.project import GlobalProject
from loopguard.analysis.summary import FileSummary, FunctionSummary, LoopCall, summarize
from loopguard.analysis.transitive import CallGraph, Witness
from loopguard.config import Config
from loopguard.discovery.namespaces import with_aliased_names
from loopguard.models import FileResult, Finding, Hop, Literal
from loopguard.sourcetext import (
    LIBCST_MAX_CHARS,
    SourceRefused,
    decode_source,
    libcst_refusal,
    nesting_of,
    null_byte_position,
)
from loopguard.suppress import is_selected, per_file_ignored


@dataclass(frozen=True, slots=True)
class Settings:
    """What a worker needs besides the file: built once per run, pickled once per worker."""

    config: Config
    matcher: Matcher


def make_settings(config: Config) -> Settings:
    config = with_aliased_names(config)  # the names it gives as a service imports them, too
    rules = tuple(r for r in catalogue.RULES if is_selected(r, config.select, config.ignore))
    configured = is_selected(catalogue.CONFIGURED, config.select, config.ignore)
    # a call of an offload helper hands its work to a thread: like a safe call, never reported or followed
    safe = (*config.safe_calls, *config.offload_functions)
    return Settings(config, Matcher(rules, config.blocking_calls, safe, configured))


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


@dataclass(frozen=True)  # not slotted: it crosses processes, and slotted dataclasses pickle slowly
class Indexed:
    """A file after the index and summarise stages: its summary (or the LG001 result when it cannot be checked)."""

    path: Path
    display: str
    relative: str
    summary: FileSummary | None
    error: FileResult | None = None
    source: bytes | None = None  # kept only for standard input, which cannot be read twice
    context: bool = False  # indexed only so names resolve (an imported module not being checked)


INTERNAL_ERROR = "internal error while checking this file"


def internal_error(display: str, error: BaseException) -> FileResult:
    return file_error(display, f"{INTERNAL_ERROR} ({type(error).__name__}: {error}); please report it")


def has_internal_error(result: FileResult) -> bool:
    """Whether a file's result is ``internal_error``'s (a bug, not the user's file)."""
    return result.error and any(f.message.startswith(INTERNAL_ERROR) for f in result.findings)


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
    aliases: Collection[tuple[str, str]] = (),
) -> Indexed:
    """``aliases``: the module's import aliases (``discovery.namespaces``); a name that is a
    top-level module of the project is that module, never an alias."""
    try:
        tree = parse_source(data, display)
        tree = with_aliases(tree, {name: full for name, full in aliases if name not in project_tops})
        index = index_module(tree, module, package, arguments_read=False)  # read for the calls kept
    except SourceRefused as refused:
        failed = file_error(display, refused.message, refused.line, refused.column)
        return Indexed(path, display, relative, None, failed)
    except NestingTooDeep as deep:
        failed = file_error(display, f"cannot analyse file: {deep}", deep.line, deep.column)
        return Indexed(path, display, relative, None, failed)
    wanted = (lambda key: matcher.match(key) is not None) if matcher is not None else (lambda key: True)
    summary = summarize(index, project_tops, wanted, filled_once(tree, data))
    return Indexed(path, display, relative, summary, source=data if keep_source else None)


def parse_source(data: bytes, display: str) -> ast.Module:
    """The ``ast`` of a file's bytes; ``SourceRefused`` says precisely why there is none."""
    text = decode_source(data)
    null = null_byte_position(text)
    if null is not None:  # refused by every Python (a ValueError before 3.11.?, a SyntaxError since)
        raise SourceRefused(f"cannot parse file: null byte at line {null[0]}, column {null[1]}", *null)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences are the user's business
            return ast.parse(text, filename=display)
    except SyntaxError as error:
        raise syntax_error(text, error) from None
    except (MemoryError, RecursionError):  # CPython's parser or ast construction gave up: too deep
        raise too_deep_for_python(text) from None


#: What CPython's tokenizer and parser say when a *limit* is hit: never a sign of newer syntax.
PYTHON_LIMITS = ("too many nested parentheses", "too many levels of indentation", "too complex", "null bytes")


def syntax_error(text: str, error: SyntaxError) -> SourceRefused:
    """Why ``ast`` refused the text: a nesting limit, syntax newer than this Python (libcst, which
    knows every syntax up to 3.14, accepts it), or invalid syntax at line:column."""
    from loopguard.analysis.checker import parses_with_libcst

    line, column = error.lineno or 1, error.offset or 1
    if any(limit in error.msg for limit in PYTHON_LIMITS):
        return SourceRefused(f"cannot parse file: nesting too deep ({error.msg}) at line {line}", line, column)
    refusal = libcst_refusal(text)
    if refusal is None and parses_with_libcst(text):
        return SourceRefused(
            "cannot analyse file: it uses syntax newer than the Python running loopguard can parse; "
            "run loopguard with a newer Python",
            line,
            column,
        )
    return SourceRefused(f"cannot parse file: invalid syntax at line {line}, column {column}: {error.msg}", line, column)


def too_deep_for_python(text: str) -> SourceRefused:
    nesting = nesting_of(text) if len(text) <= LIBCST_MAX_CHARS else None
    if nesting is None:
        return SourceRefused("cannot parse file: nesting too deep for Python's parser")
    return SourceRefused(
        f"cannot parse file: nesting too deep for Python's parser (about {nesting.depth:,} levels at "
        f"line {nesting.line})",
        nesting.line,
        nesting.column,
    )


def find_candidates(
    summary: FileSummary, project: GlobalProject, graph: CallGraph, settings: Settings, relative: str
) -> list[Candidate]:
    per_file = settings.config.per_file_ignores
    candidates = []
    verdicts = project.memo(("verdict", id(graph), id(settings)))
    targets = project.finished_targets  # ``project.target``'s memo, read here: 72,000 deferred targets
    for call in (*summary.calls, *loop_function_calls(summary, graph, settings)):
        # the fields read by position: a ``LoopCall`` is made only for a candidate
        target, awaited, literals = call[4], call[7], call[8]
        if target is None or isinstance(target, str):
            key = target
        else:  # ``project.target``'s memo read here for an answer that read no module (``target``
            # records what any other read)
            finished = targets.get(target)
            key = finished[0] if finished is not None and not finished[1] else project.target(target)
        if key is None:  # names nothing known (homeassistant: 39,700 of 86,300 calls): never a candidate
            continue
        # the same for every call of ``key`` awaited or not with these arguments: asked once per run
        # (a project of 6,700 files has 100,000 such calls, a quarter of them distinct)
        question = (key, awaited, literals)
        found = verdicts.get(question)
        if found is not None:  # known: the modules it read recorded again here (``answered``)
            if found[1] and project.touched is not None:
                project.touched.update(found[1])
            verdict = found[0]
        else:
            verdict = project.answered(verdicts, question, found, call_verdict, graph, settings, key, awaited, literals)
        if verdict is None:
            continue
        candidate = Candidate(LoopCall._make(call), *verdict)
        if not per_file_ignored(candidate.match.rule.code, relative, per_file):
            candidates.append(candidate)
    return without_covered(candidates)


def without_covered(candidates: list[Candidate]) -> list[Candidate]:
    """The candidates less the method calls reported at the call that made their object: a method
    of a ``COVERED_BY_MAKER`` type in a function that already has a finding for one of its makers,
    on or before its line (``with open(p) as f: f.read()`` is one finding, at ``open``)."""
    made: dict[tuple[str, str], int] = {}  # (function, maker API) -> its first line
    for candidate in candidates:
        if not candidate.via:
            key = (candidate.call.function, candidate.match.api)
            made[key] = min(made.get(key, candidate.call.line), candidate.call.line)

    def is_covered(candidate: Candidate) -> bool:
        makers = catalogue.COVERED_BY_MAKER.get(candidate.match.api.rpartition(".")[0], ())
        call = candidate.call
        lines = (made.get((call.function, maker)) for maker in makers)
        return not candidate.via and any(line is not None and line <= call.line for line in lines)

    return [candidate for candidate in candidates if not is_covered(candidate)]


def call_verdict(
    graph: CallGraph, settings: Settings, key: str | None, awaited: bool, literals: tuple[Literal, ...]
) -> tuple[Match, str, tuple[Hop, ...]] | None:
    """What makes a call of ``key`` on the loop a candidate: the blocking API it is (with no
    helper and no chain), or the project function it runs that blocks and the chain; None when
    it is none of them."""
    if graph.matcher is settings.matcher:  # as always in a run: the graph asks each key once
        safe, found = graph.api_of(key)
    else:
        safe, found = key is not None and settings.matcher.is_safe(key), settings.matcher.match(key)
    if safe:
        return None  # safe-calls: neither reported nor followed
    if found is not None:
        found = with_arguments(found, literals)
        if found is None or awaited:
            # it does not wait with these arguments; or awaiting its result means it is not that
            # sync API at all: the inference is wrong
            return None
        return found, "", ()
    found_helper = nearest_helper(graph, key, awaited, literals)
    if found_helper is None:
        return None
    helper, witness = found_helper
    return witness.match, helper, witness.hops


def nearest_helper(
    graph: CallGraph, key: str | None, awaited: bool, literals: tuple[Literal, ...]
) -> tuple[str, Witness] | None:
    """The project function a call on the loop runs that blocks by the shortest chain, and that
    chain; a constructor (``Cls()``) is named by its class, its chain starting in ``__init__``."""
    best: tuple[str, Witness] | None = None
    callees = graph.callees_for(key)
    for helper, with_arguments_of_call in callees:
        if awaited and graph.is_replaced_by_decorator(helper):
            continue  # an awaited call of a decorated sync def calls what the decorator made
        witness = graph.blocking_called_with(helper, literals if with_arguments_of_call else (), key)
        if witness is not None and (best is None or len(witness.hops) < len(best[1].hops)):
            best = (helper, witness)
    if best is not None and key is not None and best[0] != graph.function_for(key):
        return key, best[1]  # a constructor: the call site names the class
    return best


def loop_function_calls(summary: FileSummary, graph: CallGraph, settings: Settings) -> list[LoopCall]:
    """The calls of this module's sync functions that run on the loop (``graph.loop_functions``),
    checked like a coroutine's — but for those under a guard that is false on the loop."""
    calls = []
    for qualname in graph.loop_functions.intersection(summary.functions):
        function = FunctionSummary(*summary.functions[qualname])
        span = (function.line, function.col, function.end_line)
        can_run_here = runs_on_the_loop(function.parameters)
        calls += [
            LoopCall(line, col, end_line, end_col, target, span, qualname, False, literals)
            for line, col, end_line, end_col, target, literals, conditions in function.calls
            if can_run_here(line, conditions)
        ]
    return calls


@dataclass(frozen=True)  # not slotted: it crosses processes, and slotted dataclasses pickle slowly
class Confirmation:
    """The confirm stage's input for a file with candidates: what the libcst walk needs."""

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
