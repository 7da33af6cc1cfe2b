"""Adopting loopguard: the GitHub Action (action.yml) run step by step in a shell, the whole-project
pre-commit hook run by the real pre-commit, and the distribution name the docs install.

The action's steps are executed as GitHub would: each `run:` script in bash, its `env:` with the
`${{ inputs.* }}` expressions filled in, RUNNER_TEMP and GITHUB_ACTION_PATH set, and the GITHUB_ENV
file of one step exported into the next. The action path is a snapshot of this source tree, so the
install step pip-installs exactly what `uses: loopguard/loopguard@<ref>` would.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

yaml = pytest.importorskip("yaml", reason="PyYAML comes with pre-commit (pip install -e '.[test]')")
pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install -e '.[test]')")

# the fixtures and helpers of the per-file hook's tests, so both hooks are tested the same way
from test_precommit import (
    BLOCKING,
    CLEAN,
    env,
    git,
    hook_repo,
    pre_commit,
    pre_commit_home,
    source_files,
    user_repo,
)

__all__ = ["env", "hook_repo", "pre_commit_home", "user_repo"]  # fixtures, used by name

ROOT = Path(__file__).resolve().parents[1]
SHOP = ROOT / "examples" / "shop"
SHOP_FINDINGS = 7
INPUT_EXPRESSION = re.compile(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}")
TIMEOUT = 900


# --- the distribution name ------------------------------------------------------------------------


def test_the_distribution_is_not_the_unrelated_loopguard() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == "loopguard-lint"
    assert project["scripts"] == {"loopguard": "loopguard.cli:run"}  # the command keeps its name


def test_the_docs_install_the_distribution_name() -> None:
    for page in ("README.md", "docs/integrations.md"):
        text = (ROOT / page).read_text(encoding="utf-8")
        assert not re.search(r"pip install loopguard(?!-lint)\b", text), page
        assert "loopguard==" not in text, page


def test_the_quickstart_stays_in_the_repository_root() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quickstart = readme[readme.index("## Quickstart"):readme.index("## What it finds")]
    commands = re.findall(r"```\n(.*?)\n```", quickstart, re.DOTALL)
    assert commands[0] == "pip install . && (cd examples/shop && loopguard check)"
    assert "exits 1" in quickstart


# --- the action -----------------------------------------------------------------------------------


def load_action() -> dict[str, Any]:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert isinstance(action, dict)
    return action


def test_the_action_is_a_composite_of_bash_steps_that_read_inputs_from_the_environment() -> None:
    action = load_action()
    assert action["runs"]["using"] == "composite"
    inputs = action["inputs"]
    assert set(inputs) == {"paths", "args", "sarif-file", "exit-zero", "python"}
    for step in action["runs"]["steps"]:
        assert step["shell"] == "bash"
        # an input pasted into the script could inject shell code; inputs go through env only
        assert "${{" not in step["run"], step["name"]
        for expression in step.get("env", {}).values():
            for name in INPUT_EXPRESSION.findall(expression):
                assert name in inputs, name


def step_env(step: dict[str, Any], inputs: dict[str, str], base: dict[str, str]) -> dict[str, str]:
    values = {name: spec.get("default", "") for name, spec in load_action()["inputs"].items()}
    values.update(inputs)
    filled = {key: INPUT_EXPRESSION.sub(lambda m: values[m.group(1)], value)
              for key, value in step.get("env", {}).items()}
    return {**base, **filled}


def read_github_env(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return dict(line.split("=", 1) for line in lines if "=" in line)


class ActionRunner:
    """Runs the action's steps in bash, as a GitHub runner would."""

    def __init__(self, action_path: Path, temp: Path) -> None:
        self.temp = temp
        self.github_env = temp / "github_env"
        self.base = {
            "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
            "HOME": str(temp),
            "RUNNER_TEMP": str(temp),
            "GITHUB_ACTION_PATH": str(action_path),
            "GITHUB_ENV": str(self.github_env),
        }

    def run_step(self, name: str, cwd: Path, **inputs: str) -> subprocess.CompletedProcess[str]:
        step = next(s for s in load_action()["runs"]["steps"] if s["name"] == name)
        environment = step_env(step, inputs, {**self.base, **read_github_env(self.github_env)})
        done = subprocess.run(
            ["bash", "-c", step["run"]], cwd=cwd, env=environment, check=False,
            capture_output=True, text=True, timeout=TIMEOUT,
        )
        print(done.stdout, done.stderr, sep="\n")  # shown by pytest when an assertion fails
        return done


@pytest.fixture(scope="module")
def installed_action(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> ActionRunner:
    """The action's install step, run once on a snapshot of this source tree."""
    action_path = tmp_path_factory.mktemp("action")
    for name in source_files(env):
        target = action_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    runner = ActionRunner(action_path, tmp_path_factory.mktemp("runner-temp"))
    done = runner.run_step("Install loopguard", action_path, python=sys.executable)
    assert done.returncode == 0
    assert "LOOPGUARD_BIN" in read_github_env(runner.github_env)
    return runner


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A copy of the example service, as a checked-out repository."""
    return Path(shutil.copytree(SHOP, tmp_path / "shop", ignore=shutil.ignore_patterns(".loopguard_cache")))


def annotations(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith("::error file=")]


def test_the_action_annotates_and_fails_on_findings(installed_action: ActionRunner, shop: Path) -> None:
    done = installed_action.run_step("Run loopguard", shop)
    assert done.returncode == 1
    found = annotations(done.stdout)
    assert len(found) == SHOP_FINDINGS
    assert all(line.startswith("::error file=shop/api.py,line=") for line in found)


def test_the_action_writes_sarif_and_can_report_without_failing(
    installed_action: ActionRunner, shop: Path
) -> None:
    done = installed_action.run_step(
        "Run loopguard", shop, **{"sarif-file": "reports/loopguard.sarif", "exit-zero": "true"}
    )
    assert done.returncode == 0
    assert len(annotations(done.stdout)) == SHOP_FINDINGS
    sarif = json.loads((shop / "reports" / "loopguard.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    assert len(sarif["runs"][0]["results"]) == SHOP_FINDINGS


def test_the_action_passes_paths_and_args(installed_action: ActionRunner, shop: Path) -> None:
    done = installed_action.run_step("Run loopguard", shop, paths="shop/api.py", args="--select LG101")
    assert done.returncode == 1
    found = annotations(done.stdout)
    assert len(found) == 1 and "title=LG101" in found[0]


def test_the_action_fails_on_errors_even_with_exit_zero(installed_action: ActionRunner, shop: Path) -> None:
    done = installed_action.run_step("Run loopguard", shop, paths="missing.py", **{"exit-zero": "true"})
    assert done.returncode == 2
    assert "missing.py: no such file or directory" in done.stderr


def test_the_action_passes_a_clean_project(installed_action: ActionRunner, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.loopguard]\n")
    (tmp_path / "app.py").write_text(CLEAN)
    done = installed_action.run_step("Run loopguard", tmp_path)
    assert done.returncode == 0 and annotations(done.stdout) == []


# --- the whole-project pre-commit hook ------------------------------------------------------------

HELPER_ASYNC = "import httpx\n\nsession = httpx.AsyncClient()\n"
HELPER_BLOCKING = "import requests\n\nsession = requests.Session()\n"
VIEW = (  # not awaited: an awaited call is never taken for a sync API
    "from app.clients import session\n\n\nasync def handler():\n"
    "    return session.get('https://example.com')\n"
)


def run_hooks(repo: Path, hook_repo: tuple[Path, str], env: dict[str, str], *files: str) -> subprocess.CompletedProcess[str]:
    path, rev = hook_repo
    config = (
        f"repos:\n-   repo: {path.as_posix()}\n    rev: {rev}\n    hooks:\n"
        "    -   id: loopguard\n    -   id: loopguard-project\n"
    )
    (repo / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    git(repo, env, "add", ".pre-commit-config.yaml")
    return pre_commit(repo, env, "run", "--color", "never", "--files", *files)


def hook_lines(stdout: str) -> dict[str, str]:
    """pre-commit's status line of each hook: name -> Passed/Failed/Skipped."""
    status = {}
    for line in stdout.splitlines():
        match = re.match(r"^(loopguard(?: \(whole project\))?)\.+.*?(Passed|Failed|Skipped)", line)
        if match:
            status[match.group(1)] = match.group(2)
    return status


def test_the_project_hook_fails_for_the_coroutine_a_changed_helper_blocks(user_repo, hook_repo, env) -> None:
    repo = user_repo({"app/__init__.py": "", "app/clients.py": HELPER_ASYNC, "app/views.py": VIEW})
    git(repo, env, "commit", "--quiet", "--no-verify", "-m", "clean start")
    (repo / "app" / "clients.py").write_text(HELPER_BLOCKING, encoding="utf-8")
    git(repo, env, "add", "app/clients.py")

    done = run_hooks(repo, hook_repo, env, "app/clients.py")
    assert hook_lines(done.stdout) == {"loopguard": "Passed", "loopguard (whole project)": "Failed"}
    assert done.returncode == 1
    assert "app/views.py:5:12: LG201" in done.stdout


def test_the_project_hook_passes_a_clean_project_and_skips_other_files(user_repo, hook_repo, env) -> None:
    repo = user_repo({"app/__init__.py": "", "app/clients.py": HELPER_ASYNC, "app/views.py": VIEW,
                      "notes.md": "# notes\n"})
    done = run_hooks(repo, hook_repo, env, "app/views.py")
    assert hook_lines(done.stdout) == {"loopguard": "Passed", "loopguard (whole project)": "Passed"}
    done = run_hooks(repo, hook_repo, env, "notes.md")
    assert hook_lines(done.stdout) == {"loopguard": "Skipped", "loopguard (whole project)": "Skipped"}


def test_the_project_hook_runs_when_only_the_configuration_changes(user_repo, hook_repo, env) -> None:
    repo = user_repo({"app.py": BLOCKING, "pyproject.toml": '[tool.loopguard]\nignore = ["LG101"]\n'})
    git(repo, env, "commit", "--quiet", "--no-verify", "-m", "start")
    (repo / "pyproject.toml").write_text("[tool.loopguard]\n", encoding="utf-8")
    git(repo, env, "add", "pyproject.toml")
    done = run_hooks(repo, hook_repo, env, "pyproject.toml")
    assert hook_lines(done.stdout) == {"loopguard": "Skipped", "loopguard (whole project)": "Failed"}
    assert "app.py:5:5: LG101" in done.stdout
