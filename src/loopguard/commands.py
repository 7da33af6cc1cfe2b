"""The commands and their flags, as click parses them: ``loopguard check``, ``rules``, ``explain`` and
``server`` (the language server). ``cli.main`` runs them, and answers ``--version`` before this module
(and click) is imported."""

from __future__ import annotations

from pathlib import Path

import click

from loopguard import __version__
from loopguard.report import FORMAT_NAMES

# Only what every command needs is imported here: each command imports what it uses when it runs,
# so ``rules`` and ``explain`` never load the analysis (runner, cache, stages) that ``check`` needs.


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="loopguard")
def cli() -> None:
    """Find calls that block the asyncio, anyio or trio event loop."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--output-format", "output_format", default=None, type=click.Choice(sorted(FORMAT_NAMES)),
    help="How findings are printed [default: full on a terminal, else concise].",
)
@click.option("--output-file", "-o", type=click.Path(dir_okay=False, path_type=Path),
              envvar="LOOPGUARD_OUTPUT_FILE",
              help="Write the report (summary included) to this file instead of standard output.")
@click.option("--select", help="Comma-separated code prefixes to report (replaces the configured `select`).")
@click.option("--extend-select", help="Comma-separated code prefixes to report on top of `select`.")
@click.option("--ignore", help="Comma-separated code prefixes not to report (added to the configured `ignore`).")
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="Read settings from this file (its directory is the project root) instead of the "
              "nearest loopguard.toml or pyproject.toml above each checked file.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings are reported.")
@click.option("--quiet", "-q", is_flag=True, help="Print findings only, no summary.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Processes that check files (default: the number of CPUs).")
@click.option("--force-exclude", is_flag=True,
              help="Apply `exclude` to files named on the command line too (as pre-commit passes them).")
@click.option("--stdin-filename", type=click.Path(path_type=Path),
              help="Read the source from standard input (path `-`) and report it as this path.")
@click.option("--statistics", is_flag=True,
              help="Print the number of findings per code instead of each one (text or json).")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
              help="Colour the output: on a terminal unless NO_COLOR is set (auto), always, or never.")
@click.option("--no-color", is_flag=True, help="The same as --color never.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), envvar="LOOPGUARD_CACHE_DIR",
              help="Where the cache lives [default: .loopguard_cache in the project root].")
@click.option("--show-settings", is_flag=True,
              help="Print the project root, source roots, module name and settings of the first file "
              "(or the --stdin-filename buffer), and check nothing.")
@click.option("--show-files", is_flag=True, help="List the files that would be checked, and check nothing.")
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path),
              help="Do not report the findings recorded in this baseline file (see --write-baseline).")
@click.option("--write-baseline", type=click.Path(dir_okay=False, path_type=Path),
              help="Record every current finding in this baseline file (created or replaced), then "
              "report as --baseline would: nothing, exit 0.")
@click.option("--add-noqa", is_flag=True,
              help="Add a `# noqa: CODE` comment for every finding (merged into existing noqa comments), "
              "then report what is left.")
@click.option("--fix", is_flag=True, help="Apply the safe fixes, then report what is left.")
@click.option("--unsafe-fixes", is_flag=True,
              help="With --fix or --diff, apply the unsafe fixes too (the call moves to a worker thread).")
@click.option("--diff", is_flag=True,
              help="Print the diff of what --fix would change and write nothing (exit 1 when there is one).")
@click.option("--show-fixes", is_flag=True, help="With --fix, list the findings that were fixed.")
def check(
    paths: tuple[str, ...], output_format: str | None, output_file: Path | None, select: str | None,
    extend_select: str | None, ignore: str | None, config_path: Path | None, exit_zero: bool,
    quiet: bool, jobs: int | None, force_exclude: bool, stdin_filename: Path | None,
    statistics: bool, color: str, no_color: bool, no_cache: bool, cache_dir: Path | None,
    show_settings: bool, show_files: bool, baseline: Path | None, write_baseline: Path | None,
    add_noqa: bool, fix: bool, unsafe_fixes: bool, diff: bool, show_fixes: bool,
) -> None:
    """Check PATHS (files or directories; default: the current directory; `-` reads standard input)."""
    from loopguard.check_command import CheckOptions, run_check
    from loopguard.fix_options import FixOptions

    options = CheckOptions(
        paths=paths, output_format=output_format, select=select, extend_select=extend_select,
        ignore=ignore, config_path=config_path, exit_zero=exit_zero, quiet=quiet, jobs=jobs,
        force_exclude=force_exclude, stdin_filename=stdin_filename, statistics=statistics,
        color="never" if no_color else color, no_cache=no_cache, cache_dir=cache_dir,
        output_file=output_file, show_settings=show_settings, show_files=show_files,
        baseline=baseline, write_baseline=write_baseline, add_noqa=add_noqa,
        fixes=FixOptions(fix=fix, diff=diff, unsafe=unsafe_fixes, show_fixes=show_fixes),
    )
    raise SystemExit(run_check(options))


@cli.command()
@click.option("--output-format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def rules(output_format: str) -> None:
    """List every code, its name and what it matches, grouped by domain."""
    from loopguard.ruledocs import rule_list

    click.echo(rule_list(output_format), nl=False)


@cli.command()
@click.argument("code")
def explain(code: str) -> None:
    """Print the documentation page of CODE (e.g. LG101)."""
    from loopguard.ruledocs import explain as explain_code

    raise SystemExit(explain_code(code, lambda page: click.echo(page, nl=False)))


@cli.command()
@click.option("--stdio", is_flag=True, help="Talk over standard input and output (the only transport; "
              "accepted because editors pass it).")
def server(stdio: bool) -> None:
    """Run the language server (LSP) on standard input and output: diagnostics of unsaved buffers,
    hovers and quick fixes in the editor. Needs `pip install 'loopguard-lint[server]'`."""
    from loopguard import lifetime
    from loopguard.server import main as serve

    lifetime.goes_on()  # check after check in this one process: each run's structures are freed
    raise SystemExit(serve())
