"""The process that ends with its run ends without freeing what the run built (``lifetime.py``)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from loopguard import lifetime
from loopguard.cli import cli

SLEEP = "import time\n\n\nasync def poll():\n    time.sleep(1)\n"


@pytest.fixture(autouse=True)
def as_the_tests_run() -> Iterator[None]:
    """Every test here leaves the module as the tests find it: nothing kept, nothing ending."""
    lifetime.goes_on()
    yield
    lifetime.goes_on()


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    """``code`` in a fresh Python whose standard streams are buffered, as they are by default
    when they are pipes (``PYTHONUNBUFFERED`` would flush each write)."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], check=False, capture_output=True, text=True, timeout=120, env=env
    )


def test_nothing_is_kept_by_a_process_that_goes_on() -> None:
    lifetime.keep_until_exit(object())
    assert lifetime._KEPT == []


def test_a_process_that_ends_with_its_run_keeps_what_it_is_given() -> None:
    structures = [object(), object()]
    lifetime.ends_with_run()
    lifetime.keep_until_exit(*structures)
    assert lifetime._KEPT == structures
    lifetime.goes_on()  # the language server says so: what was kept is let go
    assert lifetime._KEPT == []


def test_hard_exit_flushes_the_buffered_output_and_keeps_the_status() -> None:
    # a pipe buffers stdout: without the flush, the text would be lost by os._exit
    done = run_python("""
        import sys
        from loopguard import lifetime
        print("report", end="")
        print("warning", end="", file=sys.stderr)
        lifetime.hard_exit(1)
    """)
    assert (done.returncode, done.stdout, done.stderr) == (1, "report", "warning")


def test_a_flush_that_fails_is_status_120_as_at_pythons_own_exit() -> None:
    done = run_python("""
        import os
        from loopguard import lifetime
        print("report")
        os.close(1)  # the flush fails: EBADF
        lifetime.hard_exit(0)
    """)
    assert done.returncode == 120
    findings = run_python("""
        import os
        from loopguard import lifetime
        print("report")
        os.close(1)
        lifetime.hard_exit(1)  # a failed flush does not hide the findings' status
    """)
    assert findings.returncode == 1


def test_the_command_reports_in_full_and_exits_with_its_status(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(SLEEP)
    env = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    for command in ([sys.executable, "-m", "loopguard"], [sys.executable, "-c", "from loopguard.cli import run; run()"]):
        done = subprocess.run(
            [*command, "check", "--no-cache", "--output-format", "json", "app.py"],
            cwd=tmp_path, check=False, capture_output=True, text=True, timeout=120, env=env,
        )
        assert done.returncode == 1, done.stderr
        assert done.stdout.rstrip().endswith("]") and '"code": "LG' in done.stdout


def test_the_language_server_keeps_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    import loopguard.server

    seen = []

    def serve() -> int:
        lifetime.keep_until_exit(object())  # as a check made by the server would
        seen.append(list(lifetime._KEPT))
        return 0

    monkeypatch.setattr(loopguard.server, "main", serve)
    lifetime.ends_with_run()  # as ``cli.run`` says before any command
    result = CliRunner().invoke(cli, ["server", "--stdio"])
    assert result.exit_code == 0, result.output
    assert seen == [[]]
