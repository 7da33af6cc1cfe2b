"""Command line: ``loopguard check``, ``rules``, ``explain`` and ``server`` (the language server).

Exit status (DESIGN.md): 0 nothing found, 1 findings, 2 a file could not be checked or the
invocation/configuration is wrong — every other file is still checked and reported. A bug in
loopguard (any unexpected exception) is one "internal error" line and exit status 2, never 1 (which
would read as "findings") and never 0, whatever ``--exit-zero`` says: ``--exit-zero`` only turns the
findings' 1 into 0, as in ruff.

This module is the console script's entry point, so it imports nothing at the top but the version:
``loopguard --version`` (which pre-commit and editor plugins run to probe the tool) answers before
click and the commands (``commands.py``) are imported.
"""

from __future__ import annotations

import os
import sys

from loopguard import __version__
from loopguard.console import EXIT_CLEAN, EXIT_ERROR

# Not ``typing.TYPE_CHECKING``: importing typing costs more than all of ``--version``. Type checkers
# treat any name TYPE_CHECKING as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn

    import click

ISSUES_URL = "https://github.com/loopguard/loopguard/issues"
# Set to see the traceback of an internal error (for a bug report).
TRACEBACK_VARIABLE = "LOOPGUARD_TRACEBACK"
#: What ``--version`` prints: click's ``version_option`` wording, which ``commands.cli`` also uses.
VERSION_LINE = f"loopguard, version {__version__}"


def main() -> int:
    try:
        status = answer_without_click(sys.argv[1:])
        return run_commands() if status is None else status
    except Exception as error:  # noqa: BLE001 - a bug must not look like findings (exit 1)
        report_internal_error(error)
        return EXIT_ERROR
    finally:
        skip_the_last_collections()


def run() -> NoReturn:
    """The console script and ``python -m loopguard``: ``main``, then the process ends at once,
    without freeing what the run built one object at a time (``lifetime.py``)."""
    from loopguard import lifetime

    lifetime.ends_with_run()
    lifetime.hard_exit(main())


def skip_the_last_collections() -> None:
    """The process ends once ``main`` returns, and Python's exit runs the cyclic collector over every
    object still alive (the modules, the catalogue, click's commands) only to free memory the system
    is about to take back: 5 % of a one-file run. Frozen objects are not scanned, and ``atexit``
    callbacks run before those collections; freezing only then leaves a process that calls ``main``
    and goes on (the tests) as it was."""
    import atexit
    import gc

    atexit.unregister(gc.freeze)  # once, however often main runs
    atexit.register(gc.freeze)


def answer_without_click(args: list[str]) -> int | None:
    """``--version``, ``rules`` and ``explain CODE`` typed just so, answered before click and the
    commands are imported (that import costs more than the answer); None for any other command
    line, which click parses (``commands.py`` gives the same answers)."""
    if args == ["--version"]:
        print(VERSION_LINE)
        return EXIT_CLEAN
    if args == ["rules"]:
        from loopguard.ruledocs import rule_list

        return write_out(rule_list())
    if len(args) == 2 and args[0] == "explain" and not args[1].startswith("-"):
        from loopguard.ruledocs import explain

        return explain(args[1], write_out)
    return None


def write_out(text: str) -> int:
    """Write and flush, as ``click.echo`` does: a closed pipe is an error here, not at exit."""
    sys.stdout.write(text)
    sys.stdout.flush()
    return EXIT_CLEAN


def run_commands() -> int:
    """Parse the command line with click and run the command."""
    import click

    from loopguard.commands import cli

    try:
        cli.main(prog_name="loopguard", standalone_mode=False)
    except SystemExit as done:
        return exit_status(done.code)
    except click.exceptions.Abort:
        return EXIT_ERROR
    except click.ClickException as error:
        error.show()
        return error.exit_code
    return EXIT_CLEAN


def __getattr__(name: str) -> click.Group:
    """``loopguard.cli.cli``, the click group (tests and embedders invoke it), imported on first use."""
    if name == "cli":
        from loopguard.commands import cli

        return cli
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def exit_status(code: object) -> int:
    """The status of a ``SystemExit``: its number, 0 for None, 2 for a message (printed)."""
    from loopguard.console import fail

    if code is None or isinstance(code, int):
        return code or EXIT_CLEAN
    fail(str(code))
    return EXIT_ERROR


def report_internal_error(error: Exception) -> None:
    """One line asking for a bug report; the traceback only when LOOPGUARD_TRACEBACK is set."""
    import click

    from loopguard.report import escape_controls

    if os.environ.get(TRACEBACK_VARIABLE):
        import traceback

        traceback.print_exception(type(error), error, error.__traceback__, file=sys.stderr)
    detail = " ".join(str(error).split())[:200]
    click.echo(
        f"loopguard: internal error: {type(error).__name__}: {escape_controls(detail)}"
        f" — this is a bug in loopguard; please report it at {ISSUES_URL} with the command that"
        f" failed (set {TRACEBACK_VARIABLE}=1 to see the traceback)",
        err=True,
    )


if __name__ == "__main__":
    sys.exit(main())
