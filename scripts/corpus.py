"""Real corpora: loopguard's CLI over the standard library and a pinned set of async packages.

Issue 14, item 6: every file of real code must be checked without an internal error. For each corpus
the script runs ``python -m loopguard check --no-cache --output-format json`` in a subprocess, reads
the exit status as the CLI defines it (0 clean, 1 findings, 2 a file could not be checked; anything
else, or output that is not JSON, is a crash), and prints the findings per code and every LG001 with
its reason. The last line is ``internal errors: N`` (LG001s saying "internal error", plus crashes).

    PYTHONPATH=src python scripts/corpus.py                      # stdlib + packages
    PYTHONPATH=src python scripts/corpus.py --homeassistant /work/corpus/ha
    PYTHONPATH=src python scripts/corpus.py --no-stdlib --dir /tmp/corpus

The packages are installed once with ``pip install --no-deps --target DIR/packages`` (DIR
defaults to ``~/.cache/loopguard-corpus``, outside any repository) and reinstalled when the
pins change.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import sysconfig
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

# popular async libraries (and the sync drivers their async twins wrap), pinned so that runs compare
PACKAGES = (
    "aiohttp==3.14.5",
    "httpx==0.28.1",
    "httpcore==1.0.9",
    "anyio==4.16.0",
    "trio==0.35.0",
    "starlette==1.10.0",
    "fastapi==0.163.2",
    "uvicorn==0.54.0",
    "sqlalchemy==2.1.9",
    "redis==8.1.0",
    "motor==3.7.1",
    "pymongo==4.20.0",
    "aiobotocore==3.10.0",
    "websockets==17.4",
    "textual==8.2.8",
)
PINS_FILE = ".loopguard-corpus-pins"
DEFAULT_DIRECTORY = Path.home() / ".cache" / "loopguard-corpus"
# directories of an interpreter's lib/pythonX.Y that are not the standard library
NOT_STDLIB = frozenset({"site-packages", "dist-packages", "__pycache__"})
EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


@dataclass
class CorpusResult:
    name: str
    files: int
    seconds: float
    status: int
    codes: Counter[str] = field(default_factory=Counter)
    file_errors: list[str] = field(default_factory=list)  # "path:line:col: reason" of each LG001
    internal: list[str] = field(default_factory=list)
    crash: str | None = None  # what went wrong when the run itself failed


# --- the corpora ---------------------------------------------------------------------------------


def stdlib_paths() -> list[Path]:
    """The running interpreter's standard library, tests included, without installed packages."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    return sorted(
        p
        for p in stdlib.iterdir()
        if p.name not in NOT_STDLIB and (p.is_dir() or p.suffix == ".py")
    )


def install_packages(directory: Path) -> Path:
    """The pinned packages in ``directory/packages``, installed unless the same pins already are."""
    target = directory / "packages"
    pins = "\n".join(PACKAGES) + "\n"
    marker = target / PINS_FILE
    if marker.is_file() and marker.read_text(encoding="utf-8") == pins:
        return target
    if target.exists():
        shutil.rmtree(target)
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--no-deps",
        "--target",
        str(target),
        *PACKAGES,
    ]
    print(f"installing {len(PACKAGES)} packages into {target}", file=sys.stderr)
    subprocess.run(command, check=True)
    marker.write_text(pins, encoding="utf-8")
    return target


def package_paths(target: Path) -> list[Path]:
    """Every installed top-level package or module (not dist-info, not bin/)."""
    return sorted(
        p
        for p in target.iterdir()
        if (
            p.is_dir()
            and not p.name.endswith((".dist-info", ".data"))
            and p.name not in ("bin", "__pycache__")
        )
        or p.suffix == ".py"
    )


def count_python_files(paths: list[Path]) -> int:
    return sum(1 if p.is_file() else sum(1 for _ in p.rglob("*.py")) for p in paths)


# --- running loopguard ---------------------------------------------------------------------------


def run_loopguard(name: str, paths: list[Path], jobs: int | None) -> CorpusResult:
    """One CLI run over ``paths``, from their common parent's parent so that no analysed module can
    shadow loopguard's imports (``python -m`` puts the working directory on ``sys.path``)."""
    cwd = paths[0].parent.parent
    command = [sys.executable, "-m", "loopguard", "check", "--no-cache", "--output-format", "json"]
    command += [f"--jobs={jobs}"] if jobs else []
    started = time.monotonic()
    done = subprocess.run(
        [*command, *map(str, paths)], cwd=cwd, capture_output=True, text=True, check=False
    )
    result = CorpusResult(
        name, count_python_files(paths), time.monotonic() - started, done.returncode
    )
    read_findings(result, done)
    return result


def read_findings(result: CorpusResult, done: subprocess.CompletedProcess[str]) -> None:
    if done.returncode not in (EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR):
        result.crash = f"exit status {done.returncode}: {done.stderr.strip()[-2000:]}"
        return
    try:
        findings = json.loads(done.stdout)
    except json.JSONDecodeError:
        result.crash = f"output is not JSON (exit {done.returncode}): {done.stderr.strip()[-2000:]}"
        return
    for finding in findings:
        result.codes[finding["code"]] += 1
        if finding["code"] == "LG001":
            where = f"{finding['path']}:{finding['line']}:{finding['column']}"
            result.file_errors.append(f"{where}: {finding['message']}")
            if "internal error" in finding["message"]:
                result.internal.append(f"{where}: {finding['message']}")
    if done.returncode == EXIT_ERROR and not result.file_errors:
        result.crash = f"exit status 2 without any LG001: {done.stderr.strip()[-2000:]}"
    if "Traceback (most recent call last)" in done.stderr:
        result.crash = f"traceback on stderr: {done.stderr.strip()[-2000:]}"


# --- the summary ---------------------------------------------------------------------------------


def describe(result: CorpusResult) -> list[str]:
    lines = [
        (
            f"== {result.name}: {result.files} .py files, "
            f"exit status {result.status}, {result.seconds:.0f} s"
        ),
        "findings per code: "
        + (", ".join(f"{c} {n}" for c, n in sorted(result.codes.items())) or "none"),
        f"LG001 ({len(result.file_errors)}):",
        *(f"  {line}" for line in result.file_errors),
    ]
    if result.crash is not None:
        lines.append(f"CRASH: {result.crash}")
    return lines


def internal_errors(results: list[CorpusResult]) -> int:
    return sum(len(r.internal) + (r.crash is not None) for r in results)


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--dir",
        type=Path,
        default=DEFAULT_DIRECTORY,
        help=f"where the packages are installed [{DEFAULT_DIRECTORY}]",
    )
    parser.add_argument("--no-stdlib", action="store_true", help="skip the standard library")
    parser.add_argument("--no-packages", action="store_true", help="skip the pinned packages")
    parser.add_argument(
        "--homeassistant",
        type=Path,
        metavar="DIR",
        help="also check a homeassistant installed with pip --target DIR",
    )
    parser.add_argument("--jobs", "-j", type=int, default=None, help="loopguard's --jobs")
    return parser.parse_args(argv)


def corpora(arguments: argparse.Namespace) -> list[tuple[str, list[Path]]]:
    chosen = []
    if not arguments.no_stdlib:
        chosen.append((f"stdlib (Python {sys.version.split()[0]})", stdlib_paths()))
    if not arguments.no_packages:
        chosen.append(
            (f"packages ({len(PACKAGES)} pinned)", package_paths(install_packages(arguments.dir)))
        )
    if arguments.homeassistant is not None:
        chosen.append(("homeassistant", [arguments.homeassistant / "homeassistant"]))
    return chosen


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    results = []
    for name, paths in corpora(arguments):
        result = run_loopguard(name, paths, arguments.jobs)
        results.append(result)
        print("\n".join(describe(result)), flush=True)
    total = Counter[str]()
    for result in results:
        total.update(result.codes)
    print(
        f"== total: {sum(r.files for r in results)} .py files; findings per code: "
        + (", ".join(f"{c} {n}" for c, n in sorted(total.items())) or "none")
    )
    count = internal_errors(results)
    print(f"internal errors: {count}")
    return 1 if count else 0


if __name__ == "__main__":
    raise SystemExit(main())
