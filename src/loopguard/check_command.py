"""What ``loopguard check`` does once its flags are parsed: configure, discover, check, report.

It lives apart from ``cli.py`` so that ``loopguard --version``, ``rules`` and ``explain`` never
import the analysis (the stages, the runner and its process pool, the cache): ``cli.py`` imports
this module only inside the ``check`` command.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import click

from loopguard import __version__
from loopguard.analysis.stages import make_settings
from loopguard.cache.store import CACHE_DIRECTORY, Cache
from loopguard.catalogue import ALL_RULES, UNUSED_NOQA
from loopguard.config import (
    Config,
    ConfigError,
    parse_code_list,
    unknown_code_warnings,
    unmatched_codes,
)
from loopguard.console import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, fail, plural, warn
from loopguard.discovery.files import Discovery, absolute, discover, relative_to
from loopguard.discovery.projects import (
    Project,
    ProjectFiles,
    ProjectFinder,
    discover_projects,
    excluded_by,
)
from loopguard.fix_options import FixOptions
from loopguard.jobs import StdinSource, default_jobs, display_path, make_jobs, stdin_source
from loopguard.models import FileResult, Finding
from loopguard.report import ReportContext, renderers
from loopguard.report.source import SourceLines
from loopguard.report.statistics import STATISTICS_FORMATS, render_statistics
from loopguard.runner import FixPlans, check_jobs, problem_results

# ``fix_command`` (applying edits, diffs, atomic writes) is imported when a run fixes or describes
# a fix: a run with no findings, the commonest, never needs it.
TYPE_CHECKING = False  # not typing's: see cli.py
if TYPE_CHECKING:
    from loopguard.fix_command import FileSource, FixRun

HUMAN_FORMATS = ("text", "concise", "full")
#: Formats that show no fix (nor a summary line counting them): fixes are not planned for them.
FORMATS_WITHOUT_FIXES = ("github", "gitlab", "junit")
PROGRESS_MIN_FILES = 500


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """The flags of ``loopguard check``, as click parsed them."""

    paths: tuple[str, ...] = ()
    output_format: str | None = None
    select: str | None = None
    extend_select: str | None = None
    ignore: str | None = None
    config_path: Path | None = None
    exit_zero: bool = False
    quiet: bool = False
    jobs: int | None = None
    force_exclude: bool = False
    stdin_filename: Path | None = None
    statistics: bool = False
    color: str = "auto"
    no_cache: bool = False
    cache_dir: Path | None = None
    output_file: Path | None = None
    show_settings: bool = False
    show_files: bool = False
    baseline: Path | None = None
    write_baseline: Path | None = None
    add_noqa: bool = False
    fixes: FixOptions = field(default_factory=FixOptions)
    to_stderr: bool = False  # the report goes to stderr (standard output holds a fixed buffer)


def run_check(options: CheckOptions) -> int:
    """The exit status of one ``loopguard check`` run; messages go to stderr, the report to
    standard output or ``--output-file``."""
    cwd = Path.cwd().resolve()
    if options.statistics and options.output_format not in (None, *STATISTICS_FORMATS):
        fail(f"--statistics cannot be written as {options.output_format}; use text or json")
        return EXIT_ERROR
    paths, reads_stdin = options.paths, False
    if "-" in paths or (options.stdin_filename is not None and not paths):
        paths, reads_stdin = tuple(p for p in paths if p != "-"), True
    elif not paths:
        paths = (".",)
    if options.add_noqa and reads_stdin:
        fail("--add-noqa cannot write comments into standard input; name the files")
        return EXIT_ERROR
    try:
        finder = ProjectFinder(cwd, options.config_path, configure(options))
        groups, found = discover_projects(paths, finder, options.force_exclude, discover)
        if options.show_files or options.show_settings:
            from loopguard.settings_view import show_files, show_settings

            if options.show_files:
                return show_files(found, cwd)
            return show_settings(groups, options.stdin_filename if reads_stdin else None, finder, cwd)
        stdin = read_stdin(options.stdin_filename, finder, options.force_exclude) if reads_stdin else None
    except ConfigError as error:
        fail(str(error))
        return EXIT_ERROR
    for missing in found.missing:
        fail(f"{missing}: no such file or directory")
    for directory in directories_without_python(paths, found):
        warn(f"{directory}: no Python files to check (none there, or all excluded)")
    if stdin is not None:
        groups = with_stdin_project(groups, stdin.project)
    results = [*problem_results(found, cwd)]
    fix_plans: FixPlans | None = {} if describes_fixes(options) else None
    for group in groups:
        buffer = stdin.source if stdin is not None and stdin.project == group.project else None
        results += check_files(group, cwd, options, buffer, fix_plans)
    fixed, results = run_fixes(results, options, lambda: fix_sources(groups, cwd, stdin), cwd, fix_plans)
    if fixed is not None and options.fixes.diff:
        from loopguard.fix_command import write_diffs

        return write_diffs(fixed, bool(found.missing) or any(r.error for r in results))
    findings = sorted((f for r in results for f in r.findings), key=Finding.sort_key)
    root = report_root([group.project for group in groups], cwd)
    source_lines = SourceLines(str(root), paths, stdin_buffer(stdin.source if stdin else None, cwd))
    context = ReportContext(rules=ALL_RULES, version=__version__, root=root, read_line=source_lines)
    baselined, adoption_failed = 0, False
    if adopts(options, groups):
        from loopguard.adoption import AdoptionRequest, adopt

        adopted = adopt(AdoptionRequest(options.baseline, options.write_baseline, groups, results, root, cwd,
                                        source_lines, options.add_noqa), findings)
        if adopted.status is not None:
            return adopted.status
        findings, baselined, adoption_failed = list(adopted.findings), adopted.baselined, adopted.failed
    if fixed is not None and stdin is not None and options.fixes.fix:
        from loopguard.fix_command import write_fixed_buffer

        write_fixed_buffer(fixed, stdin.source.data)
        options = replace(options, to_stderr=True)
    notes = notes_on_fixes(findings, options.fixes, fixed)
    status = write_report(results, findings, context, options, len(found.missing), baselined, notes)
    if status != EXIT_CLEAN:
        return status
    if found.missing or adoption_failed or any(r.error for r in results) or (fixed and fixed.errors):
        return EXIT_ERROR
    return EXIT_FINDINGS if findings and not options.exit_zero else EXIT_CLEAN


def adopts(options: CheckOptions, groups: list[ProjectFiles]) -> bool:
    """Whether the run applies or writes a baseline or adds noqa comments (``adoption.py``, which is
    imported only then, with the baseline and noqa writers)."""
    return bool(
        options.baseline or options.write_baseline or options.add_noqa
        or any(group.project.config.baseline for group in groups)
    )


# -- fixes ---------------------------------------------------------------------------------------
def describes_fixes(options: CheckOptions) -> bool:
    """Whether the report describes the fix of each finding (not ``--fix`` / ``--diff``, which
    plan them again round after round, nor the formats that show none)."""
    return not options.fixes.applies and options.output_format not in FORMATS_WITHOUT_FIXES


def run_fixes(
    results: list[FileResult], options: CheckOptions, sources_of: Callable[[], dict[str, FileSource]],
    cwd: Path, fix_plans: FixPlans | None = None,
) -> tuple[FixRun | None, list[FileResult]]:
    """``--fix`` / ``--diff``: fix the files (what they did, and the results left); otherwise the
    results with the fix of each finding that has one, for the formats that show fixes.
    ``sources_of()``: each reported file's source (``fix_sources``)."""
    if options.fixes.applies:
        from loopguard.fix_command import fix_results

        with recheck_options(options) as recheck:
            fixed = fix_results(results, sources_of(), options.fixes, buffer_checker(cwd, recheck))
        for message in fixed.errors:
            fail(message)
        return fixed, fixed.results
    if any(r.findings for r in results) and describes_fixes(options):
        from loopguard.fix_command import describe_fixes

        sources = sources_of()
        memo = fix_plan_cache(options, sources)
        described = describe_fixes(results, sources, warn, memo, fix_plans or {})
        if memo is not None:
            memo.save()
        return None, described
    return None, results


def notes_on_fixes(findings: list[Finding], fixes: FixOptions, fixed: FixRun | None) -> str:
    """``fix_command.fix_notes``: what was fixed and what could be ("" when neither)."""
    if fixed is None and all(finding.fix is None for finding in findings):
        return ""
    from loopguard.fix_command import fix_notes

    return fix_notes(findings, fixes, fixed)


def fix_plan_cache(options: CheckOptions, sources: Mapping[str, FileSource]) -> Cache | None:
    """The cache that keeps fix plans (the first reported file's project's, like the run's), read
    and written one entry per file; none with ``--no-cache``."""
    if options.no_cache:
        return None
    projects = {source.project.root: source.project for source in sources.values()}
    if len(projects) != 1:
        return None  # files of several projects: each has its own cache; plans are made afresh
    (project,) = projects.values()
    # the run has already said it once if the directory cannot be used
    return Cache(options.cache_dir or project.root / CACHE_DIRECTORY, use_pack=False, warn=None)


def fix_sources(groups: list[ProjectFiles], cwd: Path, stdin: StdinBuffer | None) -> dict[str, FileSource]:
    """Each reported file's path and project, by the path reports name it with."""
    from loopguard.fix_command import FileSource

    displayed = relative_to(cwd)  # display_path, with the working directory worked out once
    sources = {displayed(f): FileSource(f, group.project) for group in groups for f in group.files}
    if stdin is not None:
        for display in stdin_buffer(stdin.source, cwd):
            sources[display] = FileSource(stdin.source.path, stdin.project, stdin.source.data)
    return sources


@contextmanager
def recheck_options(options: CheckOptions) -> Iterator[CheckOptions]:
    """The options the fixed files are checked again with, round after round. Each re-check reads
    the modules the file imports; with ``--no-cache`` it would summarise them again for every file
    and round (minutes and gigabytes on a large project), so the re-checks share a cache of their
    own, in a temporary directory removed when the fixing ends: the run still reads no cache it did
    not write and leaves none."""
    if not options.no_cache:
        yield options
        return
    import tempfile

    with tempfile.TemporaryDirectory(prefix="loopguard-fix-") as directory:
        yield replace(options, no_cache=False, cache_dir=Path(directory))


def buffer_checker(cwd: Path, options: CheckOptions) -> Callable[[FileSource, bytes], list[Finding] | None]:
    """Checks a fixed file's new bytes in its project, as an editor's unsaved buffer is checked;
    None when they could not be checked (they do not parse, say)."""
    quiet = replace(options, quiet=True)

    def check_buffer(source: FileSource, data: bytes) -> list[Finding] | None:
        named = None if source.path.name == "-" else source.path
        buffer = stdin_source(data, named, source.project.roots)
        results = check_files(ProjectFiles(source.project, ()), cwd, quiet, buffer)
        if any(r.error for r in results):
            return None
        return [f for r in results for f in r.findings]

    return check_buffer


def configure(options: CheckOptions) -> Callable[[Config], Config]:
    """What turns each project's configuration file into its settings: the code flags of the
    command line on top (parsed and warned about once), and a warning per code of the file that
    matches no rule."""
    select = None if options.select is None else cli_codes(options.select, "--select")
    extend = None if options.extend_select is None else cli_codes(options.extend_select, "--extend-select")
    ignore = None if options.ignore is None else cli_codes(options.ignore, "--ignore")

    def adjust(config: Config) -> Config:
        for message in unknown_code_warnings(config, ALL_RULES):
            warn(message)
        return with_cli_codes(config, select, extend, ignore)

    return adjust


def cli_codes(text: str, option: str) -> tuple[str, ...]:
    codes = parse_code_list(text, option)
    for code in unmatched_codes(codes, ALL_RULES):
        warn(f"{option}: the code '{code}' matches no rule")
    return codes


def with_cli_codes(
    config: Config,
    select: tuple[str, ...] | None,
    extend_select: tuple[str, ...] | None,
    ignore: tuple[str, ...] | None,
) -> Config:
    """ruff's order: ``--select`` replaces ``select``, ``--extend-select`` adds to the result,
    ``--ignore`` adds to ``ignore``."""
    if select is not None:
        config = replace(config, select=select)
    if extend_select is not None:
        config = replace(config, select=config.select + extend_select)
    if ignore is not None:
        config = replace(config, ignore=config.ignore + ignore)
    return config


def with_stdin_project(groups: list[ProjectFiles], project: Project) -> list[ProjectFiles]:
    """The groups, with one for the buffer's project when no file of it is checked."""
    if any(group.project == project for group in groups):
        return groups
    return [*groups, ProjectFiles(project, ())]


def report_root(projects: list[Project], cwd: Path) -> Path:
    """What reports name files relative to (SARIF's ``%SRCROOT%``): the project root, or the
    common directory of several projects' roots."""
    roots = sorted({absolute(project.root) for project in projects})
    if not roots:
        return cwd
    return Path(roots[0] if len(roots) == 1 else os.path.commonpath(roots))


def directories_without_python(paths: tuple[str, ...], found: Discovery) -> list[str]:
    """The directories named on the command line under which no file is checked (ruff warns once
    when nothing at all is found; naming the directory says which argument was wrong)."""
    empty = []
    for path in paths:
        if path in found.missing or not os.path.isdir(path):
            continue
        prefix = absolute(path).rstrip(os.sep) + os.sep
        if not any(os.fspath(f).startswith(prefix) for f in found.files):
            empty.append(path)
    return empty


def check_files(
    group: ProjectFiles, cwd: Path, options: CheckOptions, stdin: StdinSource | None,
    fix_plans: FixPlans | None = None,
) -> list[FileResult]:
    """The results of one project's files (and the buffer, when it belongs to this project); the
    fixes planned with their findings go to ``fix_plans`` (see ``runner.check_jobs``)."""
    project = group.project
    jobs_list = make_jobs(group.files, project.root, cwd, project.roots)
    cache_directory = None if options.no_cache else (options.cache_dir or project.root / CACHE_DIRECTORY)
    with progress_bar(len(jobs_list), options.quiet) as advance:
        return check_jobs(
            jobs_list, make_settings(project.config), options.jobs or default_jobs(), stdin, project.root,
            advance, cache_directory, group.walked, fix_plans,
        )


def use_color(choice: str, to_terminal: bool) -> bool:
    """``--color``: always, never, or (auto) on a terminal unless NO_COLOR / FORCE_COLOR say
    otherwise (https://no-color.org, https://force-color.org)."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    return bool(os.environ.get("FORCE_COLOR")) or to_terminal


def write_report(
    results: list[FileResult], findings: list[Finding], context: ReportContext,
    options: CheckOptions, missing: int, baselined: int = 0, notes: str = "",
) -> int:
    """Print the report (to standard output or ``--output-file``); a status other than 0 when it
    could not be written."""
    to_terminal = options.output_file is None and sys.stdout.isatty()
    color = use_color(options.color, to_terminal)
    output_format = options.output_format or ("full" if to_terminal else "concise")
    text = report_text(
        results, findings, replace(context, color=color), options, output_format, missing, baselined, notes
    )
    if options.output_file is not None:
        return write_output_file(options.output_file, text)
    try:
        # color=: click strips ANSI off a terminal otherwise
        click.echo(text, nl=False, color=color, err=options.to_stderr)
    except BrokenPipeError:
        # The reader went away (`| head`): the report is incomplete, which is not "findings" (1).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return EXIT_ERROR
    return EXIT_CLEAN


def report_text(
    results: list[FileResult], findings: list[Finding], context: ReportContext,
    options: CheckOptions, output_format: str, missing: int, baselined: int = 0, notes: str = "",
) -> str:
    if options.statistics:
        body = render_statistics(findings, output_format)
    else:
        body = renderers()[output_format](findings, context)
    if output_format not in HUMAN_FORMATS or options.quiet:
        return body
    gap = "\n" if findings and output_format == "full" and not options.statistics else ""
    notes = f"\n{notes}" if notes else ""
    return f"{body}{gap}{summary(results, findings, missing, baselined)}{notes}\n"


def write_output_file(path: Path, text: str) -> int:
    """ruff's ``--output-file``: the whole report, summary included, creating missing directories."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        fail(f"{path}: cannot write the output file: {error.strerror or error}")
        return EXIT_ERROR
    return EXIT_CLEAN


def stdin_buffer(stdin: StdinSource | None, cwd: Path) -> dict[str, bytes]:
    """The checked buffer under its reported path: its lines come from it, not from the disk."""
    if stdin is None:
        return {}
    return {"-" if stdin.path.name == "-" else display_path(stdin.path, cwd): stdin.data}


@dataclass(frozen=True, slots=True)
class StdinBuffer:
    """The buffer read from standard input and the project its ``--stdin-filename`` is in."""

    source: StdinSource
    project: Project


def read_stdin(filename: Path | None, finder: ProjectFinder, force_exclude: bool) -> StdinBuffer | None:
    """The buffer, named as the file it stands for (module name included); None when
    ``--force-exclude`` excludes that file."""
    stream = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else sys.stdin
    data = stream.read()
    if isinstance(data, str):
        data = data.encode("utf-8")
    project = finder.project_for(filename if filename is not None else finder.cwd)
    if force_exclude and filename is not None and excluded_by(project, filename):
        return None
    return StdinBuffer(stdin_source(data, filename, project.roots), project)



def summary(results: list[FileResult], findings: list[Finding], missing: int = 0, baselined: int = 0) -> str:
    """"Found 12 blocking calls in 5 files (3 transitive)." — "All checks passed!" only when every
    path was found and every file could be checked: never next to an error. Findings a baseline
    hid are counted, never hidden silently."""
    blocking = [f for f in findings if f.code not in ("LG001", UNUSED_NOQA.code)]
    unused = sum(1 for f in findings if f.code == UNUSED_NOQA.code)
    unchecked = sum(1 for r in results if r.error)
    problems = [f"{plural(unchecked, 'file')} could not be checked."] if unchecked else []
    if missing:
        problems.append(f"{plural(missing, 'path')} {'was' if missing == 1 else 'were'} not found.")
    if unused:
        problems.insert(0, f"{plural(unused, 'noqa comment')} silence{'s' if unused == 1 else ''} nothing.")
    notes = [f"{baselined} baselined"] if baselined else []
    if not blocking and not problems:
        checked = ", ".join([f"{plural(len(results), 'file')} checked", *notes])
        return f"All checks passed! ({checked})"
    if blocking:
        files = len({f.path for f in blocking})
        text = f"Found {plural(len(blocking), 'blocking call')} in {plural(files, 'file')}"
        transitive = sum(1 for f in blocking if f.chain)
        notes = [f"{transitive} transitive"] * bool(transitive) + notes
        text += f" ({', '.join(notes)})." if notes else "."
        text += biggest_causes(blocking)
    else:
        text = "No blocking calls found" + (f" ({', '.join(notes)})." if notes else ".")
    return " ".join([text, *problems])


#: A cause is named in the summary when at least this many findings go through it.
SHARED_CAUSE = 3


def biggest_causes(findings: list[Finding], most: int = 3) -> str:
    """" 36 findings go through homeassistant/util/ssl.py:115 ssl.create_default_context." — the
    blocking calls behind several findings, biggest first: fixing one clears them all."""
    counts = Counter(f.root for f in findings if f.root)
    shared = [(root, count) for root, count in counts.most_common(most) if count >= SHARED_CAUSE]
    if not shared:
        return ""
    causes = "; ".join(f"{count} go through {root}" for root, count in shared)
    return f"\nOne cause, one fix: {causes}."


@contextmanager
def progress_bar(total: int, quiet: bool) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr for long runs on a terminal only (never in pipes, CI or hooks)."""
    interactive = sys.stderr.isatty() and not os.environ.get("CI") and not quiet
    if not interactive or total < PROGRESS_MIN_FILES:
        yield lambda done: None
        return
    with click.progressbar(length=total, label="Checking", file=sys.stderr) as bar:
        yield bar.update
