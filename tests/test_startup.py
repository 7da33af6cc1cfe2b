"""``--version``, ``rules`` and ``explain CODE`` are answered before click is imported (cli.py), and
give exactly what the click commands give."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from loopguard.cli import cli

LOADED_AFTER = """
import sys
from loopguard.cli import main
sys.argv = ["loopguard", *sys.argv[1:]]
status = main()
sys.stdout.flush()
print("STATUS", status)
print("MODULES", " ".join(sorted(m for m in sys.modules if m.split(".")[0] in ("click", "loopguard"))))
"""

QUICK_COMMANDS = [("--version",), ("rules",), ("explain", "LG101"), ("explain", "lg504"), ("explain", "LG999")]


def run_main(*args: str) -> tuple[int, str, str, set[str]]:
    """Status, standard output, standard error and the modules loaded, of ``main()`` in a process."""
    done = subprocess.run(
        [sys.executable, "-c", LOADED_AFTER, *args], check=False, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    output, _, tail = done.stdout.rpartition("STATUS ")
    status, modules = tail.split("\n", 1)
    return int(status), output, done.stderr, set(modules.removeprefix("MODULES").split())


@pytest.mark.parametrize("args", QUICK_COMMANDS)
def test_the_quick_answers_are_the_commands_answers(args: tuple[str, ...]) -> None:
    status, out, err, _ = run_main(*args)
    expected = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert (status, out, err) == (expected.exit_code, expected.stdout, expected.stderr)


@pytest.mark.parametrize("args", QUICK_COMMANDS[:3])
def test_the_quick_answers_do_not_load_click(args: tuple[str, ...]) -> None:
    status, out, _, loaded = run_main(*args)
    assert status == 0 and out
    assert not {m for m in loaded if m.split(".")[0] == "click"}, loaded
    assert "loopguard.commands" not in loaded


def test_version_loads_nothing_but_the_entry_point() -> None:
    _, out, _, loaded = run_main("--version")
    assert out.startswith("loopguard, version ")
    assert loaded == {"loopguard", "loopguard.cli", "loopguard.console"}


@pytest.mark.parametrize(
    "args", [("rules", "--output-format", "json"), ("explain", "--help"), ("--version", "rules"), ("--help",)]
)
def test_every_other_command_line_goes_through_click(args: tuple[str, ...]) -> None:
    status, out, _, loaded = run_main(*args)
    expected = CliRunner().invoke(cli, list(args), catch_exceptions=False, prog_name="loopguard")
    assert "loopguard.commands" in loaded
    assert (status, out) == (expected.exit_code, expected.stdout)


def test_loopguard_cli_has_no_other_lazy_attribute() -> None:
    import loopguard.cli

    with pytest.raises(AttributeError):
        loopguard.cli.commands_group  # noqa: B018 - the attribute access is the test
