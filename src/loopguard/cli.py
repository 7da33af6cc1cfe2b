"""Command line: ``loopguard check``, ``loopguard rules``, ``loopguard explain``.

Exit status (DESIGN.md): 0 nothing found, 1 findings, 2 a file could not be checked or the
invocation/configuration is wrong — every other file is still checked and reported. A bug in
loopguard (any unexpected exception) is one "internal error" line and exit status 2, never 1 (which
would read as "findings") and never 0, whatever ``--exit-zero`` says: ``--exit-zero`` only turns the
findings' 1 into 0, as in ruff.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import click

from loopguard import __version__
from loopguard.cache import CACHE_DIRECTORY
from loopguard.catalogue import ALL_RULES
from loopguard.config import Config, ConfigError, load_config, parse_code_list
from loopguard.discover import discover, is_excluded, relative_to_root
from loopguard.engine import make_settings
from loopguard.jobs import StdinSource, default_jobs, display_path, make_jobs
from loopguard.models import FileResult, Finding
from loopguard.report import ReportContext, escape_controls, renderers
from loopguard.report.source import SourceLines
from loopguard.ruledocs import rule_page
from loopguard.runner import check_jobs, problem_results

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
ISSUES_URL = "https://github.com/loopguard/loopguard/issues"
# Set to see the traceback of an internal error (for a bug report).
TRACEBACK_VARIABLE = "LOOPGUARD_TRACEBACK"


def fail(message: str) -> None:
    """One line on stderr; control characters in the paths it names are shown escaped."""
    click.echo(f"loopguard: error: {escape_controls(message)}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="loopguard")
def cli() -> None:
    """Find calls that block the asyncio, anyio or trio event loop."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--output-format", "output_format", default=None,
    type=click.Choice(sorted(renderers())),
    help="How findings are printed [default: full on a terminal, else concise].",
)
@click.option("--select", help="Comma-separated code prefixes to report (replaces the configured `select`).")
@click.option("--ignore", help="Comma-separated code prefixes not to report (added to the configured `ignore`).")
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="Read settings from this file instead of the nearest pyproject.toml.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings are reported.")
@click.option("--quiet", "-q", is_flag=True, help="Print findings only, no summary.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: the number of CPUs).")
@click.option("--force-exclude", is_flag=True,
              help="Apply `exclude` to files named on the command line too (as pre-commit passes them).")
@click.option("--stdin-filename", type=click.Path(path_type=Path),
              help="Read the source from standard input (path `-`) and report it as this path.")
@click.option("--statistics", is_flag=True, help="Print the number of findings per code instead of each one.")
@click.option("--no-color", is_flag=True, help="Never colour the output (also: the NO_COLOR variable).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), envvar="LOOPGUARD_CACHE_DIR",
              help="Where the cache lives [default: .loopguard_cache in the project root].")
def check(
    paths: tuple[str, ...], output_format: str | None, select: str | None, ignore: str | None,
    config_path: Path | None, exit_zero: bool, quiet: bool, jobs: int | None, force_exclude: bool,
    stdin_filename: Path | None, statistics: bool, no_color: bool, no_cache: bool, cache_dir: Path | None,
) -> None:
    """Check PATHS (files or directories; default: the current directory; `-` reads standard input)."""
    cwd = Path.cwd().resolve()
    try:
        config = with_cli_codes(load_config(config_path, cwd), select, ignore)
    except ConfigError as error:
        fail(str(error))
        raise SystemExit(EXIT_ERROR) from None
    stdin = None
    if "-" in paths or (stdin_filename is not None and not paths):
        paths = tuple(p for p in paths if p != "-")
        stdin = read_stdin(stdin_filename, config, force_exclude)
    elif not paths:
        paths = (".",)
    found = discover(paths, config.root, config.exclude, force_exclude, config.respect_gitignore)
    for missing in found.missing:
        fail(f"{missing}: no such file or directory")
    settings = make_settings(config)
    jobs_list = make_jobs(found.files, config.root, cwd)
    with progress_bar(len(jobs_list), quiet) as advance:
        cache_directory = None if no_cache else (cache_dir or config.root / CACHE_DIRECTORY)
        results = check_jobs(
            jobs_list, settings, jobs or default_jobs(), stdin, config.root, advance, cache_directory, found.walked
        )
    results = [*problem_results(found, cwd), *results]
    findings = sorted((f for r in results for f in r.findings), key=Finding.sort_key)
    source_lines = SourceLines(str(config.root), paths, stdin_buffer(stdin, cwd))
    context = ReportContext(
        rules=ALL_RULES, version=__version__, root=config.root, read_line=source_lines
    )
    try:
        print_report(results, findings, context, output_format, quiet, statistics, no_color)
    except BrokenPipeError:
        # The reader went away (`| head`): the report is incomplete, which is not "findings" (1).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        raise SystemExit(EXIT_ERROR) from None
    errors = bool(found.missing) or any(r.error for r in results)
    if errors:
        raise SystemExit(EXIT_ERROR)
    raise SystemExit(EXIT_FINDINGS if findings and not exit_zero else EXIT_CLEAN)


def print_report(
    results: list[FileResult], findings: list[Finding], context: ReportContext,
    output_format: str | None, quiet: bool, statistics: bool, no_color: bool,
) -> None:
    on_terminal = sys.stdout.isatty()
    output_format = output_format or ("full" if on_terminal else "concise")
    color = on_terminal and not no_color and not os.environ.get("NO_COLOR")
    context = replace(context, color=color)
    if statistics:
        click.echo(render_statistics(findings), nl=False)
    else:
        click.echo(renderers()[output_format](findings, context), nl=False)
    if output_format in HUMAN_FORMATS and not quiet:
        if findings and output_format == "full" and not statistics:
            click.echo()
        click.echo(summary(results, findings), err=False)


def stdin_buffer(stdin: StdinSource | None, cwd: Path) -> dict[str, bytes]:
    """The checked buffer under its reported path: its lines come from it, not from the disk."""
    if stdin is None:
        return {}
    return {"-" if stdin.path.name == "-" else display_path(stdin.path, cwd): stdin.data}


def read_stdin(filename: Path | None, config: Config, force_exclude: bool) -> StdinSource | None:
    stream = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else sys.stdin
    data = stream.read()
    if isinstance(data, str):
        data = data.encode("utf-8")
    path = filename or Path("-")
    if force_exclude and filename is not None and is_excluded(relative_to_root(filename, config.root), config.exclude):
        return None
    return StdinSource(data, path)


def with_cli_codes(config: Config, select: str | None, ignore: str | None) -> Config:
    if select is not None:
        config = replace(config, select=parse_code_list(select, "--select"))
    if ignore is not None:
        config = replace(config, ignore=config.ignore + parse_code_list(ignore, "--ignore"))
    return config


HUMAN_FORMATS = ("text", "concise", "full")


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(results: list[FileResult], findings: list[Finding]) -> str:
    """"Found 12 blocking calls in 5 files (3 transitive)." — or "All checks passed!"."""
    blocking = [f for f in findings if f.code != "LG001"]
    unchecked = sum(1 for r in results if r.error)
    if not findings:
        return f"All checks passed! ({plural(len(results), 'file')} checked)"
    files = len({f.path for f in blocking})
    text = f"Found {plural(len(blocking), 'blocking call')} in {plural(files, 'file')}"
    transitive = sum(1 for f in blocking if f.chain)
    text += f" ({transitive} transitive)." if transitive else "."
    if unchecked:
        text += f" {plural(unchecked, 'file')} could not be checked."
    return text


def render_statistics(findings: list[Finding]) -> str:
    """ruff's --statistics: count, code and name per code, most frequent first."""
    counts = Counter(f.code for f in findings)
    names = {f.code: f.name for f in findings}
    width = len(str(max(counts.values(), default=0)))
    return "".join(
        f"{count:>{width}}\t{code}\t{names[code]}\n"
        for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    )


@contextmanager
def progress_bar(total: int, quiet: bool) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr for long runs on a terminal only (never in pipes, CI or hooks)."""
    interactive = sys.stderr.isatty() and not os.environ.get("CI") and not quiet
    if not interactive or total < PROGRESS_MIN_FILES:
        yield lambda done: None
        return
    with click.progressbar(length=total, label="Checking", file=sys.stderr) as bar:
        yield bar.update


PROGRESS_MIN_FILES = 500


@cli.command()
@click.option("--output-format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def rules(output_format: str) -> None:
    """List every code, its name and what it matches, grouped by domain."""
    if output_format == "json":
        data = [
            {"code": r.code, "name": r.name, "domain": r.domain, "summary": r.summary,
             "default_enabled": r.default_enabled}
            for r in sorted(ALL_RULES.values(), key=lambda r: r.code)
        ]
        click.echo(json.dumps(data, indent=2))
        return
    by_domain: dict[str, list[str]] = {}
    for rule in sorted(ALL_RULES.values(), key=lambda r: r.code):
        opt_in = "" if rule.default_enabled else " (opt-in)"
        by_domain.setdefault(rule.domain, []).append(f"  {rule.code}  {rule.name:<28} {rule.summary}{opt_in}")
    for domain, lines in by_domain.items():
        click.echo(f"{domain}:")
        click.echo("\n".join(lines))


@cli.command()
@click.argument("code")
def explain(code: str) -> None:
    """Print the documentation page of CODE (e.g. LG101)."""
    rule = ALL_RULES.get(code.upper())
    if rule is None:
        fail(f"unknown code '{code}'; `loopguard rules` lists them")
        raise SystemExit(EXIT_ERROR)
    click.echo(rule_page(rule), nl=False)


def main() -> int:
    try:
        cli.main(prog_name="loopguard", standalone_mode=False)
    except SystemExit as done:
        return exit_status(done.code)
    except click.exceptions.Abort:
        return EXIT_ERROR
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except Exception as error:  # noqa: BLE001 - a bug must not look like findings (exit 1)
        report_internal_error(error)
        return EXIT_ERROR
    return EXIT_CLEAN


def exit_status(code: object) -> int:
    """The status of a ``SystemExit``: its number, 0 for None, 2 for a message (printed)."""
    if code is None or isinstance(code, int):
        return code or EXIT_CLEAN
    fail(str(code))
    return EXIT_ERROR


def report_internal_error(error: Exception) -> None:
    """One line asking for a bug report; the traceback only when LOOPGUARD_TRACEBACK is set."""
    if os.environ.get(TRACEBACK_VARIABLE):
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
