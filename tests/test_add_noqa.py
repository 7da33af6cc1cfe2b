"""``--add-noqa``: a noqa comment for every finding, where Python allows one, merged into existing
comments, written atomically and faithfully; a second run finds nothing; running it again changes
nothing."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from loopguard import adoption
from loopguard.add_noqa import NoqaNotAdded, add_noqa_to_text, check_edit, merged_comment
from loopguard.atomic_source_write import write_source_atomically
from loopguard.cli import cli
from loopguard.models import Finding
from loopguard.noqa_lines import NoqaMap, tokenize_whole_file


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["check", "--no-cache", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def added(project, source: str) -> str:
    """The module after ``--add-noqa``; checked again, it has no findings."""
    root = project({"app.py": source})
    status, out, err = run("--add-noqa", "app.py")
    assert status == 0, (out, err)
    assert "loopguard: added" in err
    assert run("app.py")[:2] == (0, "All checks passed! (1 file checked)\n")
    return (root / "app.py").read_text(encoding="utf-8")


HEAD = "import subprocess\nimport time\n\nimport requests\n\n\nasync def poll(url):\n"


def test_a_plain_line_gets_a_comment_and_the_count_is_printed(project) -> None:
    root = project({"app.py": HEAD + "    time.sleep(1)\n    requests.get(url)\n"})
    status, out, err = run("--add-noqa", "app.py")
    assert (status, out) == (0, "All checks passed! (1 file checked)\n")
    assert err == "loopguard: added 2 noqa comments to 1 file\n"
    assert (root / "app.py").read_text(encoding="utf-8") == HEAD + (
        "    time.sleep(1)  # noqa: LG101\n    requests.get(url)  # noqa: LG201\n"
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("time.sleep(1)  # noqa: LG201", "time.sleep(1)  # noqa: LG201, LG101"),
        ("time.sleep(1)  # noqa: E501", "time.sleep(1)  # noqa: E501, LG101"),
        ("time.sleep(1)  # noqa:E501,BLE001", "time.sleep(1)  # noqa:E501,BLE001, LG101"),
        ("time.sleep(1)  # noqa: E501 - a long url", "time.sleep(1)  # noqa: E501, LG101 - a long url"),
        ("time.sleep(1)  # explain why", "time.sleep(1)  # explain why  # noqa: LG101"),
        ("time.sleep(1)  # type: ignore  # noqa: E501", "time.sleep(1)  # type: ignore  # noqa: E501, LG101"),
        ("time.sleep(1); requests.get(url)", "time.sleep(1); requests.get(url)  # noqa: LG101, LG201"),
    ],
)
def test_existing_comments_are_merged_not_replaced(project, line: str, expected: str) -> None:
    assert added(project, HEAD + f"    {line}\n") == HEAD + f"    {expected}\n"


def test_a_call_starting_in_a_multi_line_string_gets_the_comment_after_the_string(project) -> None:
    source = HEAD + '    requests.post(url, data="""\n    # noqa: not a comment\n    """)\n'
    assert added(project, source) == HEAD + '    requests.post(url, data="""\n    # noqa: not a comment\n    """)  # noqa: LG201\n'


def test_a_call_inside_an_f_string_over_several_lines(project) -> None:
    source = HEAD + '    print(f"""\n    {time.sleep(1)}\n    """)\n'
    assert added(project, source) == HEAD + '    print(f"""\n    {time.sleep(1)}\n    """)  # noqa: LG101\n'


def test_a_backslash_continued_line_gets_the_comment_where_the_statement_ends(project) -> None:
    source = HEAD + "    x = time.sleep(1) + \\\n        1\n"
    assert added(project, source) == HEAD + "    x = time.sleep(1) + \\\n        1  # noqa: LG101\n"


def test_a_call_over_several_lines_gets_the_comment_on_its_first_line(project) -> None:
    source = HEAD + "    subprocess.run(\n        ['true'],  # why\n    )\n"
    assert added(project, source) == HEAD + "    subprocess.run(  # noqa: LG601\n        ['true'],  # why\n    )\n"


def test_a_second_add_noqa_changes_nothing(project) -> None:
    root = project({"app.py": HEAD + "    time.sleep(1)\n"})
    run("--add-noqa", "app.py")
    once = (root / "app.py").read_bytes()
    status, _, err = run("--add-noqa", "app.py")
    assert (status, err) == (0, "loopguard: added 0 noqa comments to 0 files\n")
    assert (root / "app.py").read_bytes() == once


def test_bom_crlf_encoding_cookie_and_permissions_are_kept(project) -> None:
    bom = b"\xef\xbb\xbfimport time\r\n\r\n\r\nasync def f():\r\n    time.sleep(1)\r\n"
    latin = "# -*- coding: latin-1 -*-\nimport time\n\n\nasync def f():\n    time.sleep(1)  # café\n"
    root = project({})
    (root / "bom.py").write_bytes(bom)
    (root / "latin.py").write_bytes(latin.encode("latin-1"))
    os.chmod(root / "bom.py", 0o640)
    status, _, err = run("--add-noqa", ".")
    assert status == 0, err
    assert (root / "bom.py").read_bytes() == bom.replace(b"sleep(1)\r\n", b"sleep(1)  # noqa: LG101\r\n")
    assert (root / "latin.py").read_bytes() == latin.replace("café", "café  # noqa: LG101").encode("latin-1")
    assert stat.S_IMODE(os.stat(root / "bom.py").st_mode) == 0o640
    assert sorted(p.name for p in root.iterdir()) == ["bom.py", "latin.py"]  # no temporary file left


def test_a_symlink_stays_a_link_to_the_edited_file(project) -> None:
    root = project({"real/app.py": HEAD + "    time.sleep(1)\n"})
    (root / "app.py").symlink_to(root / "real" / "app.py")
    assert run("--add-noqa", "app.py")[0] == 0
    assert (root / "app.py").is_symlink()
    assert "# noqa: LG101" in (root / "real" / "app.py").read_text(encoding="utf-8")


def test_the_files_own_noqa_lines_are_where_the_suppression_reads_them() -> None:
    text = 'x = f("""\na\n""") + \\\n  g()\ny = 1\n'
    assert [NoqaMap(text).comment_line(line) for line in range(1, 6)] == [4, 4, 4, 4, 5]
    assert [tokenize_whole_file(text).comment_line(line) for line in range(1, 6)] == [4, 4, 4, 4, 5]


def finding(line: int, code: str = "LG101") -> Finding:
    return Finding("app.py", line, 5, line, 10, code, "name", "message")


def test_an_edit_that_would_change_the_code_is_refused() -> None:
    """The last guard: a "comment" that lands inside a string changes a constant, so no edit."""
    original = 's = """\nabc\n"""\n'
    with pytest.raises(NoqaNotAdded, match="would change the code"):
        check_edit(original, original.replace("abc", "abc  # noqa: LG101"), [])
    with pytest.raises(NoqaNotAdded, match="past the end of the file"):
        add_noqa_to_text("import time\n", [finding(7)])


def test_file_errors_and_unused_noqa_findings_get_no_comment() -> None:
    text = "import time\n"
    edit = add_noqa_to_text(text, [finding(1, "LG001"), finding(1, "LG021")])
    assert (edit.text, edit.comments) == (text, 0)


def test_merging_keeps_what_follows_the_codes() -> None:
    assert merged_comment("# noqa: E501 because", ["LG101"]) == "# noqa: E501, LG101 because"
    assert merged_comment("# pragma: no cover", ["LG101", "LG201"]) == "# pragma: no cover  # noqa: LG101, LG201"


def test_add_noqa_refuses_standard_input(project) -> None:
    project({"app.py": HEAD + "    time.sleep(1)\n"})
    result = CliRunner().invoke(cli, ["check", "--add-noqa", "--stdin-filename", "app.py", "-"], input="x = 1\n")
    assert result.exit_code == 2
    assert "--add-noqa cannot write comments into standard input" in result.stderr


def test_add_noqa_with_write_baseline_is_an_error(project) -> None:
    project({"app.py": HEAD + "    time.sleep(1)\n"})
    status, _, err = run("--add-noqa", "--write-baseline", "b.json", ".")
    assert status == 2
    assert "cannot be used together" in err


def test_with_a_baseline_only_new_findings_get_a_comment(project) -> None:
    root = project({"app.py": HEAD + "    time.sleep(1)\n"})
    run("--write-baseline", "b.json", ".")
    (root / "app.py").write_text(HEAD + "    time.sleep(1)\n    requests.get(url)\n", encoding="utf-8")
    assert run("--baseline", "b.json", "--add-noqa", ".")[0] == 0
    assert (root / "app.py").read_text(encoding="utf-8").endswith(
        "    time.sleep(1)\n    requests.get(url)  # noqa: LG201\n"
    )


def test_a_file_that_cannot_be_written_is_named_and_exit_2(project, monkeypatch) -> None:
    project({"app.py": HEAD + "    time.sleep(1)\n", "other.py": HEAD + "    time.sleep(2)\n"})

    def refuse(source, text) -> None:
        if source.path.name == "app.py":
            raise PermissionError(13, "Permission denied")
        write_source_atomically(source, text)

    monkeypatch.setattr(adoption, "write_source_atomically", refuse)
    status, out, err = run("--add-noqa", "--output-format", "concise", ".")
    assert status == 2
    assert "loopguard: error: app.py: no noqa comments added: Permission denied" in err
    assert "added 1 noqa comment to 1 file" in err
    assert out.startswith("app.py:8:5: LG101")  # still reported: it has no comment
    assert "other.py" not in out


def test_add_noqa_in_a_real_subprocess_then_nothing_is_found(project) -> None:
    root = project({"app.py": HEAD + '    requests.post(url, data="""\n    x\n    """)\n    time.sleep(1)\n'})
    command = [sys.executable, "-m", "loopguard", "check", "--no-cache"]
    done = subprocess.run([*command, "--add-noqa", "."], cwd=root, capture_output=True, text=True, check=False,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "loopguard: added 2 noqa comments to 1 file\n"
    again = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False, timeout=120)
    assert (again.returncode, again.stdout) == (0, "All checks passed! (1 file checked)\n")


TRICKY = (
    'x = f("""\na\n""") + \\\n  g()  # noqa: LG1\ny = 1\n'
    "def f():\n    '''Doc # noqa: LG101\n    '''\n    return [\n        1,  # noqa: E501\n    ]\n"
    's = "a \\" # noqa"  # real\n'
)


@pytest.mark.parametrize("name", ["tricky", *sorted(p.name for p in FIXTURES.glob("*.py"))])
def test_reading_from_a_line_agrees_with_tokenizing_the_whole_file(name: str) -> None:
    """The fast answer (tokenize from the asked line) is the whole file's answer on every line."""
    text = TRICKY if name == "tricky" else (FIXTURES / name).read_text(encoding="utf-8")
    whole = tokenize_whole_file(text)
    lines = text.count("\n") + 1
    fast = NoqaMap(text)
    for line in range(1, lines + 1):
        target = whole.comment_line(line)
        assert fast.answer(line) == (target, whole.comments.get(target)), line
    mentions = [c.line for c in whole.comments.values() if "noqa" in c.text.lower()]
    assert [c.line for c in NoqaMap(text).noqa_comments()] == mentions
