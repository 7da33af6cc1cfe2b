#!/usr/bin/env python3
"""Check that a run over one file reports what a run over the whole project reports for it.

Usage::

    python scripts/one_file_consistency.py ROOT PATH [--files 30] [--seed 2032] [-- CHECK OPTIONS...]

In ``ROOT``, it runs ``loopguard check --output-format json --exit-zero PATH`` once (which also fills
the cache, as a CI run would), then ``loopguard check FILE`` for a seeded random sample of ``--files``
files that have findings and 5 that have none: the shape of an editor or pre-commit run in a warm
project. Each file's findings (path, line, column, code, message: the chain included) must equal
the whole run's for that file. It prints every difference and a summary line, and exits 1 when a
file differs. Options after ``--`` (``--config FILE``) are passed to every run. Standard library
only; the checked code is never imported.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
from pathlib import Path

Key = tuple[str, int, int, str, str]


def checked(root: Path, *arguments: str) -> list[Key]:
    """The findings of one ``loopguard check`` run in ``root``."""
    run = subprocess.run(
        [sys.executable, "-m", "loopguard", "check", "--output-format", "json", "--exit-zero", *arguments],
        cwd=root, capture_output=True, text=True, check=False,
    )
    if run.returncode != 0:
        raise SystemExit(f"loopguard exited {run.returncode} for {' '.join(arguments)}: {run.stderr.strip()}")
    return sorted((f["path"], f["line"], f["column"], f["code"], f["message"]) for f in json.loads(run.stdout))


def sample(root: Path, path: str, by_file: dict[str, list[Key]], files: int, seed: int) -> list[str]:
    """``files`` files with findings and 5 without, drawn with ``seed``."""
    chooser = random.Random(seed)
    with_findings = sorted(by_file)
    chosen = chooser.sample(with_findings, min(files, len(with_findings)))
    everything = sorted(
        os.path.relpath(os.path.join(directory, name), root)
        for directory, _dirs, names in os.walk(root / path)
        for name in names
        if name.endswith(".py")
    )
    quiet = [name for name in everything if name not in by_file]
    return chosen + chooser.sample(quiet, min(5, len(quiet)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="the project's directory (runs are made there)")
    parser.add_argument("path", help="what the whole run checks, relative to ROOT (a package, or .)")
    parser.add_argument("--files", type=int, default=30, help="files with findings to check one at a time")
    parser.add_argument("--seed", type=int, default=2032)
    arguments = sys.argv[1:] if argv is None else argv
    cut = arguments.index("--") if "--" in arguments else len(arguments)
    options, extra = parser.parse_args(arguments[:cut]), arguments[cut + 1 :]  # after --: for every run
    whole = checked(options.root, *extra, options.path)
    by_file: dict[str, list[Key]] = {}
    for finding in whole:
        by_file.setdefault(finding[0], []).append(finding)
    differing = 0
    files = sample(options.root, options.path, by_file, options.files, options.seed)
    for name in files:
        alone = checked(options.root, *extra, name)
        expected = by_file.get(name, [])
        if alone != expected:
            differing += 1
            print(f"DIFF {name}: {len(expected)} in the whole run, {len(alone)} alone")
            for key in sorted(set(expected) - set(alone)):
                print(f"  missing {key[1]}:{key[2]} {key[3]} {key[4][:160]}")
            for key in sorted(set(alone) - set(expected)):
                print(f"  extra   {key[1]}:{key[2]} {key[3]} {key[4][:160]}")
    print(f"{len(files)} files checked one at a time against {len(whole)} findings of the whole run: {differing} differ")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
