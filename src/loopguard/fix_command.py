"""``loopguard check --fix / --diff / --unsafe-fixes / --show-fixes``, following ruff.

The fixes of a file's findings are planned (``fixes.py``) in the confirm stage's worker, from the
text it confirmed them in (``runner.check_jobs``'s ``fix_plans``); a finding that was not confirmed
in this run (a cached result, one the ``# noqa`` stage added) is planned after the check, or read
back from the cache (``FIXES_ENTRY``) when its file and findings are unchanged. ``fixable`` /
``unfixable`` of its project choose the codes. Without ``--fix`` or ``--diff`` the fixes are only
described (the JSON ``fix`` field, SARIF ``fixes``, the summary's count). With them, ``apply_fixes.fix_text`` fixes each file in memory, checking every
round again through ``check_buffer`` (the file's project, the new text as its buffer, as an editor's
unsaved buffer is checked); then ``--diff`` prints what would change and ``--fix`` writes it.
"""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import click

from loopguard.apply_fixes import ChangedOnDisk, FixedText, fix_text, write_fixed
from loopguard.atomic_source_write import (
    SourceFile,
    SourceWriteError,
    decoded_source,
    read_source_file,
)
from loopguard.cache.schema import FIXES_ENTRY
from loopguard.cache.store import Cache, content_hash, entry_key
from loopguard.catalogue import ALL_RULES
from loopguard.config import Config
from loopguard.console import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, plural
from loopguard.discovery.projects import Project
from loopguard.fix_options import FixOptions
from loopguard.fixdata import fix_may_exist
from loopguard.models import SAFE, Edit, FileResult, Finding, Fix
from loopguard.sourcetext import SourceRefused


@dataclass(frozen=True, slots=True)
class FileSource:
    """Where a reported file's bytes come from: the disk, or the standard input buffer."""

    path: Path
    project: Project
    buffer: bytes | None = None

    @property
    def config(self) -> Config:
        return self.project.config

    def read(self) -> SourceFile:
        """The file's text and encoding (``SourceRefused`` / ``SourceWriteError`` / ``OSError``
        when it cannot be read back faithfully)."""
        if self.buffer is not None:
            return decoded_source(self.path, self.buffer)
        return read_source_file(self.path)


CHANGED_ON_DISK = "not fixed: the file changed on disk while it was checked"
#: The findings of a file's new bytes checked again in its project; None when it cannot be checked.
CheckBuffer = Callable[[FileSource, bytes], "Sequence[Finding] | None"]


def is_fixable(code: str, config: Config) -> bool:
    """ruff's rule for ``fixable`` / ``unfixable``: the longest matching prefix wins, and
    ``unfixable`` wins a tie."""
    fixable = max((len(p) for p in config.fixable if code.startswith(p)), default=-1)
    unfixable = max((len(p) for p in config.unfixable if code.startswith(p)), default=-1)
    return fixable >= 0 and fixable > unfixable


def available_fixes(
    text: str, findings: Sequence[Finding], config: Config, memo: Cache | None = None,
    planned: Mapping[Finding, Fix | None] | None = None,
) -> dict[Finding, Fix]:
    """The fixes of a file's findings whose codes its project lets ``--fix`` fix. Planning parses
    the file, so a run whose files and findings did not change (a warm run) reads the plan back
    from the cache (``memo``), keyed by the text and the findings; a run that confirmed the file
    planned them with its findings, in the worker (``planned``: see ``runner.check_jobs``)."""
    chosen = [f for f in findings if is_fixable(f.code, config)]
    if not chosen:
        return {}
    key = fixes_key(text, chosen) if memo is not None else ""
    stored = memo.get(key, FIXES_ENTRY) if memo is not None else None
    if stored is not None:
        return {
            chosen[index]: Fix(applicability, message, tuple(Edit(*edit) for edit in edits))
            for index, applicability, message, edits in stored
            if 0 <= index < len(chosen)
        }
    fixes = already_planned(chosen, planned)
    if fixes is None:
        from loopguard.fixes import plan_fixes  # libcst: loaded only when there is something to fix

        fixes = plan_fixes(text, chosen, ALL_RULES)
    if memo is not None:
        memo.put(key, tuple(
            (index, fix.applicability, fix.message, tuple(astuple_edit(e) for e in fix.edits))
            for index, finding in enumerate(chosen) if (fix := fixes.get(finding)) is not None
        ))
    return fixes


def already_planned(
    chosen: Sequence[Finding], planned: Mapping[Finding, Fix | None] | None
) -> dict[Finding, Fix] | None:
    """The fixes of ``chosen`` from those planned in the confirm stage; None when one of them was
    not planned there (a finding the ``# noqa`` stage added, for one) and may have a fix."""
    if planned is None:
        return None
    if any(f not in planned and fix_may_exist(f, ALL_RULES.get(f.code)) for f in chosen):
        return None
    return {f: fix for f in chosen if (fix := planned.get(f)) is not None}


def fixes_key(text: str, findings: Sequence[Finding]) -> str:
    """What a file's fix plan depends on: its text and where and what its findings are."""
    shown = repr([(f.code, f.line, f.column, f.end_line, f.end_column, f.message) for f in findings])
    return entry_key("fixes", content_hash(text.encode("utf-8", "surrogatepass")), shown)


def astuple_edit(edit: Edit) -> tuple[int, int, int, int, str]:
    return (edit.line, edit.column, edit.end_line, edit.end_column, edit.content)


def with_fixes(findings: Sequence[Finding], fixes: Mapping[Finding, Fix]) -> tuple[Finding, ...]:
    return tuple(replace(f, fix=fixes[f]) if f in fixes else f for f in findings)


def describe_fixes(
    results: list[FileResult], sources: Mapping[str, FileSource], warn: Callable[[str], None],
    memo: Cache | None = None, planned: Mapping[str, Mapping[Finding, Fix | None]] | None = None,
) -> list[FileResult]:
    """The results with each available fix on its finding (``Finding.fix``); ``planned``: the
    fixes the confirm stage planned, per file."""
    described = []
    for result in results:
        source = sources.get(result.path)
        if source is None or result.error or not result.findings:
            described.append(result)
            continue
        try:
            text = source.read().text
            fixes = available_fixes(
                text, result.findings, source.config, memo, (planned or {}).get(result.path)
            )
        except (OSError, SourceRefused, SourceWriteError):
            fixes = {}  # it was read a moment ago: no fix rather than a new error
        except Exception as error:  # noqa: BLE001 - one file's bug must not stop the others
            warn(f"{result.path}: {internal_error(error)}")
            fixes = {}
        described.append(replace(result, findings=with_fixes(result.findings, fixes)))
    return described


def internal_error(error: Exception) -> str:
    return f"internal error while planning fixes ({type(error).__name__}: {error}); please report it"


@dataclass(slots=True)
class FixRun:
    """What ``--fix`` / ``--diff`` did: the results left, the findings fixed per file, the diffs,
    the fixed text of the standard input buffer, and the files that could not be fixed."""

    results: list[FileResult] = field(default_factory=list)
    fixed: dict[str, tuple[Finding, ...]] = field(default_factory=dict)
    diffs: list[str] = field(default_factory=list)
    stdin_text: bytes | None = None
    errors: list[str] = field(default_factory=list)


def fix_results(
    results: list[FileResult], sources: Mapping[str, FileSource], options: FixOptions,
    check_buffer: CheckBuffer,
) -> FixRun:
    run = FixRun()
    for result in results:
        source = sources.get(result.path)
        if source is None or result.error or not result.findings:
            run.results.append(result)
            continue
        try:
            run.results.append(fix_file(result, source, options, check_buffer, run))
        except Exception as error:  # noqa: BLE001 - one file's bug must not stop the others
            run.errors.append(f"{result.path}: not fixed: {internal_error(error)}")
            run.results.append(result)
    return run


def fix_file(
    result: FileResult, source: FileSource, options: FixOptions, check_buffer: CheckBuffer, run: FixRun
) -> FileResult:
    """Fix one file (in memory), then print its diff or write it; the result is what is left."""
    try:
        original = source.read()
        changed = source.buffer is None and os.stat(source.path).st_mtime_ns > options.started_ns
    except (OSError, SourceRefused, SourceWriteError) as error:
        run.errors.append(f"{result.path}: not fixed: cannot read the file again: {error}")
        return result
    if changed:  # the findings may not be those of these bytes
        run.errors.append(f"{result.path}: {CHANGED_ON_DISK}")
        return result

    def plan(text: str, findings: Sequence[Finding]) -> dict[Finding, Fix]:
        fixes = available_fixes(text, findings, source.config)
        return {f: fix for f, fix in fixes.items() if fix.applicability == SAFE or options.unsafe}

    def recheck(text: str) -> Sequence[Finding] | None:
        return check_buffer(source, text.encode(original.encoding))

    outcome = fix_text(original.text, result.findings, plan, recheck)
    if outcome.error:
        run.errors.append(f"{result.path}: not fixed, left as it was: {outcome.error}")
        return described(result, original.text, source.config)
    if outcome.text == original.text:
        return described(result, original.text, source.config)
    written = publish(result.path, source, original, outcome, options, run)
    if not written:
        return described(result, original.text, source.config)
    run.fixed[result.path] = outcome.fixed
    return described(replace(result, findings=outcome.remaining), outcome.text, source.config)


def described(result: FileResult, text: str, config: Config) -> FileResult:
    fixes = available_fixes(text, result.findings, config)
    return replace(result, findings=with_fixes(result.findings, fixes))


def publish(
    display: str, source: FileSource, original: SourceFile, outcome: FixedText, options: FixOptions,
    run: FixRun,
) -> bool:
    """Print the diff (``--diff``) or write the file (``--fix``); False when it could not be
    written."""
    if options.diff:
        run.diffs.append(unified_diff(display, original.text, outcome.text))
        return True
    if source.buffer is not None:
        run.stdin_text = outcome.text.encode(original.encoding)
        return True
    try:
        write_fixed(original, outcome.text)
    except ChangedOnDisk:
        run.errors.append(f"{display}: {CHANGED_ON_DISK}")
        return False
    except OSError as error:
        run.errors.append(f"{display}: not fixed: cannot write the file: {error.strerror or error}")
        return False
    return True


def unified_diff(display: str, before: str, after: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), display, display
    )
    return "".join(line if line.endswith(("\n", "\r")) else line + "\n" for line in lines)


# -- what the run prints ---------------------------------------------------------------------------


def write_diffs(fixed: FixRun, failed: bool) -> int:
    """``--diff``: the diffs on standard output, how many fixes on stderr; exit 1 when there is a
    diff (2 when a file could not be checked or fixed)."""
    click.echo("".join(fixed.diffs), nl=False)
    count = sum(len(findings) for findings in fixed.fixed.values())
    click.echo(f"Would fix {plural(count, 'finding')}." if count else "No fixes to apply.", err=True)
    if failed or fixed.errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if fixed.diffs else EXIT_CLEAN


def write_fixed_buffer(fixed: FixRun, original: bytes) -> None:
    """``--fix`` of a buffer (``--stdin-filename``): its fixed source on standard output, as editors
    expect; the report goes to stderr."""
    sys.stdout.buffer.write(fixed.stdin_text if fixed.stdin_text is not None else original)
    sys.stdout.flush()


def fix_notes(findings: list[Finding], fixes: FixOptions, fixed: FixRun | None) -> str:
    """The lines the summary gets about fixes: what was fixed, and what could be."""
    lines = []
    if fixed is not None:
        count = sum(len(found) for found in fixed.fixed.values())
        if count:
            lines.append(f"Fixed {plural(count, 'finding')} ({len(findings)} remaining).")
        if fixes.show_fixes and count:
            lines.append(fixed_summary(fixed))
    note = fixable_note(findings, fixes.unsafe)
    return "\n".join([*lines, note] if note else lines)


def fixable_note(findings: Sequence[Finding], unsafe: bool) -> str:
    """ruff's "[*] 3 fixable with the `--fix` option (2 hidden fixes can be enabled with the
    `--unsafe-fixes` option)."; "" when nothing is fixable."""
    safe = sum(1 for f in findings if f.fix is not None and (f.fix.applicability == SAFE or unsafe))
    hidden = sum(1 for f in findings if f.fix is not None and f.fix.applicability != SAFE and not unsafe)
    if not safe and not hidden:
        return ""
    fixes = "fix" if hidden == 1 else "fixes"
    hidden_text = f"{hidden} hidden {fixes} can be enabled with the `--unsafe-fixes` option"
    if not safe:
        return f"No fixes available ({hidden_text})."
    option = "`--fix --unsafe-fixes`" if unsafe else "`--fix`"
    return f"[*] {safe} fixable with the {option} option" + (f" ({hidden_text})." if hidden else ".")


def fixed_summary(run: FixRun) -> str:
    """``--show-fixes``: the fixed findings per file and code."""
    lines = []
    total = sum(len(fixed) for fixed in run.fixed.values())
    if not total:
        return ""
    lines.append(f"Fixed {total} {'finding' if total == 1 else 'findings'}:")
    for path, fixed in sorted(run.fixed.items()):
        lines.append(f"- {path}:")
        counts: dict[tuple[str, str], int] = {}
        for finding in fixed:
            counts[(finding.code, finding.name)] = counts.get((finding.code, finding.name), 0) + 1
        lines += [f"    {count} × {code} ({name})" for (code, name), count in sorted(counts.items())]
    return "\n".join(lines)
