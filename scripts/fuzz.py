"""Property fuzzing: loopguard on hypothesmith-generated programs.

The properties (issue 14, item 5) hold for any program, so they are checked on random ones:

- no internal error, and a program the running Python compiles is never reported as broken (LG001);
- two runs give the same findings;
- LF, CRLF and the program's own line endings give the same findings;
- a blank line inserted at the top moves every finding (and every hop of its chain) down by one;
- with ``async`` and ``await`` stripped there is no coroutine left, so no finding is left;
- a blocking call injected into a coroutine (``time.sleep(1)``) is found where it was written.

The last one makes the others non-vacuous: random programs rarely contain anything loopguard
reports, so half of the programs are built around a coroutine that blocks.

``tests/test_fuzz.py`` runs a bounded, derandomized sample of the same properties in the normal
suite; this script is the longer, seeded campaign::

    PYTHONPATH=src python scripts/fuzz.py --examples 2000 --seed 0 --out /tmp/fuzz-failures
"""

from __future__ import annotations

import argparse
import hashlib
import io
import re
import tempfile
import time
import tokenize
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import hypothesmith
import libcst
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from loopguard.config import Config
from loopguard.models import Finding
from loopguard.runner import check_paths

INJECTED_CALL = "time.sleep(1)"
INJECTED_CODE = "LG101"
COROUTINE = "lg_fuzz_coroutine"
# the line breaks Python's tokenizer knows; str.splitlines also breaks at \f, \v, U+2028 ... which
# are not line breaks in Python source
LINE_BREAK = re.compile(r"\r\n|\r|\n")
# the injected call must mean the module `time`: a generated program that names `time` anywhere
# (a parameter, an assignment, `global time`) could legitimately shadow it
MENTIONS_TIME = re.compile(r"\btime\b")
# outside any repository, like the corpus script's packages
DEFAULT_OUT = Path.home() / ".cache" / "loopguard-fuzz" / "failures"

Key = tuple[object, ...]


# --- running loopguard -------------------------------------------------------------------------


class Checker:
    """Checks one program at a time as ``fuzzed.py`` in its own directory, with the library entry
    point the CLI uses (no cache, one process)."""

    def __init__(
        self, directory: Path, config: Config | None = None, name: str = "fuzzed.py"
    ) -> None:
        self.directory = directory.resolve()
        self.path = self.directory / name
        self.config = config or Config(root=self.directory)

    def findings(self, source: str) -> list[Finding]:
        # bytes, so that no newline translation hides what the property changed
        self.path.write_bytes(source.encode("utf-8", "surrogatepass"))
        results = check_paths([self.path], self.config, cwd=self.directory)
        return sorted((f for r in results for f in r.findings), key=Finding.sort_key)


def position_key(finding: Finding, shift: int = 0) -> Key:
    """What a finding says about where it is, ``shift`` lines down (hops in other files stay)."""
    hops = tuple(
        (hop.path, hop.line + (shift if hop.path == finding.path else 0), hop.column, hop.call)
        for hop in finding.chain
    )
    return (
        finding.line + shift,
        finding.column,
        finding.end_line + shift,
        finding.end_column,
        finding.code,
        finding.name,
        hops,
    )


# --- transforming programs ---------------------------------------------------------------------


def with_line_endings(source: str, ending: str) -> str:
    return LINE_BREAK.sub(ending, source)


def compiles(source: str) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarning/DeprecationWarning in generated code
        try:
            compile(source, "<fuzzed>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            return False
    return True


def strip_async(source: str) -> str | None:
    """``source`` without the ``async`` and ``await`` keywords (and the blanks after them), or None
    when the tokenizer or the compiler refuses the input or the result."""
    source = with_line_endings(source, "\n")
    lines = io.StringIO(source).readlines()
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    cuts = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.NAME and token.string in ("async", "await"):
                start = starts[token.start[0] - 1] + token.start[1]
                end = start + len(token.string)
                while end < len(source) and source[end] in " \t":
                    end += 1
                cuts.append((start, end))
    except (tokenize.TokenError, SyntaxError):
        return None
    for start, end in reversed(cuts):
        source = source[:start] + source[end:]
    return source if compiles(source) else None


def indented(source: str, prefix: str) -> str:
    """Each line (Python's line breaks only) prefixed; the last line ends with a line break."""
    lines = [line for line in LINE_BREAK.split(source) if line.strip()]
    return "".join(f"{prefix}{line}\n" for line in lines)


def inject_into_template(generated: str) -> str | None:
    """The generated module, then a coroutine that blocks and then runs the generated statements
    (when they are valid in a coroutine body; else the coroutine only blocks)."""
    if MENTIONS_TIME.search(generated) or COROUTINE in generated:
        return None
    head = f"{generated}\nimport time\n\n\nasync def {COROUTINE}():\n    {INJECTED_CALL}\n"
    for program in (head + indented(generated, "    "), head):
        if compiles(program):
            return program
    return None


def inject_into_function(generated: str) -> str | None:
    """A generated ``def`` made ``async`` with the blocking call as the first statement of its body,
    the generated whitespace (tabs, form feeds, one-line suites) kept as it was."""
    if MENTIONS_TIME.search(generated):
        return None
    try:
        module = libcst.parse_module(generated)
    except libcst.ParserSyntaxError:
        return None
    function = module.body[0] if module.body else None
    if not isinstance(function, libcst.FunctionDef):
        return None
    call = libcst.Expr(libcst.parse_expression(INJECTED_CALL))
    body = function.body
    if isinstance(body, libcst.IndentedBlock):
        body = body.with_changes(body=[libcst.SimpleStatementLine([call]), *body.body])
    else:
        body = body.with_changes(body=[call, *body.body])
    function = function.with_changes(asynchronous=libcst.Asynchronous(), body=body)
    program = "import time\n" + module.with_changes(body=[function, *module.body[1:]]).code
    return program if compiles(program) else None


def injected_position(program: str) -> tuple[int, int]:
    """(line, column), 1-based in characters, of the injected call (the only ``time`` there)."""
    offset = program.index(INJECTED_CALL)
    breaks = list(LINE_BREAK.finditer(program, 0, offset))
    line_start = breaks[-1].end() if breaks else 0
    return len(breaks) + 1, offset - line_start + 1


# --- strategies ---------------------------------------------------------------------------------


def raw_programs() -> st.SearchStrategy[str]:
    """Programs as hypothesmith writes them, from the grammar and from libcst's node types."""
    # from_node() of a whole module mostly writes blank modules, slowly: functions are more useful
    return st.one_of(hypothesmith.from_grammar(), hypothesmith.from_node(libcst.FunctionDef))


def injected_programs() -> st.SearchStrategy[str]:
    """Programs holding a coroutine that calls ``time.sleep(1)``."""
    templated = hypothesmith.from_grammar().map(inject_into_template)
    functions = hypothesmith.from_node(libcst.FunctionDef).map(inject_into_function)
    # a program that could not be built is "", and filtered out
    return st.one_of(templated, functions).map(lambda program: program or "").filter(bool)


# --- properties --------------------------------------------------------------------------------


@dataclass
class Subject:
    """One program under test; its findings are computed once and shared by the properties."""

    source: str
    checker: Checker

    @cached_property
    def findings(self) -> list[Finding]:
        return self.checker.findings(self.source)

    def keys(self, shift: int = 0) -> list[Key]:
        return [position_key(f, shift) for f in self.findings]

    def keys_of(self, source: str) -> list[Key]:
        return [position_key(f) for f in self.checker.findings(source)]


def no_internal_error(subject: Subject) -> str | None:
    internal = [
        f.message for f in subject.findings if f.code == "LG001" and "internal error" in f.message
    ]
    return f"internal error: {internal}" if internal else None


def valid_program_not_broken(subject: Subject) -> str | None:
    if not compiles(subject.source):
        return None
    broken = [f"{f.line}:{f.column} {f.message}" for f in subject.findings if f.code == "LG001"]
    return f"a program Python compiles is reported as broken: {broken}" if broken else None


def deterministic(subject: Subject) -> str | None:
    again = subject.checker.findings(subject.source)
    return (
        None if again == subject.findings else f"second run differs: {subject.findings} != {again}"
    )


def line_endings_change_nothing(subject: Subject) -> str | None:
    expected = subject.keys()
    for name, ending in (("LF", "\n"), ("CRLF", "\r\n")):
        found = subject.keys_of(with_line_endings(subject.source, ending))
        if found != expected:
            return f"with {name} line endings: {found} != {expected} (as generated)"
    return None


def blank_line_on_top_moves_everything_down(subject: Subject) -> str | None:
    expected = subject.keys(shift=1)
    found = subject.keys_of("\n" + subject.source)
    return None if found == expected else f"after a blank line on top: {found} != {expected}"


def stripped_async_leaves_nothing(subject: Subject) -> str | None:
    stripped = strip_async(subject.source)
    if stripped is None:
        return None
    # LG021 (a noqa that silences nothing) is right to stay: without coroutines the noqa is unused
    left = [
        f"{f.line}:{f.column} {f.code} {f.message}" for f in subject.checker.findings(stripped) if f.code != "LG021"
    ]
    return f"findings left without async/await: {left}" if left else None


def injected_call_found(subject: Subject) -> str | None:
    line, column = injected_position(subject.source)
    found = [(f.line, f.column) for f in subject.findings if f.code == INJECTED_CODE]
    return None if (line, column) in found else f"injected call at {line}:{column} not in {found}"


Property = Callable[[Subject], "str | None"]
PROPERTIES: dict[str, Property] = {
    "no-internal-error": no_internal_error,
    "valid-program-not-broken": valid_program_not_broken,
    "deterministic": deterministic,
    "line-endings": line_endings_change_nothing,
    "blank-line-on-top": blank_line_on_top_moves_everything_down,
    "strip-async": stripped_async_leaves_nothing,
}
INJECTED_PROPERTIES: dict[str, Property] = {
    **PROPERTIES,
    "injected-call-found": injected_call_found,
}


def failures(subject: Subject, properties: dict[str, Property]) -> dict[str, str]:
    """Property name -> what went wrong, for every property ``subject`` breaks."""
    broken = {}
    for name, check in properties.items():
        problem = check(subject)
        if problem is not None:
            broken[name] = problem
    return broken


# --- the campaign --------------------------------------------------------------------------------


@dataclass
class Campaign:
    out: Path
    checker: Checker
    examples: Counter[str] = field(default_factory=Counter)
    with_findings: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    saved: set[str] = field(default_factory=set)

    def run_one(self, kind: str, source: str, properties: dict[str, Property]) -> None:
        subject = Subject(source, self.checker)
        self.examples[kind] += 1
        self.with_findings[kind] += bool(subject.findings)
        for name, problem in failures(subject, properties).items():
            self.failed[name] += 1
            self.save(name, source, problem)

    def save(self, name: str, source: str, problem: str) -> None:
        digest = hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()[:12]
        stem = f"{name}-{digest}"
        if stem in self.saved:
            return
        self.saved.add(stem)
        self.out.mkdir(parents=True, exist_ok=True)
        (self.out / f"{stem}.py").write_bytes(source.encode("utf-8", "surrogatepass"))
        (self.out / f"{stem}.txt").write_text(f"{name}\n{problem}\n", encoding="utf-8")


def drive(
    campaign: Campaign,
    kind: str,
    strategy: st.SearchStrategy[str],
    count: int,
    seed_value: int,
    properties: dict[str, Property],
) -> None:
    """``count`` examples of ``strategy`` through ``properties``; failures are recorded, not raised,
    so Hypothesis neither stops nor shrinks."""
    if count <= 0:
        return

    @seed(seed_value)
    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(source: str) -> None:
        campaign.run_one(kind, source, properties)

    run()


def summary(campaign: Campaign, elapsed: float) -> str:
    lines = [f"examples run: {sum(campaign.examples.values())} in {elapsed:.0f} s"]
    for kind, count in campaign.examples.items():
        lines.append(
            f"  {kind}: {count} ({campaign.with_findings[kind]} with at least one finding)"
        )
    lines.append(f"failures by property ({sum(campaign.failed.values())} in all):")
    for name in INJECTED_PROPERTIES:
        lines.append(f"  {name}: {campaign.failed[name]}")
    if campaign.saved:
        lines.append(f"failing programs: {len(campaign.saved)} saved in {campaign.out}")
    return "\n".join(lines)


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--examples",
        type=int,
        default=2000,
        help="programs to check, half as generated, half with a blocking coroutine (2000)",
    )
    parser.add_argument("--seed", type=int, default=0, help="Hypothesis seed (0)")
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"folder for the failing programs [{DEFAULT_OUT}]",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="loopguard-fuzz-") as directory,
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")  # hypothesmith compiles its programs: their SyntaxWarnings
        campaign = Campaign(arguments.out, Checker(Path(directory)))
        raw = arguments.examples // 2
        drive(campaign, "as generated", raw_programs(), raw, arguments.seed, PROPERTIES)
        drive(
            campaign,
            "with a blocking coroutine",
            injected_programs(),
            arguments.examples - raw,
            arguments.seed,
            INJECTED_PROPERTIES,
        )
    print(summary(campaign, time.monotonic() - started))
    return 1 if campaign.failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
