"""The text edit that adds ``# noqa: CODE`` to a finding's line, merged into a noqa already there.

loopguard reads the comment on the line where the call starts (``confirm.py``), so that is where
the comment goes. Where a comment cannot go — the line ends inside a multi-line string or with a
backslash continuation — no edit is offered rather than one that breaks the code.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass

from loopguard.sourcetext import split_lines
from loopguard.suppress import NOQA, noqa_codes

#: The codes a noqa comment lists, up to the first word that is not a code (``# noqa: LG1 why``).
LISTED_CODES = re.compile(r"[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*", re.IGNORECASE)
#: Tokens that end a logical or physical line: one of them may "span" to the next line.
LINE_ENDS = frozenset(
    {tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.DEDENT, tokenize.INDENT}
)


@dataclass(frozen=True, slots=True)
class LineEdit:
    """Replace ``[start, end)`` (0-based characters) of line ``line`` (0-based) with ``text``."""

    line: int
    start: int
    end: int
    text: str


def add_noqa(source: str, line_number: int, code: str) -> LineEdit | None:
    """The edit that silences ``code`` on line ``line_number`` (1-based); None when a comment cannot
    be written there or the line already silences it."""
    lines = split_lines(source)
    if not 0 < line_number <= len(lines):
        return None
    line = lines[line_number - 1].rstrip("\r\n")
    found = line_tokens(source, line_number)
    if found is None:
        return None
    comment, continues = found
    if comment is None:
        content = line.rstrip()
        if continues or content.endswith("\\"):
            return None
        return LineEdit(line_number - 1, len(content), len(line), f"  # noqa: {code}")
    column, text = comment
    return merge_into_comment(line_number - 1, column, text, code)


def merge_into_comment(line: int, column: int, comment: str, code: str) -> LineEdit | None:
    """``# noqa: LG101`` + LG201 -> ``# noqa: LG101, LG201``; a comment without noqa gets one at
    its end; a bare ``# noqa`` (or one naming a prefix of the code) already silences it."""
    codes = noqa_codes(comment)
    if codes is None:
        end = column + len(comment.rstrip())
        return LineEdit(line, end, end, f"  # noqa: {code}")
    if not codes or any(code.startswith(prefix) for prefix in codes):
        return None
    match = NOQA.search(comment)
    if match is None or match.start("codes") < 0:
        return None
    listed = re.match(LISTED_CODES, match.group("codes"))
    if listed is None:
        return None
    merged = ", ".join(sorted({*re.split(r"[,\s]+", listed.group().strip(", ")), code}))
    start = column + match.start("codes")
    return LineEdit(line, start, start + len(listed.group().rstrip(", ")), merged)


def line_tokens(source: str, line_number: int) -> tuple[tuple[int, str] | None, bool] | None:
    """The comment on the line (column, text), and whether a token (a multi-line string) runs on
    past its end; None when the source does not tokenize."""
    comment = None
    continues = False
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            start, end = token.start[0], token.end[0]
            if start > line_number:
                break
            if token.type == tokenize.COMMENT and start == line_number:
                comment = (token.start[1], token.string)
            elif token.type not in LINE_ENDS and start <= line_number < end:
                continues = True
    except (tokenize.TokenError, SyntaxError):
        return None
    return comment, continues
