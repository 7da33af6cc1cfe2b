"""What ``loopguard check`` does to adopt loopguard on an existing codebase: apply or write a
baseline (``--baseline``, ``--write-baseline``, the ``baseline`` key) and write ``# noqa`` comments
(``--add-noqa``). ``check_command`` calls ``adopt`` once the findings are known, before reporting;
the findings it returns are what is left to report.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import click

from loopguard.add_noqa import NOT_SILENCED, NoqaNotAdded, add_noqa_to_text
from loopguard.atomic_source_write import (
    SourceWriteError,
    read_source_file,
    write_source_atomically,
)
from loopguard.baseline import (
    BaselineEntry,
    BaselineError,
    apply_baseline,
    baseline_entries,
    describe_entry,
    load_baseline,
    write_baseline,
)
from loopguard.catalogue import ALL_RULES
from loopguard.console import EXIT_ERROR, fail, plural, warn
from loopguard.discovery.files import relative_to_root
from loopguard.discovery.projects import ProjectFiles
from loopguard.models import FileResult, Finding
from loopguard.report import escape_controls
from loopguard.sourcetext import SourceRefused
from loopguard.suppress import is_selected

#: Stale baseline entries listed one by one, at most (the count is always given).
MAX_STALE_SHOWN = 20


@dataclass(frozen=True, slots=True)
class Adopted:
    """The findings left to report, how many a baseline hid, and a status that ends the run early
    (a baseline that cannot be read or written)."""

    findings: tuple[Finding, ...]
    baselined: int = 0
    status: int | None = None
    failed: bool = False  # a file could not be given its noqa comments (exit 2 after the report)


@dataclass(frozen=True, slots=True)
class AdoptionRequest:
    """The adoption flags of one run and what they need from it."""

    baseline: Path | None
    write_baseline: Path | None
    groups: Sequence[ProjectFiles]
    results: Sequence[FileResult]
    root: Path
    cwd: Path
    read_line: Callable[[str, int], str]
    add_noqa: bool = False


def adopt(request: AdoptionRequest, findings: Sequence[Finding]) -> Adopted:
    """Apply the baseline (or write it), then add noqa comments for the findings left."""
    if request.add_noqa and request.write_baseline is not None:
        fail("--add-noqa and --write-baseline cannot be used together: each accepts every finding")
        return Adopted(tuple(findings), status=EXIT_ERROR)
    adopted = baseline_step(request, findings)
    if not request.add_noqa or adopted.status is not None:
        return adopted
    left, failed = add_noqa_comments(adopted.findings, request.cwd)
    return Adopted(left, adopted.baselined, failed=failed)


def baseline_step(request: AdoptionRequest, findings: Sequence[Finding]) -> Adopted:
    """Write the baseline (then report as if it had been given), or apply the one named."""
    try:
        if request.write_baseline is not None:
            key_path = key_path_for(request.root, request.cwd)
            entries = [entry for _, entry in baseline_entries(findings, request.read_line, key_path)]
            write_baseline(request.write_baseline, entries)
            click.echo(
                f"loopguard: wrote {plural(len(entries), 'finding')} to the "
                f"baseline {request.write_baseline}",
                err=True,
            )
            return with_baseline(request, findings, frozenset(entries), request.write_baseline)
        path = request.baseline or configured_baseline(request.groups, request.cwd)
        if path is None:
            return Adopted(tuple(findings))
        return with_baseline(request, findings, load_baseline(path), path)
    except BaselineError as error:
        fail(str(error))
        return Adopted(tuple(findings), status=EXIT_ERROR)


def with_baseline(
    request: AdoptionRequest, findings: Sequence[Finding], accepted: frozenset[BaselineEntry], path: Path
) -> Adopted:
    key_path = key_path_for(request.root, request.cwd)
    outcome = apply_baseline(findings, accepted, request.read_line, key_path, judged_by(request, key_path))
    warn_stale(outcome.stale, path)
    return Adopted(outcome.findings, outcome.baselined)


def configured_baseline(groups: Sequence[ProjectFiles], cwd: Path) -> Path | None:
    """The ``baseline`` of the checked projects' configuration, relative to its file (named
    relative to the working directory); several projects naming different files is an error (one
    run applies one baseline)."""
    named = {group.project.config.root / group.project.config.baseline
             for group in groups if group.project.config.baseline}
    if len(named) > 1:
        shown = ", ".join(sorted(str(path) for path in named))
        raise BaselineError(f"the checked projects name different baselines ({shown}); pass --baseline FILE")
    return next((Path(relative_to_root(path, cwd)) for path in named), None)


def key_path_for(root: Path, cwd: Path) -> Callable[[str], str]:
    """A reported path (relative to the working directory) -> relative to the project root, posix."""
    return lambda shown: shown if shown == "-" else relative_to_root(cwd / shown, root)


def judged_by(request: AdoptionRequest, key_path: Callable[[str], str]) -> Callable[[BaselineEntry], bool]:
    """Whether this run could have found an entry: its file was checked and its code is selected
    (a pre-commit run over two files, or ``--select LG1``, leaves the other entries alone)."""
    checked = {key_path(result.path) for result in request.results if not result.error}
    configs = [group.project.config for group in request.groups]

    def judged(entry: BaselineEntry) -> bool:
        rule = ALL_RULES.get(entry.code)
        selected = rule is None or any(is_selected(rule, c.select, c.ignore) for c in configs)
        return entry.path in checked and selected

    return judged


def add_noqa_comments(findings: Sequence[Finding], cwd: Path) -> tuple[tuple[Finding, ...], bool]:
    """Write the noqa comments file by file; the findings left (those that get none, and those of
    files that could not be edited) and whether any file could not be."""
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.code not in NOT_SILENCED:
            by_path.setdefault(finding.path, []).append(finding)
    comments = files = 0
    failed: set[str] = set()
    for shown, items in by_path.items():
        try:
            source = read_source_file(cwd / shown)
            edit = add_noqa_to_text(source.text, items)
            write_source_atomically(source, edit.text)
        except (NoqaNotAdded, SourceWriteError, SourceRefused) as error:
            fail(f"{shown}: no noqa comments added: {error}")
            failed.add(shown)
            continue
        except OSError as error:
            fail(f"{shown}: no noqa comments added: {error.strerror or error}")
            failed.add(shown)
            continue
        comments, files = comments + edit.comments, files + 1
    click.echo(f"loopguard: added {plural(comments, 'noqa comment')} to {plural(files, 'file')}", err=True)
    left = tuple(f for f in findings if f.code in NOT_SILENCED or f.path in failed)
    return left, bool(failed)



def warn_stale(stale: Sequence[BaselineEntry], path: Path) -> None:
    """One warning with the count, then the entries (at most ``MAX_STALE_SHOWN``)."""
    if not stale:
        return
    count = len(stale)
    warn(
        f"{path}: {count} baseline entr{'y' if count == 1 else 'ies'} matched no finding (fixed, or "
        "the line changed); --write-baseline drops them"
    )
    for entry in stale[:MAX_STALE_SHOWN]:
        click.echo(f"  {escape_controls(describe_entry(entry))}", err=True)
    if count > MAX_STALE_SHOWN:
        click.echo(f"  ... and {count - MAX_STALE_SHOWN} more", err=True)
