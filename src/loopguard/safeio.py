"""Reading the small files the analysed tree controls (configuration, ignore files, snippets).

Such a file may be a FIFO (opening it would wait for a writer forever), a device, a directory or
huge, so it is opened without blocking, checked to be a regular file, and read up to a bound.
"""

from __future__ import annotations

import os
import stat

FILE_KINDS = (
    (stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
)


class NotARegularFile(OSError):
    """The path exists but is a FIFO, a directory, a device...; ``strerror`` says which."""


def file_kind(mode: int) -> str:
    return next((name for test, name in FILE_KINDS if test(mode)), "not a regular file")


def read_regular_file(path: str | os.PathLike[str], limit: int) -> bytes:
    """At most ``limit + 1`` bytes of a regular file, so the caller can tell that it is too big.

    Raises OSError when it cannot be read, NotARegularFile when it is not a regular file.
    """
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        found = os.fstat(descriptor)
        if not stat.S_ISREG(found.st_mode):
            raise NotARegularFile(0, f"{file_kind(found.st_mode)}, not a regular file", os.fspath(path))
        return read_descriptor(descriptor, found.st_size, limit)
    finally:
        os.close(descriptor)


def read_descriptor(descriptor: int, size: int, limit: int) -> bytes:
    """What is left to read in ``descriptor``, whose size ``fstat`` said was ``size``: at most
    ``limit + 1`` bytes. The first read asks for that size (and one byte more, to meet the end):
    asking for the whole limit makes ``os.read`` allocate it first (the cache's 512 MB bound cost
    40 µs a file against 6). A file that grew since is read on, up to the limit."""
    parts: list[bytes] = []
    total, wanted = 0, min(size, limit) + 1
    while total <= limit:
        chunk = os.read(descriptor, min(wanted, limit + 1 - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
        wanted = 1 << 20
    return parts[0] if len(parts) == 1 else b"".join(parts)
