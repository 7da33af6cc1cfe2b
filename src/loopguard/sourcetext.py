"""A file's bytes -> its text, and the bounds on what loopguard agrees to analyse.

Every limit here exists because hostile or generated input once took a run down:

* ``read_source`` opens without blocking and checks it has a regular file before reading, so a FIFO
  named ``x.py`` cannot hang the run and a symlink to ``/dev/zero`` cannot fill memory; it reads at
  most ``MAX_FILE_BYTES`` (CPython's ``ast`` needs ~170 bytes of memory per byte of dense source: a
  10 MB generated module peaks at ~1.9 GB, a 50 MB one would need ~9 GB).
* ``decode_source`` says which byte cannot be decoded, and where.
* ``split_lines`` breaks lines where Python's tokenizer does (``\\n``, ``\\r\\n``, ``\\r``), not where
  ``str.splitlines`` does (it also breaks at form feeds, ``\\x1c-\\x1e``, ``\\x85``, U+2028/U+2029),
  so a line number from ``ast`` indexes the right line.
* ``libcst_refusal`` decides, before libcst's native parser sees a text, whether it could overflow
  its stack or take seconds: that parser recurses once per nesting level without a limit (an 8 MB
  stack overflows at ~1,300 nested brackets: SIGSEGV) and is superlinear in depth (1,000 chained
  subscripts take 2 s, 3,000 take 33 s).
"""

from __future__ import annotations

import io
import os
import re
import stat
import tokenize
from dataclasses import dataclass
from pathlib import Path

#: Files larger than this are one LG001 instead of gigabytes of syntax tree.
MAX_FILE_BYTES = 10 * 1024 * 1024
#: Text libcst parses (one coroutine, or a module when a coroutine cannot be cut out alone) is at
#: most this long; a longer coroutine is confirmed from the ``ast`` index alone (a 4.7 MB list
#: literal in a coroutine took libcst 74 s and 2.7 GB).
LIBCST_MAX_CHARS = 256 * 1024
#: The deepest nesting estimate (see ``nesting_of``) libcst is given. The most stack-hungry construct,
#: nested brackets, overflows the default 8 MB stack at ~1,300 levels and costs ~6 kB of stack per
#: level; 250 keeps a margin of 5 there, and is lowered when the stack limit is smaller.
LIBCST_MAX_DEPTH = 250
STACK_BYTES_PER_LEVEL = 6 * 1024
STACK_SAFETY = 5

_LINE_BREAK = re.compile(r"(?<=\n)|(?<=\r)(?!\n)")


class SourceRefused(Exception):
    """The file cannot be analysed; the message says why (it is reported as LG001)."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def read_source(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; ``SourceRefused`` otherwise.

    O_NONBLOCK makes opening a FIFO return at once (a blocking open waits for a writer forever);
    the kind of file is checked on the open descriptor, so it cannot change between check and read."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(path, flags)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
            raise SourceRefused(f"cannot read file: it is {kind}, not a regular file")
        if info.st_size > limit:
            raise SourceRefused(too_large(info.st_size, limit))
        data = read_at_most(descriptor, limit + 1)
    finally:
        os.close(descriptor)
    if len(data) > limit:  # it grew since fstat
        raise SourceRefused(too_large(len(data), limit))
    return data


def read_at_most(descriptor: int, size: int) -> bytes:
    parts = []
    left = size
    while left > 0:
        chunk = os.read(descriptor, min(left, 1 << 20))
        if not chunk:
            break
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def too_large(size: int, limit: int) -> str:
    return (
        f"cannot analyse file: it is too large ({size:,} bytes; loopguard analyses files up to "
        f"{limit:,} bytes)"
    )


def decode_source(data: bytes) -> str:
    """Decode as Python does (a BOM or a PEP 263 coding cookie, else UTF-8); ``SourceRefused`` names
    the undecodable byte and where it is."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:  # a bad cookie, a BOM that contradicts it, or no UTF-8 in line 1-2
        encoding, why = "utf-8", error.msg
    else:
        why = ""
    try:
        text = data.decode(encoding)
    except LookupError:
        raise SourceRefused(f"cannot decode file: unknown encoding {encoding!r}") from None
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start]
        raise SourceRefused(
            f"cannot decode file as {encoding}: undecodable byte 0x{byte:02x} at offset {error.start} "
            f"(line {line})",
            line,
        ) from None
    if why:
        raise SourceRefused(f"cannot decode file: {why}")
    return text


def split_lines(text: str) -> list[str]:
    """Lines with their endings, broken where Python's tokenizer breaks them (LF, CRLF, CR)."""
    lines = _LINE_BREAK.split(text)
    if lines and not lines[-1]:
        lines.pop()
    return lines


def null_byte_position(text: str) -> tuple[int, int] | None:
    """(line, 1-based column) of the first NUL, which Python's tokenizer refuses."""
    offset = text.find("\0")
    if offset < 0:
        return None
    before = split_lines(text[:offset])
    if not before or before[-1][-1:] in ("\n", "\r"):
        return len(before) + 1, 1
    return len(before), len(before[-1]) + 1


@dataclass(frozen=True, slots=True)
class Nesting:
    """How deeply a text nests (an upper bound), and where the deepest point is."""

    depth: int
    line: int
    column: int


_RESETS = frozenset({",", ";", "="})  # separators: what follows starts a new expression
_OPENERS = frozenset({"(", "[", "{"})
_CLOSERS = frozenset({")", "]", "}"})
_OP, _NEWLINE, _INDENT, _DEDENT = tokenize.OP, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT
_OPERANDS = frozenset({tokenize.NAME, tokenize.NUMBER, tokenize.STRING})


def nesting_of(text: str) -> Nesting | None:
    """An upper bound of how deeply the syntax tree of ``text`` nests, from its tokens alone.

    Every nesting level of an expression consumes at least one token — a bracket, an operator, a
    keyword (``not``, ``lambda``, ``if``), a trailer (``.b``, ``[0]``, ``()``) or an operand (an
    implicit concatenation nests one level per string in libcst) — so the depth at a token is at
    most the number of open brackets plus, per open bracket, the tokens since its last separator
    (``,`` ``;`` ``=``; a closed bracket counts as one), plus the indentation depth. None when the text does not tokenize (then it
    is never handed to libcst)."""
    chains = [0]  # per open bracket (and the statement itself): tokens since its last separator
    total = indent = deepest = 0  # total: sum(chains), kept as it changes (this loop is hot)
    where = (1, 0)
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            kind = token[0]
            if kind == _OP:
                value = token[1]
                if value in _OPENERS:
                    chains.append(0)
                elif value in _RESETS:
                    total -= chains[-1]
                    chains[-1] = 0
                else:
                    if value in _CLOSERS and len(chains) > 1:
                        total -= chains.pop()
                    chains[-1] += 1  # an operator, or a closed group: one more link (a[0][0])
                    total += 1
            elif kind in _OPERANDS:
                chains[-1] += 1
                total += 1
            elif kind == _NEWLINE:
                chains, total = [0], 0
            elif kind == _INDENT:
                indent += 1
            elif kind == _DEDENT:
                indent -= 1
            depth = indent + len(chains) - 1 + total
            if depth > deepest:
                deepest, where = depth, token[2]
    except (tokenize.TokenError, SyntaxError):
        return None
    return Nesting(deepest, where[0], where[1] + 1)


def stack_limit() -> int | None:
    """The soft limit of the main thread's stack in bytes, None when unlimited or unknown."""
    try:
        import resource
    except ImportError:  # Windows: the stack size is fixed at link time
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_STACK)
    return None if soft == resource.RLIM_INFINITY or soft <= 0 else soft


def libcst_depth_limit() -> int:
    """``LIBCST_MAX_DEPTH``, lowered to what the process's stack size limit holds with margin."""
    stack = stack_limit()
    if stack is None:
        return LIBCST_MAX_DEPTH
    return min(LIBCST_MAX_DEPTH, stack // (STACK_BYTES_PER_LEVEL * STACK_SAFETY))


def libcst_refusal(text: str) -> str | None:
    """Why ``text`` must not be handed to libcst's native parser, or None when it is safe to."""
    if len(text) > LIBCST_MAX_CHARS:
        return f"too long for the concrete syntax tree ({len(text):,} characters)"
    nesting = nesting_of(text)
    if nesting is None:
        return "it does not tokenize"
    limit = libcst_depth_limit()
    if nesting.depth > limit:
        return f"nesting too deep (about {nesting.depth} levels at line {nesting.line}; the limit is {limit})"
    return None
