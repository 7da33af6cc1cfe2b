"""docs/adoption.md runs as written: each ``console`` block's commands, in order, on a fresh copy of
examples/shop per workflow (``## `` section), print exactly what the page shows; its TOML and JSON
snippets parse."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "adoption.md"
BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.DOTALL)


def sections() -> dict[str, str]:
    parts = re.split(r"^## ", PAGE.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return {part.splitlines()[0]: part for part in parts[1:]}


def commands(section: str) -> list[tuple[str, str]]:
    """(command, the output the page shows) for every ``$ `` line of the section's console blocks."""
    steps: list[tuple[str, list[str]]] = []
    for kind, body in BLOCK.findall(section):
        if kind != "console":
            continue
        for line in body.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            else:
                steps[-1][1].append(line)
    return [(command, "".join(f"{line}\n" for line in output)) for command, output in steps]


def shell_environment(tmp_path: Path) -> dict[str, str]:
    """``loopguard`` on PATH runs the loopguard under test (this interpreter, this source tree)."""
    bin_directory = tmp_path / "bin"
    bin_directory.mkdir()
    shim = bin_directory / "loopguard"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m loopguard "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    source = str(ROOT / "src")
    path = os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH", "")]))
    return {**os.environ, "PATH": f"{bin_directory}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": path,
            "NO_COLOR": "1"}


WORKFLOWS = [name for name, text in sections().items() if commands(text)]


def test_the_page_has_its_workflows() -> None:
    assert len(WORKFLOWS) == 3, WORKFLOWS


@pytest.mark.parametrize("workflow", WORKFLOWS)
def test_every_command_prints_what_the_page_shows(workflow: str, tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples" / "shop", tmp_path / "work" / "examples" / "shop")
    environment = shell_environment(tmp_path)
    cwd = tmp_path / "work"
    steps = commands(sections()[workflow])
    if not steps[0][0].startswith("cd "):  # a section that continues the previous one's state
        previous = WORKFLOWS[WORKFLOWS.index(workflow) - 1]
        steps = commands(sections()[previous]) + steps
    for command, shown in steps:
        if command.startswith("cd "):
            cwd = cwd / command[3:]
            continue
        done = subprocess.run(["bash", "-c", command + " 2>&1"], cwd=cwd, env=environment, capture_output=True,
                              text=True, check=False, timeout=300)
        assert done.stdout == shown, command


def test_the_snippets_parse() -> None:
    text = PAGE.read_text(encoding="utf-8")
    kinds = [kind for kind, _ in BLOCK.findall(text)]
    assert {"toml", "json", "console"} <= set(kinds)
    for kind, body in BLOCK.findall(text):
        if kind == "toml":
            assert "loopguard" in tomllib.loads(body)["tool"]
        elif kind == "json":
            assert set(json.loads(body)) == {"path", "code", "root", "source", "occurrence"}
