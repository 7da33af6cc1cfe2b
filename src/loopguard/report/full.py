"""ruff-style ``full`` output: the ``path:line:col: CODE message`` header, the source line, carets.

Each finding is followed by the offending line with a line-number gutter and ``^^^`` under the
columns the finding covers, a ``help:`` line with the replacement, and — for a transitive finding —
one ``->`` line per hop of the chain down to the blocking call. Findings are separated by a blank
line. ANSI colour is added only when the context asks for it, so piped output stays plain.
Control characters in paths, messages and the quoted source line are escaped (``\\x1b``), so
neither a file name nor a string literal can move the cursor or forge a line; carets are measured
on the escaped text, so they still line up.
"""

from __future__ import annotations

from collections.abc import Sequence

from loopguard.models import Finding, Hop
from loopguard.report import ReportContext, escape_controls, quote_code

BOLD = "\x1b[1m"
BOLD_RED = "\x1b[1;31m"
RED = "\x1b[31m"
CYAN = "\x1b[36m"
RESET = "\x1b[0m"

# Tabs are expanded before measuring so the carets line up with what the terminal shows.
TAB_SIZE = 4


def paint(text: str, style: str, color: bool) -> str:
    """Wrap ``text`` in an ANSI style when colour is wanted."""
    return f"{style}{text}{RESET}" if color and text else text


def format_header(finding: Finding, color: bool) -> str:
    location = f"{escape_controls(finding.path)}:{finding.line}:{finding.column}:"
    code = paint(finding.code, BOLD_RED, color)
    return f"{paint(location, BOLD, color)} {code} {escape_controls(finding.message)}"


def displayed(source: str) -> str:
    """A source line as the terminal shows it: controls escaped, tabs expanded."""
    return escape_controls(source, keep="\t").expandtabs(TAB_SIZE)


def caret_span(source: str, finding: Finding) -> tuple[int, int]:
    """The 0-based [start, end) display columns to underline in ``displayed(source)``.

    Columns are 1-based with ``end_column`` exclusive; a finding that runs past its first line is
    underlined to the end of that line, and the span is never empty, so even a zero-width or
    out-of-range position still points somewhere visible.
    """
    start_index = min(max(finding.column - 1, 0), len(source))
    if finding.end_line > finding.line:
        end_index = len(source)
    else:
        end_index = min(max(finding.end_column - 1, start_index), len(source))
    start = len(displayed(source[:start_index]))
    end = len(displayed(source[:end_index]))
    return start, max(end, start + 1)


def format_snippet(finding: Finding, source: str, color: bool) -> list[str]:
    """The gutter block: the source line numbered, and the carets beneath it."""
    source = source.rstrip("\r\n")
    number = str(finding.line)
    blank_gutter = " " * (len(number) + 1) + "|"
    start, end = caret_span(source, finding)
    carets = paint("^" * (end - start), RED, color)
    return [
        blank_gutter,
        f"{number} | {displayed(source)}".rstrip(),
        f"{blank_gutter} {' ' * start}{carets}",
        blank_gutter,
    ]


def call_label(function: str) -> str:
    """``helper`` -> ``helper()``, leaving a name that already shows its parentheses alone."""
    return function if function.endswith(")") else f"{function}()"


def format_hop(hop: Hop) -> str:
    location = f"{escape_controls(hop.path)}:{hop.line}:{hop.column}"
    function, call = escape_controls(call_label(hop.function)), escape_controls(hop.call)
    return f"  -> {function} calls `{call}` ({location})"


def format_finding(finding: Finding, context: ReportContext) -> str:
    lines = [format_header(finding, context.color)]
    source = context.read_line(finding.path, finding.line) if finding.line > 0 else ""
    if source.strip():
        lines.extend(format_snippet(finding, source, context.color))
    if finding.suggestion:
        help_text = escape_controls(f"help: use {quote_code(finding.suggestion)}")
        lines.append(paint(help_text, CYAN, context.color))
    lines.extend(format_hop(hop) for hop in finding.chain)
    return "\n".join(lines) + "\n"


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    return "\n".join(format_finding(finding, context) for finding in findings)
