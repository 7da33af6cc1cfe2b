"""What every command says on stderr, and the exit statuses (DESIGN.md: 0 clean, 1 findings, 2 error).

It imports nothing at the top: ``cli.py`` takes the statuses from here before it answers
``--version``, ``rules`` and ``explain``, which never load click.
"""

from __future__ import annotations

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def fail(message: str) -> None:
    """One line on stderr; control characters in the paths it names are shown escaped."""
    import click

    from loopguard.report import escape_controls

    click.echo(f"loopguard: error: {escape_controls(message)}", err=True)


def warn(message: str) -> None:
    """A problem that does not stop the run (a code that matches no rule, an empty directory)."""
    import click

    from loopguard.report import escape_controls

    click.echo(f"loopguard: warning: {escape_controls(message)}", err=True)


def plural(count: int, word: str) -> str:
    """``1 file``, ``2 files``: the counts every summary line gives."""
    return f"{count} {word}{'' if count == 1 else 's'}"
