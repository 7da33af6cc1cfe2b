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
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise NotARegularFile(0, f"{file_kind(mode)}, not a regular file", os.fspath(path))
        data = bytearray()
        while len(data) <= limit:
            chunk = os.read(descriptor, limit + 1 - len(data))
            if not chunk:
                break
            data += chunk
        return bytes(data)
    finally:
        os.close(descriptor)
