"""``.gitignore`` and ``.ignore`` files, with git's semantics, matched in linear time.

A repository's ignore files are hostile input like the rest of it, and pathspec compiles each line
to a backtracking regex: ``a/**/a/**/.../z.py`` against a 60-level tree never finishes. Lines are
parsed here as gitignore(5) describes them and matched with the automata of ``globs``.

The rules of gitignore(5) kept here: blank lines and ``#`` comments are skipped; trailing spaces are
dropped unless escaped; ``\\`` escapes the next character; ``!`` re-includes; a trailing ``/``
matches directories only; a pattern with a ``/`` at its start or middle is relative to the ignore
file's directory, any other matches a name at any depth; ``*`` and ``?`` and ``[...]`` stay inside
one segment; ``**/`` at the start or ``/**/`` in the middle is any number of directories, ``/**`` at
the end everything inside, and other ``**`` is ``*``. The last matching line decides. A path inside
an ignored directory is ignored whatever the lines say about it (git never looks inside): callers
prune ignored directories, and ``ignored_with_parents`` checks the parents of a path given alone.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from loopguard.discovery.globs import (
    ANY_RUN,
    DIRECTORIES,
    NAME_CHAR,
    NAME_RUN,
    CharClass,
    Globs,
    Pattern,
    Token,
)


@dataclass(frozen=True, slots=True)
class IgnoreRule:
    pattern: Pattern
    negated: bool
    directories_only: bool


def strip_trailing_spaces(line: str) -> str:
    stripped = line.rstrip(" ")
    if stripped.endswith("\\") and len(stripped) < len(line):
        stripped += " "  # "foo\ " keeps its escaped space
    return stripped


def parse_class(body: str, start: int) -> tuple[CharClass, int] | None:
    """The ``[...]`` at ``body[start]`` and the index after it, or None when it is not closed."""
    i = start + 1
    negated = i < len(body) and body[i] in "!^"
    i += negated
    singles: set[str] = set()
    ranges: list[tuple[str, str]] = []
    first = True
    while i < len(body) and (body[i] != "]" or first):
        first = False
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            i += 1
            char = body[i]
        if i + 2 < len(body) and body[i + 1] == "-" and body[i + 2] != "]":
            ranges.append((char, body[i + 2]))
            i += 3
            continue
        singles.add(char)
        i += 1
    if i >= len(body):
        return None
    return CharClass(negated, frozenset(singles), tuple(ranges)), i + 1


def star_token(body: str, start: int, end: int) -> tuple[Token, int]:
    """The token of the run of stars ``body[start:end]`` and where the next token starts."""
    starts_segment = start == 0 or body[start - 1] == "/"
    whole_segment = starts_segment and (end == len(body) or body[end] == "/")
    if end - start < 2 or not whole_segment:
        return NAME_RUN, end
    if end == len(body):
        return ANY_RUN, end  # "dir/**": everything inside
    return DIRECTORIES, end + 1  # "**/" or "/**/": any number of directories


def ignore_tokens(body: str) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            tokens.append(body[i + 1])
            i += 2
        elif char == "*":
            end = i
            while end < len(body) and body[end] == "*":
                end += 1
            token, i = star_token(body, i, end)
            tokens.append(token)
        elif char == "[" and (parsed := parse_class(body, i)) is not None:
            tokens.append(parsed[0])
            i = parsed[1]
        else:
            tokens.append(NAME_CHAR if char == "?" else char)
            i += 1
    return tokens


def parse_ignore_line(line: str) -> IgnoreRule | None:
    if not line or line.startswith("#"):
        return None
    negated = line.startswith("!")
    body = strip_trailing_spaces(line[negated:])
    directories_only = body.endswith("/")
    body = body[:-1] if directories_only else body  # one slash only, as git: "a//" never matches
    if not body:
        return None
    anchored = "/" in body
    body = body.removeprefix("/")
    pattern = Pattern(tuple(ignore_tokens(body)), anchored, below=False)
    return IgnoreRule(pattern, negated, directories_only)


class IgnoreSpec:
    """The lines of one directory's ignore files, matched all at once (one pass per path)."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.rules = tuple(rule for rule in map(parse_ignore_line, lines) if rule is not None)
        self.globs = Globs([rule.pattern for rule in self.rules])

    def verdict(self, relative: str, is_dir: bool) -> bool | None:
        """True (ignored) or False (re-included) by the last matching line; None if none matches."""
        matching = self.globs.matching(relative)
        if not is_dir:
            matching = frozenset(i for i in matching if not self.rules[i].directories_only)
        return not self.rules[max(matching)].negated if matching else None


IgnoreSpecs = Sequence[tuple[str, IgnoreSpec]]  # (directory, spec), outermost first


def is_ignored(path: str, is_dir: bool, specs: IgnoreSpecs) -> bool:
    """Whether the ignore files of the directories above ``path`` ignore it; a deeper file's verdict
    wins over a shallower one's, as in git."""
    for base, spec in reversed(specs):
        if not path.startswith(base.rstrip(os.sep) + os.sep):
            continue  # only the ignore files of directories above a path speak about it
        relative = path[len(base.rstrip(os.sep)) + 1 :].replace(os.sep, "/")
        verdict = spec.verdict(relative, is_dir)
        if verdict is not None:
            return verdict
    return False


def ignored_with_parents(path: str, specs: IgnoreSpecs) -> bool:
    """Whether the directory ``path`` or one of its parents is ignored (nothing inside an ignored
    directory can be re-included)."""
    parents = []
    current = path
    while True:
        parents.append(current)
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    return any(is_ignored(directory, True, specs) for directory in reversed(parents))
