"""``--add-noqa``: a ``# noqa: CODE`` comment for every finding, so today's findings stop failing.

Each comment goes on the line ``NoqaMap.comment_line`` names — the line that the suppression in
``noqa.py`` reads — so a second run finds nothing: the finding's own line, or, when that line ends
inside a multi-line string or with a backslash, the first line after it where a comment is legal.
An existing noqa comment there gets the new codes after its own (``# noqa: E501`` becomes
``# noqa: E501, LG101``; other tools' codes and any text after them stay); another comment keeps
its text and gets ``  # noqa: LG101`` after it. A file whose edited text no longer parses, or whose
comments no longer silence what they were written for, is left untouched and named.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

from loopguard.models import Finding
from loopguard.noqa import UNUSED_CODE
from loopguard.noqa_lines import NoqaMap
from loopguard.sourcetext import split_lines
from loopguard.suppress import NOQA, UNSUPPRESSIBLE, silenced_by_noqa

#: Findings never given a noqa: a file that could not be checked, and a noqa that silences nothing.
NOT_SILENCED = UNSUPPRESSIBLE | {UNUSED_CODE}
#: The tokens of a noqa's code list that are codes (``E501``, ``LG101``, ``LG``); the first that is
#: not (`E501 long url`: a word) ends the list, and new codes go before it.
_CODE_LIKE = re.compile(r"[A-Z]+[0-9]+|LG")
_WORD = re.compile(r"[A-Za-z]+[0-9]*")


class NoqaNotAdded(Exception):
    """The edit would change the file's meaning; the message says how."""


@dataclass(frozen=True, slots=True)
class NoqaEdit:
    """A file's new text and how many comments were written or extended."""

    text: str
    comments: int


def codes_by_comment_line(findings: Iterable[Finding], noqa_map: NoqaMap) -> dict[int, list[str]]:
    """The codes to add, by the line their comment goes on (sorted, each once)."""
    wanted: dict[int, set[str]] = {}
    for finding in findings:
        if finding.code not in NOT_SILENCED:
            wanted.setdefault(noqa_map.comment_line(finding.line), set()).add(finding.code)
    return {line: sorted(codes) for line, codes in wanted.items()}


def merged_comment(comment: str, codes: list[str]) -> str:
    """``comment`` with ``codes`` added to its noqa, or a noqa appended after it."""
    added = ", ".join(codes)
    match = NOQA.search(comment)
    if match is None:
        return f"{comment}  # noqa: {added}"
    if match.group("codes") is None:  # a bare noqa silences everything already
        return comment
    start = end = match.start("codes")
    for word in _WORD.finditer(match.group("codes")):
        if not _CODE_LIKE.fullmatch(word.group()):
            break
        end = start + word.end()
    if end == start:
        return f"{comment[:start]}{added} {comment[start:]}"
    return f"{comment[:end]}, {added}{comment[end:]}"


def with_noqa(line: str, column: int | None, codes: list[str]) -> str:
    """One physical line (its ending kept) with the codes added to its comment at ``column``, or
    a new comment at its end."""
    body = line.rstrip("\r\n")
    ending = line[len(body) :]
    if column is None:
        return f"{body.rstrip()}  # noqa: {', '.join(codes)}{ending}"
    return f"{body[:column]}{merged_comment(body[column:].rstrip(), codes)}{ending}"


def add_noqa_to_text(text: str, findings: Iterable[Finding]) -> NoqaEdit:
    """The text with a noqa for each finding; ``NoqaNotAdded`` when the result would not parse as
    the original did or would not silence every finding it was written for."""
    findings = [finding for finding in findings if finding.code not in NOT_SILENCED]
    noqa_map = NoqaMap(text)
    wanted = codes_by_comment_line(findings, noqa_map)
    lines = split_lines(text)
    for number, codes in wanted.items():
        if not 0 < number <= len(lines):
            raise NoqaNotAdded(f"line {number} is past the end of the file (it changed since it was checked)")
        comment = noqa_map.comment_for(number)
        lines[number - 1] = with_noqa(lines[number - 1], None if comment is None else comment.column, codes)
    edited = "".join(lines)
    check_edit(text, edited, findings)
    return NoqaEdit(edited, len(wanted))


def check_edit(original: str, edited: str, findings: list[Finding]) -> None:
    """The edit only added comments — the syntax tree is the same (a comment that landed inside a
    string would change a constant) — and each finding is now silenced."""
    if syntax_tree(original) != syntax_tree(edited):
        raise NoqaNotAdded("the edit would change the code, not only its comments")
    noqa_map = NoqaMap(edited)
    for finding in findings:
        comment = noqa_map.comment_for(finding.line)
        if comment is None or not silenced_by_noqa(finding.code, comment.text):
            raise NoqaNotAdded(f"a comment on line {finding.line} would not silence {finding.code}")


def syntax_tree(text: str) -> str | None:
    """The dumped ``ast`` of the text, None when it does not parse."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.dump(ast.parse(text))
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
