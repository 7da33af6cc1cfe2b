"""What a run builds is freed at the end of the run — unless the process ends with the run.

A cold run over a large project ends holding every module's summary, the linked project and the
call graph's memos (~250 MB on homeassistant). Freeing them object by object takes one core
~0.06 s after the report is written, and Python's exit then tears down the modules too: time
the user waits for and the system is about to take back anyway. The console script and
``python -m loopguard`` (``cli.run``) end the process with ``os._exit`` once the output is
flushed, as mypy does (``mypy.util.hard_exit``); ``keep_until_exit`` hands those structures over
so that they are never freed one by one before that.

Any other caller of ``cli.main`` — the tests, an embedder — never calls ``ends_with_run``, and
everything is freed as usual; nor does the language server, which runs check after check in one
process (``goes_on``).
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

#: Whether the process ends as soon as ``cli.main`` returns (``ends_with_run``).
_ENDING = False
#: What ``keep_until_exit`` was given: alive until ``os._exit``.
_KEPT: list[object] = []


def ends_with_run() -> None:
    """Say that this process ends when the command does (``cli.run``)."""
    global _ENDING
    _ENDING = True


def goes_on() -> None:
    """Say that this process outlives the runs it makes (the language server): nothing is kept."""
    global _ENDING
    _ENDING = False
    _KEPT.clear()


def keep_until_exit(*objects: object) -> None:
    """Keep ``objects`` alive until the process ends, when it ends with the run; else nothing."""
    if _ENDING:
        _KEPT.extend(objects)


def hard_exit(status: int) -> NoReturn:
    """End the process with ``status`` without freeing what it holds: the standard streams are
    flushed first (a flush that fails is Python's own exit status for it, 120, where the command
    succeeded). Every child process and pool the command started has been joined by then, and
    the files it wrote were closed by the ``with`` blocks that wrote them."""
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            status = status or 120
    os._exit(status)
