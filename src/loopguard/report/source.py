"""The source lines reports quote (``full``'s snippet, the SARIF and GitLab fingerprints).

Reports read a finding's line again from disk, and the tree may be hostile: ``x.py`` can be a
symlink to ``/etc/passwd`` or to a CI secret, and its first line would end up in a public CI log.
So a line is only shown from a regular file whose real path lies inside the project root or inside
one of the paths named on the command line (a named file counts as its directory, so a named
symlink cannot point the reader elsewhere either); anything else reads as an empty line, which every
format already handles as "no source". Files are opened without blocking (a FIFO swapped in after
the check cannot hang the report), read up to a bound, decoded as Python decodes them, and split
only at the line breaks Python knows (``\\r\\n``, ``\\r``, ``\\n``): ``str.splitlines`` would also
split at form feeds and U+2028 and show the wrong line.
"""

from __future__ import annotations

import io
import os
import re
import tokenize
from collections.abc import Iterable, Mapping
from functools import lru_cache

from loopguard.safeio import read_regular_file

# Files bigger than this are not shown (the checker reports them as LG001 anyway).
MAX_SHOWN_FILE_BYTES = 16 * 1024 * 1024
LINE_BREAK = re.compile(r"\r\n|\r|\n")


def allowed_bases(root: str, named_paths: Iterable[str]) -> tuple[str, ...]:
    """Real paths under which source may be shown: the root, each named directory, the directory
    of each named file."""
    bases = {os.path.realpath(root)}
    for path in named_paths:
        full = os.path.abspath(path)
        bases.add(os.path.realpath(full if os.path.isdir(full) else os.path.dirname(full)))
    return tuple(sorted(bases))


def is_inside(real: str, bases: tuple[str, ...]) -> bool:
    return any(real == base or real.startswith(base.rstrip(os.sep) + os.sep) for base in bases)


def read_bounded(path: str) -> bytes | None:
    """The bytes of a regular file of at most MAX_SHOWN_FILE_BYTES, else None."""
    try:
        data = read_regular_file(path, MAX_SHOWN_FILE_BYTES)
    except OSError:
        return None
    return data if len(data) <= MAX_SHOWN_FILE_BYTES else None


def decode(data: bytes) -> str:
    """Decode as Python does (BOM, coding cookie, else UTF-8), never failing."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding, errors="replace")
    except (SyntaxError, LookupError):
        return data.decode("utf-8", errors="replace")


class SourceLines:
    """``read_line(path, line)`` for reports, confined to the project (see the module docstring)."""

    def __init__(
        self, root: str, named_paths: Iterable[str], buffers: Mapping[str, bytes] | None = None
    ) -> None:
        self.bases = allowed_bases(root, named_paths)
        self.buffers = dict(buffers or {})  # reported path -> what was checked (standard input)
        self.lines = lru_cache(maxsize=8)(self._lines)  # findings come sorted by path

    def _lines(self, path: str) -> tuple[str, ...]:
        if path in self.buffers:
            return tuple(LINE_BREAK.split(decode(self.buffers[path])))
        if not is_inside(os.path.realpath(path), self.bases):
            return ()
        data = read_bounded(path)
        if data is None:
            return ()
        return tuple(LINE_BREAK.split(decode(data)))

    def __call__(self, path: str, line: int) -> str:
        lines = self.lines(path)
        return lines[line - 1] if 0 < line <= len(lines) else ""
