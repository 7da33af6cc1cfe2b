"""One project model, whatever the invocation (DESIGN.md, "One project model").

The same small project is built in every layout (flat, src with ``__init__.py``, src namespace
packages, two source roots, a monorepo's service whose package sits under plain folders) and
checked every way a user runs loopguard: from the project root, from a parent folder, from a
subfolder, from the folder above the package, with ``--config`` from elsewhere, one file at a
time, each file as an editor buffer (``--stdin-filename``), and through ``pre-commit try-repo``. Every way must
give the same findings: path (relative to the project root), line, column, code, and the hops of
the transitive chain.

The project: a coroutine in ``shop/api.py`` calls ``fetch`` of ``shop/net.py`` (absolute import),
which calls ``requests.get``; ``shop/jobs.py`` reaches the same helper through a relative import;
``api.py`` also calls ``time.sleep`` directly and ``open``, whose code (LG501) the project's
``[tool.loopguard]`` ignores. A decoy configuration above the project ignores LG1 and LG2: a run
that reads it instead of the project's loses every finding.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from loopguard.cli import cli

API = """\
import time

from shop.net import fetch


async def handler():
    fetch("https://example.com")
    time.sleep(1)
    open("data.txt")
"""
NET = """\
import requests


def fetch(url):
    return requests.get(url)
"""
JOBS = """\
from . import net


async def job():
    net.fetch("https://example.com")
"""
CONFIG = '[tool.loopguard]\nignore = ["LG5"]\n'
DECOY = '[tool.loopguard]\nignore = ["LG1", "LG2"]\n'

# layout -> (the directory of api.py and jobs.py, the directory of net.py, extra config lines,
#            whether the package directories hold an __init__.py)
LAYOUTS: dict[str, tuple[str, str, str, bool]] = {
    "flat": ("shop", "shop", "", True),
    "src": ("src/shop", "src/shop", "", True),
    "src-namespace": ("src/shop", "src/shop", "", False),
    "two-roots": ("src/shop", "lib/shop", 'src = ["src", "lib"]\n', False),
    # ``services/api`` is on sys.path when the service runs: ``from shop.net import fetch`` imports
    # ``services.api.shop.net`` (docs/configuration.md, "Module names"), with no ``src`` set
    "monorepo": ("services/api/shop", "services/api/shop", "", True),
}
#: The module name of net.py, where it is not ``shop.net``
NET_MODULES = {"monorepo": "services.api.shop.net"}

Normalised = tuple[str, int, int, str, tuple[tuple[str, int, int, str, str], ...]]


def build(tmp_path: Path, layout: str) -> Path:
    """The project in ``layout`` at ``tmp_path/proj``, under a decoy configuration."""
    coroutines, helpers, extra, packages = LAYOUTS[layout]
    (tmp_path / "pyproject.toml").write_text(DECOY, encoding="utf-8")
    root = tmp_path / "proj"
    files = {
        "pyproject.toml": CONFIG + extra,
        f"{coroutines}/api.py": API,
        f"{coroutines}/jobs.py": JOBS,
        f"{helpers}/net.py": NET,
    }
    if packages:
        files[f"{coroutines}/__init__.py"] = ""
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def expected(layout: str) -> list[Normalised]:
    coroutines, helpers, _, _ = LAYOUTS[layout]
    net = (f"{helpers}/net.py", 5, 12, "fetch", "requests.get")
    api, jobs = f"{coroutines}/api.py", f"{coroutines}/jobs.py"
    return [
        (api, 7, 5, "LG201", ((api, 7, 5, "handler", "fetch()"), net)),
        (api, 8, 5, "LG101", ()),
        (jobs, 5, 5, "LG201", ((jobs, 5, 5, "job", "fetch()"), net)),
    ]


def relative_to(root: Path, cwd: Path, path: str) -> str:
    """A reported path (relative to the working directory, or absolute) relative to ``root``."""
    return Path(os.path.relpath(os.path.join(cwd, path), root)).as_posix()


def normalise(findings: list[dict], root: Path, cwd: Path) -> list[Normalised]:
    return [
        (
            relative_to(root, cwd, f["path"]),
            f["line"],
            f["column"],
            f["code"],
            tuple(
                (
                    relative_to(root, cwd, hop["path"]),
                    hop["line"],
                    hop["column"],
                    hop["function"],
                    hop["call"],
                )
                for hop in f["chain"]
            ),
        )
        for f in findings
    ]


def check(
    monkeypatch: pytest.MonkeyPatch, root: Path, cwd: Path, *args: str, stdin: str | None = None
) -> list[Normalised]:
    """``loopguard check --output-format json ARGS`` run in ``cwd``, its findings normalised."""
    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(
        cli,
        ["check", "--no-cache", "--output-format", "json", *args],
        input=stdin,
        catch_exceptions=False,
    )
    assert result.exit_code == 1, result.output
    return normalise(json.loads(result.stdout), root, cwd)


def python_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py"))


def from_root(mp: pytest.MonkeyPatch, root: Path) -> list[Normalised]:
    return check(mp, root, root)


def from_parent(mp: pytest.MonkeyPatch, root: Path) -> list[Normalised]:
    return check(mp, root, root.parent, root.name)


def from_subfolder(mp: pytest.MonkeyPatch, root: Path) -> list[Normalised]:
    return check(mp, root, coroutines_folder(root), ".")


def from_above_the_package(mp: pytest.MonkeyPatch, root: Path) -> list[Normalised]:
    """From the folder holding ``shop``: ``src``, or a monorepo's ``services/api``."""
    return check(mp, root, coroutines_folder(root).parent, ".")


def coroutines_folder(root: Path) -> Path:
    return next(root.rglob("api.py")).parent


def with_config(mp: pytest.MonkeyPatch, root: Path) -> list[Normalised]:
    elsewhere = root.parent / "elsewhere"
    elsewhere.mkdir(exist_ok=True)
    return check(mp, root, elsewhere, "--config", str(root / "pyproject.toml"), str(root))


def one_file_at_a_time(mp: pytest.MonkeyPatch, root: Path) -> list[Normalised]:
    found: list[Normalised] = []
    for name in python_files(root):
        if name.endswith(("api.py", "jobs.py")):  # the helper alone has no coroutine: exit 0
            found += check(mp, root, root, name)
    return sorted(found)


def each_file_through_stdin(mp: pytest.MonkeyPatch, root: Path) -> list[Normalised]:
    """As an editor sends a buffer: from the parent folder, named by its path."""
    found: list[Normalised] = []
    for name in python_files(root):
        if name.endswith(("api.py", "jobs.py")):
            text = (root / name).read_text(encoding="utf-8")
            found += check(
                mp, root, root.parent, "--stdin-filename", f"{root.name}/{name}", "-", stdin=text
            )
    return sorted(found)


WAYS: dict[str, Callable[[pytest.MonkeyPatch, Path], list[Normalised]]] = {
    "root": from_root,
    "parent": from_parent,
    "subfolder": from_subfolder,
    "above-the-package": from_above_the_package,
    "config": with_config,
    "one-file-at-a-time": one_file_at_a_time,
    "stdin": each_file_through_stdin,
}


@pytest.mark.parametrize("way", sorted(WAYS))
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_the_same_findings_in_every_layout_and_every_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str, way: str
) -> None:
    root = build(tmp_path, layout)
    assert WAYS[way](monkeypatch, root) == expected(layout)


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_show_settings_names_the_root_source_roots_and_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str
) -> None:
    root = build(tmp_path, layout)
    helpers = LAYOUTS[layout][1]
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        cli, ["check", "--show-settings", f"proj/{helpers}/net.py"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert f"Settings path: {root / 'pyproject.toml'}" in lines
    assert f"Project root: {root}" in lines
    module = NET_MODULES.get(layout, "shop.net")
    assert f"Module: {module}" in lines and f"Package: {module.removesuffix('.net')}" in lines
    roots = lines[lines.index("Source roots:") + 1 : lines.index(f"Module: {module}")]
    wanted = {"flat": [root], "monorepo": [root], "two-roots": [root / "src", root / "lib"]}.get(
        layout, [root / "src", root]
    )
    assert roots == [f"  {path}" for path in wanted]
    assert 'ignore = ["LG5"]' in lines
    aliases = ["Import aliases (a package under namespace folders):", "  shop -> services.api.shop"]
    shown = lines[lines.index(f"Package: {module.removesuffix('.net')}") + 1 :][:2]
    assert shown == (aliases if layout == "monorepo" else ["", "[tool.loopguard]  # effective, command-line flags included"])


def test_show_files_lists_what_would_be_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = build(tmp_path, "src")
    (root / "pyproject.toml").write_text(
        CONFIG + 'exclude = ["src/shop/jobs.py"]\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "--show-files", "proj"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "proj/src/shop/__init__.py",
        "proj/src/shop/api.py",
        "proj/src/shop/net.py",
    ]


def test_a_nested_project_keeps_its_own_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Walked from an outer project, a folder with its own configuration is checked with it — as
    when it is named directly."""
    build(tmp_path, "flat")
    (tmp_path / "outer.py").write_text(
        "import time\n\nasync def f():\n    open('x')\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        cli, ["check", "--no-cache", "--output-format", "json", "."], catch_exceptions=False
    )
    found = [(f["path"], f["code"]) for f in json.loads(result.stdout)]
    # the decoy (the outer project's configuration) ignores LG1 and LG2, not LG5; the inner one LG5
    assert found == [
        ("outer.py", "LG501"),
        ("proj/shop/api.py", "LG201"),
        ("proj/shop/api.py", "LG101"),
        ("proj/shop/jobs.py", "LG201"),
    ]


def test_pre_commit_try_repo_gives_the_same_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hook as pre-commit runs it (staged files named, from the repository's top), one layout:
    installing the hook's environment is the slow part (about ten seconds)."""
    pytest.importorskip(
        "pre_commit", reason="pre-commit is not installed (pip install -e '.[test]')"
    )
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    from test_precommit import clean_env, git, source_files

    env = clean_env(tmp_path / "pre-commit-home")
    hook_repo = tmp_path / "hook"
    for name in source_files(env):
        target = hook_repo / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(Path(__file__).resolve().parents[1] / name, target)
    git(hook_repo, env, "init", "--quiet")
    git(hook_repo, env, "add", "--all")
    git(hook_repo, env, "commit", "--quiet", "--no-verify", "--message", "snapshot")
    root = build(tmp_path, "src")
    git(root, env, "init", "--quiet")
    git(root, env, "add", "--all")
    files = python_files(root)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "try-repo",
            "--color",
            "never",
            str(hook_repo),
            "loopguard",
            "--files",
            *files,
        ],
        cwd=root,
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    reported = sorted(line for line in done.stdout.splitlines() if line.startswith("src/"))
    monkeypatch.chdir(root)
    direct = CliRunner().invoke(
        cli, ["check", "--no-cache", "--output-format", "concise", "--quiet", "."]
    )
    assert reported == sorted(direct.stdout.splitlines())
    assert (
        len(reported) == 3
        and sum("-> requests.get (src/shop/net.py:5)" in line for line in reported) == 2
    )


def test_paths_of_two_projects_are_checked_each_with_its_own_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocking = "import time\n\n\nasync def f():\n    time.sleep(1)\n"
    for name, config in (
        ("quiet", '[tool.loopguard]\nignore = ["LG1"]\n'),
        ("loud", "[tool.loopguard]\n"),
    ):
        (tmp_path / name).mkdir()
        (tmp_path / name / "pyproject.toml").write_text(config, encoding="utf-8")
        (tmp_path / name / "app.py").write_text(blocking, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        cli,
        ["check", "--no-cache", "--output-format", "json", "quiet", "loud"],
        catch_exceptions=False,
    )
    assert [(f["path"], f["code"]) for f in json.loads(result.stdout)] == [("loud/app.py", "LG101")]


def test_a_bad_src_setting_names_the_file_and_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.loopguard]\nsrc = "lib"\n', encoding="utf-8")
    (tmp_path / "app.py").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "app.py"], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr == (
        f"loopguard: error: {tmp_path / 'pyproject.toml'}: [tool.loopguard] 'src' must be a list of "
        "directories relative to the project root, got 'lib'\n"
    )
