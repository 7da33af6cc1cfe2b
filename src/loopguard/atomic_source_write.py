"""Writing a changed Python source file back: whole or not at all, byte-faithful around the change.

The new text is encoded as the file was (its PEP 263 cookie, or UTF-8 with the BOM kept when there
was one), written to a temporary file in the same directory, given the original's permission bits,
flushed to disk and renamed over the original, so a reader (an editor, a concurrent run) sees the
old file or the new one, never half of one. A symlink is followed: the file it points to is
rewritten and the link stays a link. Line endings are the caller's business: edit lines with their
endings (``sourcetext.split_lines``) and they are kept as they were.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import tempfile
import tokenize
from dataclasses import dataclass
from pathlib import Path

from loopguard.sourcetext import decode_source, read_source


class SourceWriteError(Exception):
    """The file cannot be read back faithfully or written; the message says why."""


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file's text and the encoding that gives back its exact bytes."""

    path: Path
    text: str
    encoding: str


def read_source_file(path: Path) -> SourceFile:
    """The file decoded as Python decodes it; ``SourceWriteError`` when encoding the text again
    would not give the same bytes (so an edit would change more than it says)."""
    return decoded_source(path, read_source(path))


def decoded_source(path: Path, data: bytes) -> SourceFile:
    """``data`` (the bytes of ``path``, or a buffer standing for it) decoded as ``read_source_file``
    decodes a file."""
    text = decode_source(data)
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    if text.encode(encoding) != data:
        raise SourceWriteError(f"its bytes do not survive decoding as {encoding} and encoding again")
    return SourceFile(path, text, encoding)


def write_source_atomically(source: SourceFile, text: str) -> None:
    """Replace the file's content with ``text`` in the file's own encoding (see the module doc)."""
    target = Path(os.path.realpath(source.path))
    data = text.encode(source.encoding)
    mode = stat.S_IMODE(os.stat(target).st_mode)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
