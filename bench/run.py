#!/usr/bin/env python3
"""Benchmark loopguard on a pinned real-world corpus, as ratios to an ``ast.parse`` reference.

Usage::

    python bench/run.py [--corpus-dir DIR] [--jobs N] [--repeat N] [--skip-install] [--quick]

The corpus (``homeassistant==2024.3.3``, 6,725 ``.py`` files) is installed with pip on first use.
Every measurement runs in a temporary copy of it (the installed corpus is never modified) and is a
child process timed from the outside: wall time, CPU time (user + sys of the child and the workers
it reaped, from ``os.wait4``) and peak memory (the larger of the child's ``ru_maxrss`` and the peak
of the summed RSS of its process tree, sampled every 50 ms from ``/proc``).

Scenarios, each compared with the reference measured in the same run:

- reference: one process reads and ``ast.parse``-s every file;
- loopguard cold (``--no-cache``), warm (nothing changed since a populating run), incremental (one
  file edited since the last run), pre-commit shape (5 files, warm cache) and one changed file
  (only the edited file checked, warm cache: what an editor or the per-file hook runs);
- start-up: ``loopguard --version``, ``rules`` and ``explain`` (no analysis), next to
  ``python -c pass``, the interpreter's own start-up;
- ruff ``--select ASYNC`` for comparison, when ruff is installed.

Results go to stdout, ``bench/results.md`` and ``bench/results.json`` (``results-quick.*`` with
``--quick``, ``results-<dir name>.*`` for another corpus). Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from types import FrameType
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
REPO_SRC = REPO_ROOT / "src"

CORPUS_PIN = "homeassistant==2024.3.3"
CORPUS_PACKAGE = "homeassistant"
DEFAULT_CORPUS_DIR = BENCH_DIR / ".corpus" / "homeassistant-2024.3.3"

QUICK_FILE_COUNT = 500
PRE_COMMIT_FILE_COUNT = 5
SAMPLE_INTERVAL_S = 0.05
DEFAULT_TIMEOUT_S = 3600.0
STDERR_TAIL_LINES = 15
BUSY_LOAD_AVERAGE = 0.5
MIB = 1024 * 1024

# Paths relative to the corpus root (the directory holding ``homeassistant/``). When a corpus does
# not have them (``--quick``, another ``--corpus-dir``), files are chosen the same way automatically.
EDIT_TARGET = "homeassistant/components/http/__init__.py"
PRE_COMMIT_FILES = (
    "homeassistant/helpers/entity_platform.py",
    "homeassistant/components/mqtt/client.py",
    "homeassistant/components/recorder/core.py",
    "homeassistant/components/shelly/coordinator.py",
    "homeassistant/components/zha/core/gateway.py",
)

# Written at the root of the work copy so loopguard's config discovery (nearest pyproject.toml
# upward from the working directory) finds this one, not whatever lies above the temp dir.
BENCH_PYPROJECT = "# written by bench/run.py: loopguard defaults\n[tool.loopguard]\n"

# Runs in its own interpreter: read every .py file under argv[1] and ast.parse it.
REFERENCE_SCRIPT = """
import ast, json, os, sys

files = lines = parse_errors = 0
for directory, subdirectories, names in os.walk(sys.argv[1]):
    subdirectories.sort()
    for name in sorted(names):
        if not name.endswith(".py"):
            continue
        path = os.path.join(directory, name)
        with open(path, "rb") as handle:
            source = handle.read()
        files += 1
        lines += source.count(b"\\n")
        try:
            ast.parse(source, filename=path)
        except (SyntaxError, ValueError):
            parse_errors += 1
print(json.dumps({"files": files, "lines": lines, "parse_errors": parse_errors}))
"""


class BenchError(Exception):
    """A problem that stops the whole benchmark (corpus missing, install failed)."""


class RunFailed(Exception):
    """One measured run did not produce a usable result; the message says why."""


# --------------------------------------------------------------------------------------------
# Values


@dataclass(frozen=True, slots=True)
class Corpus:
    """The work copy every scenario runs in; paths are POSIX and relative to ``root``."""

    root: Path
    package: str
    files: tuple[str, ...]
    source: Path
    quick: bool
    edit_target: str
    pre_commit_files: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Measurement:
    """One child process, measured from the outside."""

    wall_s: float
    cpu_s: float
    child_maxrss_mib: float
    tree_peak_mib: float
    returncode: int
    timed_out: bool
    stdout_path: str
    stderr_tail: str

    @property
    def peak_mib(self) -> float:
        return max(self.child_maxrss_mib, self.tree_peak_mib)


@dataclass(slots=True)
class Scenario:
    """A row of the table: its timed runs, or why it has none."""

    key: str
    label: str
    runs: list[Measurement] = field(default_factory=list)
    unavailable: str = ""
    notes: list[str] = field(default_factory=list)
    findings: list[Counter[str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.unavailable and bool(self.runs)

    def median(self, metric: Callable[[Measurement], float]) -> float:
        return statistics.median(metric(run) for run in self.runs)


@dataclass(frozen=True, slots=True)
class Target:
    """A goal from the performance issue; ``None`` limits do not apply."""

    max_ratio: float | None = None
    below_wall_s: float | None = None
    max_peak_mib: float | None = None

    def describe(self) -> str:
        parts = []
        if self.max_ratio is not None:
            parts.append(f"≤ {self.max_ratio:g}× ref")
        if self.below_wall_s is not None:
            parts.append(f"< {self.below_wall_s:g} s")
        if self.max_peak_mib is not None:
            parts.append(f"peak ≤ {self.max_peak_mib / 1024:g} GiB")
        return ", ".join(parts) or "—"

    def misses(self, wall_s: float, peak_mib: float, reference_wall_s: float) -> list[str]:
        missed = []
        if self.max_ratio is not None and wall_s > self.max_ratio * reference_wall_s:
            missed.append("wall")
        if self.below_wall_s is not None and wall_s >= self.below_wall_s:
            missed.append("wall")
        if self.max_peak_mib is not None and peak_mib > self.max_peak_mib:
            missed.append("memory")
        return missed


# Issue 13 (depth) asks that the deeper analysis keeps cold <= 2x and warm <= 0.1x of the reference.
TARGETS = {
    "cold": Target(max_ratio=2.0, max_peak_mib=1.5 * 1024),
    "warm": Target(max_ratio=0.1),
    "incremental": Target(max_ratio=0.35),
    "pre-commit": Target(below_wall_s=1.0),
    "one-file": Target(below_wall_s=0.25),
    "version": Target(below_wall_s=0.1),
    "rules": Target(below_wall_s=0.1),
    "explain": Target(below_wall_s=0.1),
}

# Commands that only start loopguard (the adoption issue: pre-commit and editors pay start-up on
# every call): key -> (label, arguments after ``python -m loopguard``).
STARTUP_COMMANDS = {
    "version": ("start-up: `loopguard --version`", ("--version",)),
    "rules": ("start-up: `loopguard rules`", ("rules",)),
    "explain": ("start-up: `loopguard explain LG101`", ("explain", "LG101")),
}


@dataclass(frozen=True, slots=True)
class LoopguardCli:
    """How to run ``loopguard check`` and which options it has (from its ``--help``)."""

    command: tuple[str, ...]
    env: dict[str, str]
    help_text: str
    error: str

    def supports(self, flag: str) -> bool:
        return re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", self.help_text) is not None

    def missing(self, *flags: str) -> list[str]:
        return [flag for flag in flags if not self.supports(flag)]


@dataclass(frozen=True, slots=True)
class Context:
    """What every scenario needs: where to run, what to run, and where to put outputs."""

    corpus: Corpus
    cli: LoopguardCli
    output_dir: Path
    cache_dir: Path
    jobs: int | None
    cold_repeats: int
    repeats: int
    timeout_s: float


# --------------------------------------------------------------------------------------------
# Command line


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark loopguard against an ast.parse reference on a pinned corpus."
    )
    parser.add_argument(
        "--corpus-dir",
        type=Path,
        default=DEFAULT_CORPUS_DIR,
        help=f"where {CORPUS_PIN} is (or gets) installed, or any directory of Python files "
        f"(default: {DEFAULT_CORPUS_DIR.relative_to(REPO_ROOT)})",
    )
    parser.add_argument("--jobs", type=int, help="passed to loopguard as --jobs N")
    parser.add_argument(
        "--repeat",
        type=int,
        help="timed runs per scenario, median reported (default: 1 for cold, 3 for the others)",
    )
    parser.add_argument("--skip-install", action="store_true", help="never run pip")
    parser.add_argument(
        "--quick", action="store_true", help=f"use only the first {QUICK_FILE_COUNT} files"
    )
    parser.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="seconds before a run is killed"
    )
    parser.add_argument(
        "--keep-temp", action="store_true", help="keep the work copy, caches and outputs"
    )
    args = parser.parse_args(argv)
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


# --------------------------------------------------------------------------------------------
# Corpus


def python_files(directory: Path) -> list[str]:
    """The ``.py`` files under ``directory``, sorted, as POSIX paths relative to it."""
    found: list[str] = []
    for current, subdirectories, names in os.walk(directory):
        subdirectories[:] = sorted(d for d in subdirectories if d != "__pycache__")
        relative = Path(current).relative_to(directory)
        found.extend((relative / name).as_posix() for name in sorted(names) if name.endswith(".py"))
    return found


def install_corpus(corpus_dir: Path) -> None:
    """pip-install the pinned corpus into a staging directory, then move it into place."""
    staging = corpus_dir.with_name(corpus_dir.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(staging)]
    log(f"installing {CORPUS_PIN} into {corpus_dir}")
    completed = subprocess.run([*command, CORPUS_PIN], stdout=sys.stderr, check=False)
    if completed.returncode != 0:
        raise BenchError(f"pip install {CORPUS_PIN} failed (exit {completed.returncode})")
    if corpus_dir.exists():
        corpus_dir.rmdir()  # only ever empty here: see find_source_dir
    staging.rename(corpus_dir)


def find_source_dir(corpus_dir: Path, skip_install: bool) -> Path:
    """The directory to analyse: ``DIR/homeassistant`` if present, else ``DIR`` itself."""
    package_dir = corpus_dir / CORPUS_PACKAGE
    if package_dir.is_dir():
        return package_dir
    if corpus_dir.is_dir() and any(corpus_dir.iterdir()):
        if not python_files(corpus_dir):
            raise BenchError(f"{corpus_dir} holds no .py files and no {CORPUS_PACKAGE}/")
        return corpus_dir
    if skip_install:
        raise BenchError(f"{package_dir} is missing and --skip-install was given")
    install_corpus(corpus_dir)
    return package_dir


def mentions_async_def(path: Path) -> bool:
    return "async def" in path.read_text(encoding="utf-8", errors="replace")


def choose_edit_target(root: Path, files: Sequence[str]) -> str:
    """The fixed module when present, else the median-sized file that has a coroutine."""
    if EDIT_TARGET in files:
        return EDIT_TARGET
    candidates = [name for name in files if mentions_async_def(root / name)] or list(files)
    by_size = sorted(candidates, key=lambda name: ((root / name).stat().st_size, name))
    return by_size[len(by_size) // 2]


def choose_pre_commit_files(root: Path, files: Sequence[str], edit_target: str) -> tuple[str, ...]:
    """The fixed five when all are present, else five coroutine files spread over the corpus."""
    present = set(files)
    if all(name in present and mentions_async_def(root / name) for name in PRE_COMMIT_FILES):
        return PRE_COMMIT_FILES
    candidates = [name for name in files if name != edit_target and mentions_async_def(root / name)]
    if len(candidates) <= PRE_COMMIT_FILE_COUNT:
        return tuple(candidates)
    step = len(candidates) / PRE_COMMIT_FILE_COUNT
    return tuple(candidates[int(step * (index + 0.5))] for index in range(PRE_COMMIT_FILE_COUNT))


def build_work_copy(source_dir: Path, work_root: Path, quick: bool) -> Corpus:
    """Copy the ``.py`` files (the first ones with ``--quick``) to ``work_root/<package>``.

    Only Python files are copied: the corpus also holds ~30,000 translation and data files
    (200 MB against 31 MB of Python) that loopguard never reads, and copying them made the copy
    slow and noisy on a machine whose page cache is small.
    """
    package = source_dir.name
    destination = work_root / package
    chosen = python_files(source_dir)
    if quick:
        chosen = chosen[:QUICK_FILE_COUNT]
    for name in chosen:
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source_dir / name, target)
    (work_root / "pyproject.toml").write_text(BENCH_PYPROJECT, encoding="utf-8")
    files = tuple(f"{package}/{name}" for name in chosen)
    edit_target = choose_edit_target(work_root, files)
    return Corpus(
        root=work_root,
        package=package,
        files=files,
        source=source_dir,
        quick=quick,
        edit_target=edit_target,
        pre_commit_files=choose_pre_commit_files(work_root, files, edit_target),
    )


def append_edit_comment(path: Path) -> None:
    """Append a unique comment line (bytes, so line endings stay as they are)."""
    stamp = datetime.now(timezone.utc).isoformat(timespec="microseconds")
    content = path.read_bytes()
    separator = b"" if not content or content.endswith(b"\n") else b"\n"
    with open(path, "ab") as handle:
        handle.write(separator + f"# loopguard bench edit {stamp}\n".encode())


# --------------------------------------------------------------------------------------------
# Measuring one child process


def process_tree_rss_bytes(root_pid: int, page_size: int) -> int:
    """Summed RSS of ``root_pid`` and all its descendants, from /proc (0 where unavailable)."""
    children: dict[int, list[int]] = {}
    try:
        entries = [entry.name for entry in os.scandir("/proc") if entry.name.isdigit()]
    except OSError:
        return 0
    for name in entries:
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        parent = int(stat.rsplit(b")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(name))
    total = 0
    pending = [root_pid]
    while pending:
        pid = pending.pop()
        try:
            with open(f"/proc/{pid}/statm", "rb") as handle:
                total += int(handle.read().split()[1]) * page_size
        except (OSError, IndexError, ValueError):
            pass
        pending.extend(children.get(pid, ()))
    return total


class TreeRssSampler:
    """Samples the process tree's summed RSS in a thread and keeps the peak."""

    def __init__(self, pid: int, interval_s: float = SAMPLE_INTERVAL_S) -> None:
        self.pid = pid
        self.interval_s = interval_s
        self.peak_bytes = 0
        self._page_size = os.sysconf("SC_PAGE_SIZE")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            rss = process_tree_rss_bytes(self.pid, self._page_size)
            self.peak_bytes = max(self.peak_bytes, rss)
            self._stop.wait(self.interval_s)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def maxrss_mib(ru_maxrss: int) -> float:
    """``ru_maxrss`` is KiB on Linux and bytes on macOS."""
    return ru_maxrss / MIB if sys.platform == "darwin" else ru_maxrss / 1024


def tail(path: Path, lines: int = STDERR_TAIL_LINES) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.rstrip().splitlines()[-lines:])


def kill_process_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def measure(
    command: Sequence[str],
    cwd: Path,
    stdout_path: Path,
    timeout_s: float,
    env: dict[str, str] | None = None,
) -> Measurement:
    """Run ``command`` to completion; time it and watch its memory from the outside."""
    stderr_path = stdout_path.with_suffix(".stderr")
    timed_out = threading.Event()
    with open(stdout_path, "wb") as stdout, open(stderr_path, "wb") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=stdout, stderr=stderr, start_new_session=True
        )

        def on_timeout() -> None:
            timed_out.set()
            kill_process_group(process.pid)

        timer = threading.Timer(timeout_s, on_timeout)
        sampler = TreeRssSampler(process.pid)
        timer.start()
        sampler.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
            wall_s = time.perf_counter() - started
        except BaseException:
            kill_process_group(process.pid)
            raise
        finally:
            sampler.stop()
            timer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    return Measurement(
        wall_s=wall_s,
        cpu_s=usage.ru_utime + usage.ru_stime,
        child_maxrss_mib=maxrss_mib(usage.ru_maxrss),
        tree_peak_mib=sampler.peak_bytes / MIB,
        returncode=process.returncode,
        timed_out=timed_out.is_set(),
        stdout_path=str(stdout_path),
        stderr_tail=tail(stderr_path),
    )


def describe_failure(run: Measurement, why: str) -> str:
    status = "killed after --timeout" if run.timed_out else f"exit {run.returncode}"
    details = f"{status}: {why}"
    return f"{details}\nstderr (tail):\n{run.stderr_tail}" if run.stderr_tail else details


# --------------------------------------------------------------------------------------------
# Findings


def read_json_array(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise RunFailed(f"output is not JSON: {error}") from None
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise RunFailed("output is not a JSON array of objects")
    return data


def canonical_findings(findings: Sequence[dict[str, Any]]) -> Counter[str]:
    """A multiset of findings that compares equal regardless of order or key order."""
    return Counter(json.dumps(finding, sort_keys=True) for finding in findings)


def count_by_code(findings: Counter[str]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for text, times in findings.items():
        counts[str(json.loads(text).get("code"))] += times
    return dict(sorted(counts.items()))


def only_in_files(findings: Counter[str], paths: Sequence[str]) -> Counter[str]:
    wanted = set(paths)
    return Counter(
        {text: n for text, n in findings.items() if json.loads(text).get("path") in wanted}
    )


def describe_difference(expected: Counter[str], actual: Counter[str], limit: int = 3) -> str:
    missing = list((expected - actual).elements())
    extra = list((actual - expected).elements())
    lines = [f"{len(missing)} cold finding(s) missing, {len(extra)} extra"]
    lines += [f"  missing: {text}" for text in missing[:limit]]
    lines += [f"  extra:   {text}" for text in extra[:limit]]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# The loopguard CLI


def loopguard_env() -> dict[str, str]:
    """Children import loopguard from this checkout's src/ first."""
    env = dict(os.environ)
    if REPO_SRC.is_dir():
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_SRC), env.get("PYTHONPATH")]))
    return env


def probe_loopguard() -> LoopguardCli:
    """Read ``loopguard check --help``; an unusable CLI is recorded, not raised."""
    command = (sys.executable, "-m", "loopguard", "check")
    env = loopguard_env()
    try:
        completed = subprocess.run(
            [*command, "--help"], env=env, capture_output=True, text=True, timeout=120, check=False
        )
    except subprocess.TimeoutExpired:
        return LoopguardCli(command, env, "", "`loopguard check --help` timed out")
    if completed.returncode != 0:
        output = (completed.stderr or completed.stdout).rstrip().splitlines()
        error = "\n".join(output[-STDERR_TAIL_LINES:])
        return LoopguardCli(command, env, "", f"`loopguard check --help` failed:\n{error}")
    return LoopguardCli(command, env, completed.stdout, "")


def loopguard_version(cli: LoopguardCli) -> str:
    try:
        completed = subprocess.run(
            [*cli.command[:-1], "--version"],
            env=cli.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return "unknown"
    return completed.stdout.strip() if completed.returncode == 0 else "unknown"


def check_command(ctx: Context, *options: str, paths: Sequence[str]) -> list[str]:
    command = [*ctx.cli.command, "--output-format", "json"]
    if ctx.cli.supports("--exit-zero"):
        command.append("--exit-zero")
    if ctx.jobs is not None and ctx.cli.supports("--jobs"):
        command += ["--jobs", str(ctx.jobs)]
    return [*command, *options, *paths]


def run_check(ctx: Context, name: str, command: Sequence[str]) -> tuple[Measurement, Counter[str]]:
    """One loopguard run; its findings, or RunFailed with the tail of its stderr."""
    run = measure(
        command, ctx.corpus.root, ctx.output_dir / f"{name}.json", ctx.timeout_s, ctx.cli.env
    )
    if run.timed_out:
        raise RunFailed(describe_failure(run, "no result"))
    try:
        findings = read_json_array(Path(run.stdout_path))
    except RunFailed as error:
        raise RunFailed(describe_failure(run, str(error))) from None
    if run.returncode not in (0, 1, 2):
        raise RunFailed(describe_failure(run, "unexpected exit status"))
    return run, canonical_findings(findings)


def unavailable_reason(ctx: Context, *flags: str) -> str:
    if ctx.cli.error:
        return "n/a (CLI unavailable)"
    missing = ctx.cli.missing("--output-format", *flags)
    return f"n/a (flag missing: {', '.join(missing)})" if missing else ""


def run_timed(
    ctx: Context,
    scenario: Scenario,
    repeats: int,
    command: Sequence[str],
    before_each: Callable[[], None] | None = None,
    name: str = "",
) -> Scenario:
    """Repeat a run, keeping every measurement and its findings; stop at the first failure."""
    for index in range(repeats):
        if before_each is not None:
            before_each()
        try:
            run, findings = run_check(ctx, name or f"{scenario.key}-{index + 1}", command)
        except RunFailed as error:
            scenario.unavailable = "failed"
            scenario.notes.append(str(error))
            return scenario
        scenario.runs.append(run)
        scenario.findings.append(findings)
        if run.returncode == 2:
            scenario.notes.append("exit 2: some file could not be checked (LG001)")
    return scenario


def cold_options(ctx: Context, name: str) -> tuple[list[str], str]:
    """Options for a run without cached results, and a note when ``--no-cache`` is missing.

    Without ``--no-cache`` a fresh, empty ``--cache-dir`` is as cold (it pays for writing the
    cache, as a first run would); a CLI with neither option has no cache, so every run is cold.
    """
    if ctx.cli.supports("--no-cache"):
        return ["--no-cache"], ""
    if ctx.cli.supports("--cache-dir"):
        fresh = tempfile.mkdtemp(prefix=f"{name}-", dir=ctx.output_dir)
        note = "no --no-cache option: each run used a fresh, empty --cache-dir"
        return ["--cache-dir", fresh], note
    return [], "no cache options in the CLI: every run is cold"


def warm_up(ctx: Context) -> None:
    """One untimed run on a single file so imports and bytecode are warm for every scenario."""
    if unavailable_reason(ctx):
        return
    options, _ = cold_options(ctx, "warm-up")
    command = check_command(ctx, *options, paths=ctx.corpus.files[:1])
    try:
        run_check(ctx, "warm-up", command)
    except RunFailed:
        pass  # the timed scenarios report the error


def bench_cold(ctx: Context) -> Scenario:
    scenario = Scenario("cold", "loopguard cold (no cache)")
    scenario.unavailable = unavailable_reason(ctx)
    if scenario.unavailable:
        return scenario
    note = ""
    for index in range(ctx.cold_repeats):
        options, note = cold_options(ctx, "cold")
        command = check_command(ctx, *options, paths=[ctx.corpus.package])
        if not run_timed(ctx, scenario, 1, command, name=f"cold-{index + 1}").ok:
            break
    if note:
        scenario.notes.append(note)
    return scenario


def populate_cache(ctx: Context) -> tuple[Measurement | None, str]:
    """The untimed run that fills the cache; returns it, or why it failed."""
    command = check_command(ctx, "--cache-dir", str(ctx.cache_dir), paths=[ctx.corpus.package])
    try:
        run, _ = run_check(ctx, "populate", command)
    except RunFailed as error:
        return None, str(error)
    return run, ""


def bench_warm(ctx: Context, populate: Measurement | None, populate_error: str) -> Scenario:
    scenario = Scenario("warm", "loopguard warm (nothing changed)")
    scenario.unavailable = unavailable_reason(ctx, "--cache-dir")
    if scenario.unavailable:
        return scenario
    if populate is None:
        scenario.unavailable = "failed"
        scenario.notes.append(f"populating run: {populate_error}")
        return scenario
    scenario.notes.append(
        f"populating run: {populate.wall_s:.2f} s wall, {populate.peak_mib:.0f} MiB"
    )
    command = check_command(ctx, "--cache-dir", str(ctx.cache_dir), paths=[ctx.corpus.package])
    return run_timed(ctx, scenario, ctx.repeats, command)


def bench_pre_commit(ctx: Context, cache_ready: bool) -> Scenario:
    count = len(ctx.corpus.pre_commit_files)
    scenario = Scenario("pre-commit", f"loopguard pre-commit ({count} files)")
    scenario.unavailable = unavailable_reason(ctx)
    if not count:
        scenario.unavailable = "n/a (no file with `async def`)"
    if scenario.unavailable:
        return scenario
    options: list[str] = []
    if ctx.cli.supports("--cache-dir"):
        if not cache_ready:
            scenario.unavailable = "n/a (cache not populated)"
            return scenario
        options = ["--cache-dir", str(ctx.cache_dir)]
    else:
        scenario.notes.append("no --cache-dir option in the CLI: runs without a cache")
    command = check_command(ctx, *options, paths=ctx.corpus.pre_commit_files)
    return run_timed(ctx, scenario, ctx.repeats, command)


def bench_incremental(ctx: Context, cache_ready: bool) -> Scenario:
    scenario = Scenario("incremental", "loopguard incremental (1 file edited)")
    scenario.unavailable = unavailable_reason(ctx, "--cache-dir")
    if scenario.unavailable:
        return scenario
    if not cache_ready:
        scenario.unavailable = "n/a (cache not populated)"
        return scenario
    edited = ctx.corpus.root / ctx.corpus.edit_target
    scenario.notes.append(
        f"each run follows a new comment line appended to {ctx.corpus.edit_target}"
    )
    command = check_command(ctx, "--cache-dir", str(ctx.cache_dir), paths=[ctx.corpus.package])
    return run_timed(
        ctx, scenario, ctx.repeats, command, before_each=lambda: append_edit_comment(edited)
    )


def bench_one_file(ctx: Context, cache_ready: bool) -> Scenario:
    """What an editor or the per-file hook runs after an edit: that one file, the project warm."""
    scenario = Scenario("one-file", "loopguard one changed file (warm project)")
    scenario.unavailable = unavailable_reason(ctx, "--cache-dir")
    if not scenario.unavailable and not cache_ready:
        scenario.unavailable = "n/a (cache not populated)"
    if scenario.unavailable:
        return scenario
    edited = ctx.corpus.root / ctx.corpus.edit_target
    scenario.notes.append(f"`loopguard check {ctx.corpus.edit_target}` after each edit of it")
    command = check_command(ctx, "--cache-dir", str(ctx.cache_dir), paths=[ctx.corpus.edit_target])
    return run_timed(
        ctx, scenario, ctx.repeats, command, before_each=lambda: append_edit_comment(edited)
    )


def bench_interpreter(ctx: Context) -> Scenario:
    """``python -c pass``: the floor under every start-up number on this machine."""
    scenario = Scenario("python", "start-up: `python -c pass` (the floor)")
    for index in range(ctx.repeats):
        run = measure(
            [sys.executable, "-c", "pass"], ctx.corpus.root,
            ctx.output_dir / f"python-{index + 1}.txt", ctx.timeout_s,
        )
        scenario.runs.append(run)
    return scenario


def bench_startup(ctx: Context, key: str) -> Scenario:
    """A command that does no analysis: its wall time is loopguard's start-up."""
    label, arguments = STARTUP_COMMANDS[key]
    scenario = Scenario(key, label)
    if ctx.cli.error:
        scenario.unavailable = "n/a (CLI unavailable)"
        return scenario
    command = [*ctx.cli.command[:-1], *arguments]
    for index in range(ctx.repeats):
        run = measure(
            command, ctx.corpus.root, ctx.output_dir / f"{key}-{index + 1}.txt", ctx.timeout_s,
            ctx.cli.env,
        )
        if run.returncode != 0:
            scenario.unavailable = "failed"
            scenario.notes.append(describe_failure(run, "exit status"))
            return scenario
        scenario.runs.append(run)
    return scenario


# --------------------------------------------------------------------------------------------
# Reference and ruff


def bench_reference(ctx: Context) -> tuple[Scenario, dict[str, int]]:
    """``ast.parse`` of every file in one process: the denominator of every ratio."""
    scenario = Scenario("reference", "reference `ast.parse`")
    command = [sys.executable, "-c", REFERENCE_SCRIPT, ctx.corpus.package]
    summary: dict[str, int] = {}
    for index in range(ctx.repeats):
        run = measure(
            command, ctx.corpus.root, ctx.output_dir / f"reference-{index + 1}.json", ctx.timeout_s
        )
        if run.returncode != 0:
            raise BenchError(f"the reference run failed: {describe_failure(run, 'error')}")
        scenario.runs.append(run)
        summary = json.loads(Path(run.stdout_path).read_text(encoding="utf-8"))
    if summary.get("parse_errors"):
        scenario.notes.append(f"{summary['parse_errors']} file(s) do not parse on this Python")
    return scenario, summary


def ruff_command() -> list[str] | None:
    executable = shutil.which("ruff")
    if executable:
        return [executable]
    probe = subprocess.run(
        [sys.executable, "-m", "ruff", "--version"], capture_output=True, check=False
    )
    return [sys.executable, "-m", "ruff"] if probe.returncode == 0 else None


def bench_ruff(ctx: Context) -> Scenario:
    scenario = Scenario("ruff", "ruff `--select ASYNC` (comparison)")
    ruff = ruff_command()
    if ruff is None:
        scenario.unavailable = "n/a (ruff not installed)"
        return scenario
    version = subprocess.run([*ruff, "--version"], capture_output=True, text=True, check=False)
    scenario.notes.append(version.stdout.strip())
    command = [
        *ruff, "check", "--select", "ASYNC", "--no-cache", "--isolated", "--exit-zero",
        "--output-format", "json", ctx.corpus.package,
    ]  # fmt: skip
    for index in range(ctx.repeats):
        run = measure(
            command, ctx.corpus.root, ctx.output_dir / f"ruff-{index + 1}.json", ctx.timeout_s
        )
        try:
            scenario.findings.append(canonical_findings(read_json_array(Path(run.stdout_path))))
        except RunFailed as error:
            scenario.unavailable = "failed"
            scenario.notes.append(describe_failure(run, str(error)))
            return scenario
        scenario.runs.append(run)
    return scenario


# --------------------------------------------------------------------------------------------
# Report


def format_ratio(value: float) -> str:
    return f"{value:.2f}×" if value >= 0.1 else f"{value:.3f}×"


def table_row(scenario: Scenario, reference_wall_s: float) -> list[str]:
    target = TARGETS.get(scenario.key)
    target_text = target.describe() if target else "—"
    if not scenario.ok:
        status = "failed (see notes)" if scenario.unavailable == "failed" else scenario.unavailable
        return [scenario.label, status or "n/a", "—", "—", "—", target_text, "—"]
    wall = scenario.median(lambda run: run.wall_s)
    cpu = scenario.median(lambda run: run.cpu_s)
    peak = scenario.median(lambda run: run.peak_mib)
    met = "—"
    if target is not None:
        misses = target.misses(wall, peak, reference_wall_s)
        met = "yes" if not misses else "no (" + ", ".join(misses) + ")"
    ratio = format_ratio(wall / reference_wall_s)
    return [scenario.label, f"{wall:.2f}", f"{cpu:.2f}", f"{peak:.0f}", ratio, target_text, met]


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def identical_text(cold: Scenario, other: Scenario, restrict_to: Sequence[str] = ()) -> str:
    if not cold.ok or not other.ok:
        return "n/a"
    expected = only_in_files(cold.findings[0], restrict_to) if restrict_to else cold.findings[0]
    differences = [describe_difference(expected, got) for got in other.findings if got != expected]
    if not differences:
        return "yes"
    return f"no ({len(differences)} of {len(other.findings)} runs differ)\n\n```\n{differences[0]}\n```"


def findings_section(scenarios: dict[str, Scenario], corpus: Corpus) -> str:
    cold = scenarios["cold"]
    lines = ["## Findings", ""]
    if cold.ok:
        lines.append(f"Cold run: {describe_counts(cold.findings[0])}.")
    else:
        lines.append("Cold run: n/a.")
    pre_commit = identical_text(cold, scenarios["pre-commit"], corpus.pre_commit_files)
    one_file = identical_text(cold, scenarios["one-file"], [corpus.edit_target])
    lines += [
        "",
        f"- warm identical to cold: {identical_text(cold, scenarios['warm'])}",
        f"- incremental identical to cold: {identical_text(cold, scenarios['incremental'])}",
        f"- pre-commit identical to cold, restricted to its files: {pre_commit}",
        f"- one changed file identical to cold, restricted to it: {one_file}",
    ]
    ruff = scenarios["ruff"]
    if ruff.ok:
        lines.append(f"- ruff ASYNC: {describe_counts(ruff.findings[0])}")
    return "\n".join(lines)


def describe_counts(findings: Counter[str]) -> str:
    counts = count_by_code(findings)
    by_code = ", ".join(f"{code}: {n}" for code, n in counts.items())
    return f"{sum(counts.values())} finding(s)" + (f" — {by_code}" if by_code else "")


def notes_section(scenarios: dict[str, Scenario]) -> str:
    lines = ["## Notes", ""]
    for scenario in scenarios.values():
        for note in scenario.notes:
            if "\n" in note:
                first, rest = note.split("\n", 1)
                lines += [f"- {scenario.label}: {first}", "", "```", rest, "```", ""]
            else:
                lines.append(f"- {scenario.label}: {note}")
    return "\n".join(lines) if len(lines) > 2 else ""


def header_section(meta: dict[str, Any]) -> str:
    corpus = meta["corpus"]
    mode = f"quick: first {QUICK_FILE_COUNT} files" if corpus["quick"] else "whole corpus"
    load = meta["load_average"][0]
    machine = f"{meta['cpus']} CPUs, {meta['platform']}, Python {meta['python']}, load {load:.2f}"
    lines = [
        "# loopguard benchmark",
        "",
        f"- corpus: {corpus['source']} ({mode}): {corpus['files']:,} files, {corpus['lines']:,} lines",
        f"- machine: {machine}",
        f"- loopguard: {meta['loopguard']['version']}; jobs: {meta['jobs'] or 'default'}",
        f"- runs: median of {meta['repeats']['cold']} cold, {meta['repeats']['others']} for the others",
        f"- edited file: `{corpus['edit_target']}`",
        "- pre-commit files: " + ", ".join(f"`{name}`" for name in corpus["pre_commit_files"]),
        f"- date: {meta['date']}",
    ]
    if load > BUSY_LOAD_AVERAGE:
        busy = f"Warning: load average {load:.2f} at the start: the machine was busy (or a run had"
        lines += ["", busy + " just ended); wall times are noisy, compare them with CPU times."]
    if meta["loopguard"]["error"]:
        lines += ["", "loopguard CLI unavailable:", "", "```", meta["loopguard"]["error"], "```"]
    if corpus["quick"]:
        lines += [
            "",
            "Targets are for the whole corpus; on the quick subset they are indicative only.",
        ]
    return "\n".join(lines)


def render_report(meta: dict[str, Any], scenarios: dict[str, Scenario], corpus: Corpus) -> str:
    reference_wall_s = scenarios["reference"].median(lambda run: run.wall_s)
    header = ["scenario", "wall s", "CPU s", "peak MiB", "× ref wall", "target", "met?"]
    rows = [table_row(scenario, reference_wall_s) for scenario in scenarios.values()]
    sections = [
        header_section(meta),
        markdown_table(header, rows),
        findings_section(scenarios, corpus),
        notes_section(scenarios),
    ]
    return "\n\n".join(section for section in sections if section) + "\n"


# --------------------------------------------------------------------------------------------
# Raw results


def scenario_record(scenario: Scenario) -> dict[str, Any]:
    record: dict[str, Any] = {
        "label": scenario.label,
        "status": "ok" if scenario.ok else scenario.unavailable or "n/a",
        "notes": scenario.notes,
        "runs": [asdict(run) | {"peak_mib": run.peak_mib} for run in scenario.runs],
    }
    if scenario.ok:
        record["median"] = {
            "wall_s": scenario.median(lambda run: run.wall_s),
            "cpu_s": scenario.median(lambda run: run.cpu_s),
            "peak_mib": scenario.median(lambda run: run.peak_mib),
        }
    if scenario.findings:
        record["findings_by_code"] = count_by_code(scenario.findings[0])
    return record


def collect_meta(
    args: argparse.Namespace, ctx: Context, summary: dict[str, int], load_average: list[float]
) -> dict[str, Any]:
    corpus = ctx.corpus
    return {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "load_average": load_average,
        "jobs": args.jobs,
        "repeats": {"cold": ctx.cold_repeats, "others": ctx.repeats},
        "loopguard": {
            "version": "unavailable" if ctx.cli.error else loopguard_version(ctx.cli),
            "error": ctx.cli.error,
            "jobs_flag": ctx.cli.supports("--jobs"),
        },
        "corpus": {
            "source": str(corpus.source),
            "quick": corpus.quick,
            "files": summary.get("files", len(corpus.files)),
            "lines": summary.get("lines", 0),
            "parse_errors": summary.get("parse_errors", 0),
            "edit_target": corpus.edit_target,
            "pre_commit_files": list(corpus.pre_commit_files),
        },
    }


def results_stem(corpus: Corpus) -> str:
    """``results`` for the pinned corpus, so runs on other corpora never overwrite it."""
    stem = "results" if corpus.package == CORPUS_PACKAGE else f"results-{corpus.package}"
    return f"{stem}-quick" if corpus.quick else stem


def write_results(
    report: str, meta: dict[str, Any], scenarios: dict[str, Scenario], stem: str
) -> Path:
    markdown_path = BENCH_DIR / f"{stem}.md"
    markdown_path.write_text(report, encoding="utf-8")
    raw = {"meta": meta, "scenarios": {key: scenario_record(s) for key, s in scenarios.items()}}
    (BENCH_DIR / f"{stem}.json").write_text(json.dumps(raw, indent=2) + "\n", encoding="utf-8")
    return markdown_path


# --------------------------------------------------------------------------------------------
# Main


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


@contextmanager
def temporary_directory(keep: bool) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="loopguard-bench-"))
    try:
        yield path
    finally:
        if keep:
            log(f"kept {path}")
        else:
            shutil.rmtree(path, ignore_errors=True)


def run_all(args: argparse.Namespace, source_dir: Path, temp: Path) -> int:
    corpus = build_work_copy(source_dir, temp / "corpus", args.quick)
    log(f"work copy: {len(corpus.files):,} files in {corpus.root}")
    output_dir = temp / "outputs"
    output_dir.mkdir()
    cli = probe_loopguard()
    if cli.error:
        log("loopguard CLI unavailable: " + cli.error.splitlines()[-1])
    ctx = Context(
        corpus=corpus,
        cli=cli,
        output_dir=output_dir,
        cache_dir=temp / "cache",
        jobs=args.jobs,
        cold_repeats=args.repeat or 1,
        repeats=args.repeat or 3,
        timeout_s=args.timeout,
    )
    if args.jobs is not None and not cli.error and not cli.supports("--jobs"):
        log("--jobs is not an option of `loopguard check`; ignored")

    load_average = list(os.getloadavg())
    log("reference: ast.parse every file")
    reference, summary = bench_reference(ctx)
    warm_up(ctx)
    scenarios = {"reference": reference}
    log("loopguard cold")
    scenarios["cold"] = bench_cold(ctx)
    populate, populate_error = None, ""
    if not unavailable_reason(ctx, "--cache-dir"):
        log("loopguard: populating the cache")
        populate, populate_error = populate_cache(ctx)
    log("loopguard warm")
    scenarios["warm"] = bench_warm(ctx, populate, populate_error)
    log("loopguard pre-commit shape")
    scenarios["pre-commit"] = bench_pre_commit(ctx, populate is not None)
    log("loopguard incremental")
    scenarios["incremental"] = bench_incremental(ctx, populate is not None)
    log("loopguard one changed file")
    scenarios["one-file"] = bench_one_file(ctx, populate is not None)
    log("start-up")
    scenarios["python"] = bench_interpreter(ctx)
    for key in STARTUP_COMMANDS:
        scenarios[key] = bench_startup(ctx, key)
    log("ruff")
    scenarios["ruff"] = bench_ruff(ctx)

    meta = collect_meta(args, ctx, summary, load_average)
    report = render_report(meta, scenarios, corpus)
    print(report)
    log(f"wrote {write_results(report, meta, scenarios, results_stem(corpus))} (and .json)")
    return 0


def interrupt_on_sigterm() -> None:
    """Make SIGTERM unwind like Ctrl-C, so the running child's process group is killed too."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    interrupt_on_sigterm()
    try:
        source_dir = find_source_dir(args.corpus_dir.resolve(), args.skip_install)
        with temporary_directory(args.keep_temp) as temp:
            return run_all(args, source_dir, temp)
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
