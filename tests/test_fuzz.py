"""Bounded property fuzzing (issue 14, item 5): the properties of scripts/fuzz.py on a fixed sample.

Hypothesis is derandomized, so CI (the whole suite) checks the same programs on every run; this
file run alone may draw other programs, because what hypothesmith's grammar strategy draws also
depends on the interpreter's state (which modules the collected tests imported). scripts/fuzz.py
is the longer, seeded campaign over the same properties (docs/robustness.md).
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import FIXTURES
from hypothesis import HealthCheck, Phase, given, settings

from loopguard.config import Config, load_config

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import fuzz  # scripts/ is not a package: imported from its folder

FIXTURE_FILES = sorted(FIXTURES.glob("*.py"))
RAW_EXAMPLES = 25
INJECTED_EXAMPLES = 30


def bounded(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        # no shrinking: it can take minutes on these programs; the failing program is printed as
        # generated, and scripts/fuzz.py saves them for reduction
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
        ],
    )


# hypothesmith compiles what it generates: SyntaxWarnings of generated code are not ours
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning", "ignore::DeprecationWarning")


def test_generated_programs_hold_every_property(tmp_path: Path) -> None:
    checker = fuzz.Checker(tmp_path)
    seen = Counter[str]()

    @bounded(RAW_EXAMPLES)
    @given(fuzz.raw_programs())
    def check(source: str) -> None:
        seen["examples"] += 1
        assert fuzz.failures(fuzz.Subject(source, checker), fuzz.PROPERTIES) == {}

    check()
    assert seen["examples"] == RAW_EXAMPLES


def test_programs_with_a_blocking_coroutine_hold_every_property(tmp_path: Path) -> None:
    """Every program here has a finding, so the properties above are not vacuously true."""
    checker = fuzz.Checker(tmp_path)
    seen = Counter[str]()

    @bounded(INJECTED_EXAMPLES)
    @given(fuzz.injected_programs())
    def check(source: str) -> None:
        subject = fuzz.Subject(source, checker)
        seen["examples"] += 1
        seen["with findings"] += bool(subject.findings)
        assert fuzz.failures(subject, fuzz.INJECTED_PROPERTIES) == {}

    check()
    assert seen["examples"] == INJECTED_EXAMPLES
    assert seen["with findings"] == INJECTED_EXAMPLES


# programs the campaign found failing, kept so that the bounded run checks them every time
KNOWN_PROGRAMS = {
    "form-feed-before-a-one-line-coroutine": "\x0cimport time\nasync def e():time.sleep(1)\n",
    "two-splitlines-breaks-in-a-comment": (
        "#\x1d\x0c\nimport time\n\n\nasync def f():\n    time.sleep(1)\n"
    ),
    "record-separators-in-comments": (
        "A\n#\x1e\nimport time\n\n\nasync def lg_fuzz_coroutine():\n"
        "    time.sleep(1)\n    A\n    #\x1e\n"
    ),
}


@pytest.mark.parametrize("source", KNOWN_PROGRAMS.values(), ids=KNOWN_PROGRAMS.keys())
def test_known_program_holds_every_property(source: str, tmp_path: Path) -> None:
    assert (
        fuzz.failures(fuzz.Subject(source, fuzz.Checker(tmp_path)), fuzz.INJECTED_PROPERTIES) == {}
    )


def fixture_checker(fixture: Path, directory: Path) -> fuzz.Checker:
    """The fixture written as itself into ``directory``, its sibling ``.toml`` as configuration."""
    settings_file = fixture.with_suffix(".toml")
    config = load_config(settings_file, FIXTURES) if settings_file.exists() else Config()
    return fuzz.Checker(directory, replace(config, root=directory.resolve()), name=fixture.name)


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: p.name)
def test_fixture_holds_every_property(fixture: Path, tmp_path: Path) -> None:
    subject = fuzz.Subject(fixture.read_text(encoding="utf-8"), fixture_checker(fixture, tmp_path))
    assert subject.findings, "a fixture without findings would make the properties vacuous"
    assert fuzz.failures(subject, fuzz.PROPERTIES) == {}


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: p.name)
def test_fixture_without_async_still_compiles(fixture: Path) -> None:
    """Otherwise the strip-async property would skip it and prove nothing."""
    assert fuzz.strip_async(fixture.read_text(encoding="utf-8")) is not None


# --- the transformations the properties rely on ---------------------------------------------------


def test_strip_async_removes_the_keywords_and_keeps_the_lines() -> None:
    source = (
        "import asyncio\n\nasync def f(x):\n    async with x as y:\n        await y\n"
        "    return [z async for z in await(x)]\n"
    )
    assert fuzz.strip_async(source) == (
        "import asyncio\n\ndef f(x):\n    with x as y:\n        y\n    return [z for z in (x)]\n"
    )


def test_strip_async_leaves_strings_and_comments_alone() -> None:
    source = "s = 'await async'  # async await\n"
    assert fuzz.strip_async(source) == source


def test_line_endings_are_python_line_breaks_only() -> None:
    source = "a = 1\r\nb = 2\rc = '\f\x1d\u2028'\n"
    assert fuzz.with_line_endings(source, "\r\n") == "a = 1\r\nb = 2\r\nc = '\f\x1d\u2028'\r\n"


def test_injected_position_counts_python_lines_and_characters() -> None:
    program = "import time\r\n# \f\x1d é\rasync def f():\n\f  time.sleep(1)\n"
    assert fuzz.injected_position(program) == (4, 4)


def test_injection_into_a_generated_function_keeps_its_whitespace() -> None:
    indented = fuzz.inject_into_function("def A():\n\x0c \tpass\n")
    assert indented == "import time\nasync def A():\n\x0c \ttime.sleep(1)\n\x0c \tpass\n"
    assert (
        fuzz.inject_into_function("def A(): pass\n")
        == "import time\nasync def A(): time.sleep(1); pass\n"
    )


def test_injection_into_the_template_runs_the_generated_code_in_the_coroutine() -> None:
    program = fuzz.inject_into_template("if A:\n  B()\n")
    assert program == (
        "if A:\n  B()\n\nimport time\n\n\nasync def lg_fuzz_coroutine():\n    time.sleep(1)\n"
        "    if A:\n      B()\n"
    )


def test_injection_skips_programs_that_could_shadow_time() -> None:
    assert fuzz.inject_into_template("time = 1\n") is None
    assert fuzz.inject_into_function("def A(time):\n    pass\n") is None
