"""The pre-commit hook (`.pre-commit-hooks.yaml`), run by the real pre-commit.

pre-commit installs the hook from a git repository at a commit, so the test snapshots this source
tree (tracked files plus untracked, not-ignored ones, e.g. a hook manifest not yet committed) into a
temporary git repository and commits it there. That works the same on a developer's working tree
with uncommitted changes and on a fresh CI clone. (`pre-commit try-repo` on a dirty checkout would
add the modified tracked files but not untracked ones.)

Installing the hook's virtualenv is the slow part (a pip install of loopguard, libcst and click,
about ten seconds). `try-repo` always builds it in a private, throw-away store, so only the first
test uses `try-repo`; the other tests run `pre-commit run` with the configuration `try-repo` prints
(`repo:` + `rev:`, as users write it) against a PRE_COMMIT_HOME shared by this module, which builds
the environment once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install -e '.[test]')")
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 900  # seconds; a hook environment install downloads wheels when the pip cache is cold
GIT_IDENTITY = ("-c", "user.name=loopguard tests", "-c", "user.email=tests@loopguard.invalid")

BLOCKING = "import time\n\n\nasync def handler():\n    time.sleep(1)\n"
CLEAN = "import asyncio\n\n\nasync def handler():\n    await asyncio.sleep(1)\n"


def clean_env(pre_commit_home: Path) -> dict[str, str]:
    """The environment for git and pre-commit, isolated from whatever runs the tests.

    GIT_* variables (set when the suite itself runs inside a git hook) would point git at another
    repository, and SKIP=loopguard would make pre-commit skip the hook under test.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GIT_", "PRE_COMMIT")) and key != "SKIP"
    }
    env.update(
        PRE_COMMIT_HOME=str(pre_commit_home),
        PRE_COMMIT_COLOR="never",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_TERMINAL_PROMPT="0",
    )
    return env


def git(cwd: Path, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        ["git", *GIT_IDENTITY, "-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null", *args],
        cwd=cwd, env=env, check=False, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, f"git {' '.join(args)} failed:\n{done.stdout}{done.stderr}"
    return done.stdout


def source_files(env: dict[str, str]) -> list[str]:
    """The files a commit of this tree would hold: tracked and untracked-but-not-ignored."""
    if (ROOT / ".git").exists():
        done = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=ROOT, env=env, check=False, capture_output=True, text=True, timeout=120,
        )
        if done.returncode == 0:
            return [name for name in done.stdout.split("\0") if name and (ROOT / name).is_file()]
    # not a git checkout (an unpacked sdist, or git refuses the directory): what the build needs
    names = ["pyproject.toml", "README.md", ".pre-commit-hooks.yaml"]
    names += [p.relative_to(ROOT).as_posix() for p in (ROOT / "src").rglob("*")
              if p.is_file() and "__pycache__" not in p.parts and ".egg-info" not in str(p)]
    return [name for name in names if (ROOT / name).is_file()]


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="module")
def env(pre_commit_home: Path) -> dict[str, str]:
    return clean_env(pre_commit_home)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> tuple[Path, str]:
    """A committed snapshot of this source tree: (repository path, commit sha)."""
    snapshot = tmp_path_factory.mktemp("loopguard-hook-repo")
    for name in source_files(env):
        target = snapshot / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    assert (snapshot / ".pre-commit-hooks.yaml").is_file(), "the hook manifest is missing"
    git(snapshot, env, "init", "--quiet")
    git(snapshot, env, "add", "--all")
    git(snapshot, env, "commit", "--quiet", "--no-verify", "--message", "snapshot for the pre-commit test")
    return snapshot, git(snapshot, env, "rev-parse", "HEAD").strip()


@pytest.fixture
def user_repo(tmp_path: Path, env: dict[str, str]) -> Callable[[dict[str, str]], Path]:
    """A user's project: a git repository with the given files written and staged."""
    repo = tmp_path / "project"
    repo.mkdir()
    git(repo, env, "init", "--quiet")
    git(repo, env, "config", "user.name", "loopguard tests")
    git(repo, env, "config", "user.email", "tests@loopguard.invalid")

    def write(files: dict[str, str]) -> Path:
        # a [tool.loopguard] table anchors loopguard's configuration here, not in some parent directory
        files = {"pyproject.toml": "[tool.loopguard]\n", **files}
        for name, text in files.items():
            target = repo / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        git(repo, env, "add", "--all")
        return repo

    return write


def pre_commit(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=cwd, env=env, check=False, capture_output=True, text=True, timeout=TIMEOUT,
    )
    print(done.stdout, done.stderr, sep="\n")  # shown by pytest when an assertion fails
    return done


def run_hook(
    repo: Path, hook_repo: tuple[Path, str], env: dict[str, str], *files: str
) -> subprocess.CompletedProcess[str]:
    """`pre-commit run --files ...` with the configuration a user writes (repo + rev)."""
    path, rev = hook_repo
    config = f"repos:\n-   repo: {path.as_posix()}\n    rev: {rev}\n    hooks:\n    -   id: loopguard\n"
    (repo / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    git(repo, env, "add", ".pre-commit-config.yaml")
    return pre_commit(repo, env, "run", "--color", "never", "--files", *files)


def test_try_repo_fails_on_a_blocking_call(user_repo, hook_repo, env) -> None:
    repo = user_repo({"app/handlers.py": BLOCKING})
    done = pre_commit(repo, env, "try-repo", "--color", "never", str(hook_repo[0]), "loopguard",
                      "--files", "app/handlers.py")
    assert done.returncode == 1
    assert "loopguard" in done.stdout and "Failed" in done.stdout
    assert "- exit code: 1" in done.stdout
    assert "app/handlers.py:5:5: LG101 `time.sleep` blocks the event loop" in done.stdout


def test_clean_code_passes(user_repo, hook_repo, env) -> None:
    repo = user_repo({"app/handlers.py": CLEAN})
    done = run_hook(repo, hook_repo, env, "app/handlers.py")
    assert done.returncode == 0
    assert "Passed" in done.stdout
    assert "LG1" not in done.stdout


def test_configured_exclude_applies_to_files_pre_commit_names(user_repo, hook_repo, env) -> None:
    repo = user_repo({
        "pyproject.toml": '[tool.loopguard]\nexclude = ["migrations/**"]\n',
        "migrations/0001_backfill.py": BLOCKING,
        "app/handlers.py": BLOCKING,
    })
    done = run_hook(repo, hook_repo, env, "migrations/0001_backfill.py")
    assert done.returncode == 0, "an excluded file named by pre-commit must not be checked"
    assert "Passed" in done.stdout

    # the same content outside the excluded directory is reported, in the same run
    done = run_hook(repo, hook_repo, env, "migrations/0001_backfill.py", "app/handlers.py")
    assert done.returncode == 1
    assert "app/handlers.py:5:5: LG101" in done.stdout
    assert "migrations/" not in done.stdout
