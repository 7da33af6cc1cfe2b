"""Where a finding's ``# noqa`` comment is, read with the tokenizer (a ``#`` in a string is none).

A finding is reported on the line where its call starts, and its noqa comment belongs at the end of
that line — unless Python allows no comment there: the line ends inside a multi-line string
(``requests.post(url, data=\"\"\"...``) or with a backslash continuation. Then the comment goes on
the first line after it where one is legal (the string's last line, the continued line), as ruff
does. Suppressing (noqa.py) and writing (add_noqa.py) both ask ``NoqaMap``, so a written comment
silences what it was written for.

Python's tokenizer is pure Python and slow (~2.7 s for the 62 homeassistant files that hold
findings, on a loaded 2-core machine), and a run asks about a few lines per file, so a question is
answered by tokenizing from the asked line to the first end of a line where a comment may stand: a
finding's line starts in code, where tokenizing can start. A line that starts inside a triple-quoted
string (a call in a multi-line f-string, a docstring that mentions noqa) cannot be tokenized from
its start: when the triple quotes before it are odd in number, the whole file is tokenized once.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass, field

_STRING_STARTS = {getattr(tokenize, name) for name in ("FSTRING_START", "TSTRING_START") if hasattr(tokenize, name)}
_STRING_ENDS = {getattr(tokenize, name) for name in ("FSTRING_END", "TSTRING_END") if hasattr(tokenize, name)}
_LINE_ENDS = {tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.ENCODING}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
MENTION = re.compile(r"noqa", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment token: its line, 0-based character column and text (``# noqa: LG101``)."""

    line: int
    column: int
    text: str


@dataclass(slots=True)
class WholeFile:
    """Every comment of a file by line, and the lines that cannot hold one -> the next that can."""

    comments: dict[int, Comment] = field(default_factory=dict)
    carried: dict[int, int] = field(default_factory=dict)

    def comment_line(self, line: int) -> int:
        while line in self.carried:
            line = self.carried[line]
        return line

    def carry(self, first: int, last: int, to: int) -> None:
        for line in range(first, last + 1):
            self.carried[line] = max(to, self.carried.get(line, to))


def tokenize_whole_file(text: str) -> WholeFile:
    """One pass of the tokenizer over ``text``; what it read before an error is kept."""
    found = WholeFile()
    previous_kind, previous_end = tokenize.ENCODING, 0
    string_starts: list[int] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            kind, (start, column), end = token.type, token.start, token.end[0]
            if kind == tokenize.COMMENT:
                found.comments[start] = Comment(start, column, token.string)
            if start > previous_end and previous_kind not in _LINE_ENDS:
                found.carry(previous_end, start - 1, start)  # a backslash joined these lines
            if kind == tokenize.STRING and end > start:
                found.carry(start, end - 1, end)
            elif kind in _STRING_STARTS:
                string_starts.append(start)
            elif kind in _STRING_ENDS and string_starts:
                found.carry(string_starts.pop(), end - 1, end)
            if kind not in (tokenize.INDENT, tokenize.DEDENT):
                previous_kind, previous_end = kind, end
    except (tokenize.TokenError, SyntaxError):
        pass
    return found


class NoqaMap:
    """The noqa questions about one file's text, answered line by line (see the module doc)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [match.end() for match in _LINE_BREAK.finditer(text)]
        self.answers: dict[int, tuple[int, Comment | None]] = {}
        self.whole: WholeFile | None = None

    def comment_line(self, line: int) -> int:
        """The line whose comment applies to a finding reported on ``line``."""
        return self.answer(line)[0]

    def comment_for(self, line: int) -> Comment | None:
        """The comment that applies to a finding reported on ``line``, if it has one."""
        return self.answer(line)[1]

    def noqa_comments(self) -> Iterator[Comment]:
        """Every real comment of the file that mentions noqa, in line order."""
        lines = sorted({self.line_of(match.start()) for match in MENTION.finditer(self.text)})
        for line in lines:
            comment = self.comment_for(line)
            # the line's "noqa" may be in a string before a comment that does not say it
            if comment is not None and comment.line == line and MENTION.search(comment.text):
                yield comment

    def line_of(self, offset: int) -> int:
        low, high = 0, len(self.starts) - 1
        while low < high:  # the last line start at or before offset
            middle = (low + high + 1) // 2
            if self.starts[middle] <= offset:
                low = middle
            else:
                high = middle - 1
        return low + 1

    def answer(self, line: int) -> tuple[int, Comment | None]:
        if line not in self.answers:
            self.answers[line] = self.scan_from(line) if self.starts_in_code(line) else self.from_whole_file(line)
        return self.answers[line]

    def starts_in_code(self, line: int) -> bool:
        """False when ``line`` may start inside a triple-quoted string (an odd number of them before)."""
        if not 0 < line <= len(self.starts):
            return False
        before = self.text[: self.starts[line - 1]]
        return before.count('"""') % 2 == 0 and before.count("'''") % 2 == 0

    def scan_from(self, line: int) -> tuple[int, Comment | None]:
        """Tokens from the start of ``line`` up to the first end of a line where a comment stands or
        may stand: a comment, or the end of a line outside any string and not continued."""
        stream = io.StringIO(self.text[self.starts[line - 1] :])
        try:
            for token in tokenize.generate_tokens(stream.readline):
                row = token.start[0] + line - 1
                if token.type == tokenize.COMMENT:
                    return row, Comment(row, token.start[1], token.string)
                if token.type in (tokenize.NL, tokenize.NEWLINE, tokenize.ENDMARKER):
                    return row, None
        except (tokenize.TokenError, SyntaxError):
            pass
        return self.from_whole_file(line)

    def from_whole_file(self, line: int) -> tuple[int, Comment | None]:
        if self.whole is None:
            self.whole = tokenize_whole_file(self.text)
        target = self.whole.comment_line(line)
        return target, self.whole.comments.get(target)
