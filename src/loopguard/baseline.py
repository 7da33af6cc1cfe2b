"""A baseline: the findings a project accepted on the day it adopted loopguard, so that a run fails
only on new ones (``--baseline FILE``, ``--write-baseline FILE``, the ``baseline`` key).

An entry names a finding without its line number, so it survives lines inserted or removed above
it: the file (relative to the project root, posix), the code, the root cause (``Finding.root``
without its line number) and the finding's source line with its whitespace collapsed. Equal keys
(two identical ``time.sleep(1)`` lines in one coroutine) are told apart by an occurrence index,
counted in line order. The file is JSON, sorted, one object per entry, so that a re-written
baseline shows in a diff as the entries that came and went.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loopguard.models import Finding
from loopguard.safeio import read_regular_file
from loopguard.suppress import UNSUPPRESSIBLE

BASELINE_FORMAT = 1
#: A baseline of 100,000 findings is ~25 MB; anything bigger is not one loopguard wrote.
MAX_BASELINE_BYTES = 64 * 1024 * 1024
_ENTRY_FIELDS = ("path", "code", "root", "source", "occurrence")


class BaselineError(Exception):
    """The baseline file cannot be used; the message names the file and the problem."""


@dataclass(frozen=True, slots=True, order=True)
class BaselineEntry:
    """One accepted finding, keyed without line numbers."""

    path: str
    code: str
    root: str
    source: str
    occurrence: int = 0

    def key(self) -> tuple[str, str, str, str]:
        return (self.path, self.code, self.root, self.source)


@dataclass(frozen=True, slots=True)
class BaselineOutcome:
    """What applying a baseline left: the findings still reported, how many it hid, and its
    entries that matched nothing (fixed, or changed beyond recognition)."""

    findings: tuple[Finding, ...]
    baselined: int
    stale: tuple[BaselineEntry, ...]


def normalised_source(line: str) -> str:
    """The line with every run of whitespace collapsed to one space: re-indenting keeps the key."""
    return " ".join(line.split())


def root_without_line(root: str, key_path: Callable[[str], str]) -> str:
    """``"app/io.py:12 time.sleep"`` -> ``"app/io.py time.sleep"``, the path made a key path."""
    location, space, api = root.partition(" ")
    path, colon, line = location.rpartition(":")
    if not colon or not line.isdigit():
        return root
    return f"{key_path(path)}{space}{api}"


def baseline_entries(
    findings: Sequence[Finding], read_line: Callable[[str, int], str], key_path: Callable[[str], str]
) -> list[tuple[Finding, BaselineEntry]]:
    """Each finding that a baseline may hold (never LG001), with its entry; occurrences are
    counted among equal keys in line order."""
    seen: Counter[tuple[str, str, str, str]] = Counter()
    entries = []
    for finding in sorted(findings, key=Finding.sort_key):
        if finding.code in UNSUPPRESSIBLE:
            continue
        path = key_path(finding.path)
        key = (path, finding.code, root_without_line(finding.root, key_path),
               normalised_source(read_line(finding.path, finding.line)))
        entries.append((finding, BaselineEntry(*key, occurrence=seen[key])))
        seen[key] += 1
    return entries


def apply_baseline(
    findings: Sequence[Finding],
    accepted: Iterable[BaselineEntry],
    read_line: Callable[[str, int], str],
    key_path: Callable[[str], str],
    judged: Callable[[BaselineEntry], bool] = lambda entry: True,
) -> BaselineOutcome:
    """The findings the baseline does not hold. An entry is stale when ``judged`` says this run
    could have found it (its file was checked, its code selected) and nothing matched it."""
    remaining = set(accepted)
    hidden: set[Finding] = set()
    for finding, entry in baseline_entries(findings, read_line, key_path):
        if entry in remaining:
            remaining.discard(entry)
            hidden.add(finding)
    kept = tuple(f for f in findings if f not in hidden)
    stale = tuple(sorted(entry for entry in remaining if judged(entry)))
    return BaselineOutcome(kept, len(findings) - len(kept), stale)


def load_baseline(path: Path) -> frozenset[BaselineEntry]:
    """The entries of a baseline file; ``BaselineError`` says what is wrong with it."""
    try:
        data = read_regular_file(path, MAX_BASELINE_BYTES)
    except OSError as error:
        raise BaselineError(f"{path}: cannot read the baseline: {error.strerror or error}") from None
    if len(data) > MAX_BASELINE_BYTES:
        raise BaselineError(f"{path}: the baseline is larger than {MAX_BASELINE_BYTES:,} bytes")
    try:
        document = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise BaselineError(f"{path}: the baseline is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise BaselineError(
            f"{path}: the baseline is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from None
    return parse_baseline(path, document)


def parse_baseline(path: Path, document: Any) -> frozenset[BaselineEntry]:
    if not isinstance(document, dict) or not isinstance(document.get("findings"), list):
        raise BaselineError(f"{path}: not a loopguard baseline (an object with a \"findings\" list)")
    version = document.get("version")
    if version != BASELINE_FORMAT:
        raise BaselineError(
            f"{path}: baseline format version {version!r} is not supported (this loopguard reads "
            f"version {BASELINE_FORMAT}); write it again with --write-baseline"
        )
    return frozenset(parse_entry(path, number, item) for number, item in enumerate(document["findings"], 1))


def parse_entry(path: Path, number: int, item: Any) -> BaselineEntry:
    if not isinstance(item, dict) or set(item) != set(_ENTRY_FIELDS):
        raise BaselineError(f"{path}: finding {number} must have exactly the keys {', '.join(_ENTRY_FIELDS)}")
    occurrence = item["occurrence"]
    strings = all(isinstance(item[name], str) for name in _ENTRY_FIELDS[:4])
    if not strings or not isinstance(occurrence, int) or isinstance(occurrence, bool) or occurrence < 0:
        raise BaselineError(
            f"{path}: finding {number} must have string path, code, root and source and a "
            "non-negative integer occurrence"
        )
    return BaselineEntry(item["path"], item["code"], item["root"], item["source"], occurrence)


def baseline_text(entries: Iterable[BaselineEntry]) -> str:
    """The file's text: sorted entries, one object each, two-space indent, a final newline."""
    findings = [
        {name: getattr(entry, name) for name in _ENTRY_FIELDS} for entry in sorted(set(entries))
    ]
    document = {"tool": "loopguard", "version": BASELINE_FORMAT, "findings": findings}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write_baseline(path: Path, entries: Iterable[BaselineEntry]) -> None:
    """Write the file whole or not at all (a temporary file renamed over it)."""
    text = baseline_text(entries)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise BaselineError(f"{path}: cannot write the baseline: {error.strerror or error}") from None


def describe_entry(entry: BaselineEntry) -> str:
    return f"{entry.path}: {entry.code} `{entry.source}`" + (f" (#{entry.occurrence + 1})" if entry.occurrence else "")
