"""LG021 unused-noqa (ruff's RUF100 model, opt-in): loopguard codes in a ``# noqa`` that silence
nothing, match no rule or repeat; never other tools' codes, a bare noqa, or codes not enabled."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from loopguard.cli import cli

HEAD = "import asyncio\nimport time\n\nimport requests\n\n\n"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["check", "--no-cache", "--output-format", "concise", *args],
                                catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def unused(out: str) -> list[str]:
    """``line:column message`` of each LG021 finding."""
    return [line.split(":", 1)[1].replace(" LG021 ", " ", 1) for line in out.splitlines() if " LG021 " in line]


def test_off_by_default(project) -> None:
    project({"app.py": HEAD + "async def f():\n    await asyncio.sleep(1)  # noqa: LG101\n"})
    assert run(".")[:2] == (0, "All checks passed! (1 file checked)\n")


def test_an_unused_code_is_reported_at_the_comment_with_the_comment_to_write(project) -> None:
    project({"app.py": HEAD + "async def f():\n    await asyncio.sleep(1)  # noqa: E501, LG101\n"})
    status, out, _ = run("--extend-select", "LG021", ".")
    assert status == 1
    assert unused(out) == [
        "8:29: `# noqa` code that silences nothing (unused: LG101); use `# noqa: E501`"
    ]
    assert out.splitlines()[-1] == "No blocking calls found. 1 noqa comment silences nothing."


def test_unknown_and_duplicated_codes(project) -> None:
    project({"app.py": HEAD + "async def f():\n    time.sleep(1)  # noqa: LG101, LG999, LG101\n"})
    _, out, _ = run("--extend-select", "LG021", ".")
    assert unused(out) == [
        "8:20: `# noqa` codes that silence nothing (unknown: LG999; duplicated: LG101); use `# noqa: LG101`"
    ]


@pytest.mark.parametrize(
    "comment",
    ["# noqa", "# noqa: E501", "# noqa: BLE001, E501", "# noqa: LG021", "# noqa: LG101, LG021", "# NOQA"],
)
def test_other_tools_codes_a_bare_noqa_and_lg021_itself_are_never_judged(project, comment: str) -> None:
    project({"app.py": HEAD + f"async def f():\n    await asyncio.sleep(1)  {comment}\n"})
    assert run("--extend-select", "LG021", ".")[0] == 0


@pytest.mark.parametrize(
    ("flags", "config"),
    [
        (("--select", "LG2,LG021"), ""),
        (("--extend-select", "LG021", "--ignore", "LG1"), ""),
        (("--extend-select", "LG021"), '[tool.loopguard]\nper-file-ignores = { "app.py" = ["LG101"] }\n'),
        (("--extend-select", "LG021"), '[tool.loopguard]\nignore = ["LG10"]\n'),
    ],
)
def test_a_code_not_enabled_for_the_file_is_not_unused(project, flags: tuple[str, ...], config: str) -> None:
    """The run could not have found what it silences (ruff would say "non-enabled"; see docs)."""
    files = {"app.py": HEAD + "async def f():\n    await asyncio.sleep(1)  # noqa: LG101\n"}
    if config:
        files["pyproject.toml"] = config
    project(files)
    status, out, _ = run(*flags, ".")
    assert unused(out) == []
    assert status == 0


def test_an_opt_in_code_not_selected_is_not_judged(project) -> None:
    project({"app.py": HEAD + "async def f():\n    await asyncio.sleep(1)  # noqa: LG901, LG011\n"})
    assert unused(run("--extend-select", "LG021", ".")[1]) == []
    _, out, _ = run("--extend-select", "LG021,LG901", ".")
    assert unused(out) == ["8:29: `# noqa` code that silences nothing (unused: LG901); use `# noqa: LG011`"]


def test_used_by_a_transitive_finding_and_after_a_multi_line_string(project) -> None:
    source = HEAD + (
        "def helper():\n    requests.get('https://example.com')\n\n\n"
        "async def f():\n"
        "    helper()  # noqa: LG201\n"
        '    requests.post("u", data="""\n    text\n    """)  # noqa: LG201\n'
        "    time.sleep(1)  # noqa: LG1\n"
    )
    project({"app.py": source})
    assert run("--extend-select", "LG021", ".")[:2] == (0, "All checks passed! (1 file checked)\n")


def test_a_file_without_any_blocking_call_is_judged_too(project) -> None:
    project({"clean.py": "def f():\n    return 1  # noqa: LG601\n"})
    _, out, _ = run("--extend-select", "LG021", ".")
    assert unused(out) == ["2:15: `# noqa` code that silences nothing (unused: LG601): remove the noqa comment"]


def test_a_noqa_inside_a_string_is_no_comment(project) -> None:
    project({"app.py": 'X = "# noqa: LG101"\n'})
    assert run("--extend-select", "LG021", ".")[0] == 0


def test_json_output_and_the_rules_listing(project) -> None:
    project({"app.py": HEAD + "async def f():\n    await asyncio.sleep(1)  # noqa: LG101\n"})
    result = CliRunner().invoke(cli, ["check", "--no-cache", "--extend-select", "LG021", "--output-format", "json"])
    [finding] = json.loads(result.stdout)
    assert (finding["code"], finding["name"], finding["line"], finding["column"]) == ("LG021", "unused-noqa", 8, 29)
    assert finding["end_column"] == 29 + len("# noqa: LG101")
    listing = CliRunner().invoke(cli, ["rules"]).stdout
    assert "LG021  unused-noqa" in listing
    assert "(opt-in)" in next(line for line in listing.splitlines() if "LG021" in line)


def test_after_add_noqa_no_comment_is_unused(project) -> None:
    root = project({"app.py": HEAD + "async def f():\n    time.sleep(1)\n    requests.get('u')  # noqa: E501\n"})
    assert run("--add-noqa", ".")[0] == 0
    assert run("--extend-select", "LG021", ".")[:2] == (0, "All checks passed! (1 file checked)\n")
    assert "# noqa: E501, LG201" in (root / "app.py").read_text(encoding="utf-8")


def test_the_cache_gives_the_same_answer(project, tmp_path) -> None:
    project({"app.py": HEAD + "async def f():\n    time.sleep(1)  # noqa: LG101\n    time.sleep(1)  # noqa: LG201\n"})
    command = ["check", "--cache-dir", str(tmp_path / "cache"), "--extend-select", "LG021",
               "--output-format", "concise", "."]
    cold = CliRunner().invoke(cli, command).stdout
    warm = CliRunner().invoke(cli, command).stdout
    assert cold == warm
    assert unused(cold) == ["9:20: `# noqa` code that silences nothing (unused: LG201): remove the noqa comment"]
    assert " LG101 " in cold  # the line whose noqa names another code is still reported
