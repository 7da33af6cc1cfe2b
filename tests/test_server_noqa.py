"""The "Add `# noqa: CODE`" quick fix of the language server: where the comment goes, how it merges,
and where none is offered because a comment would break the code."""

from __future__ import annotations

import pytest

from loopguard.server.noqa_edit import LineEdit, add_noqa


def applied(source: str, edit: LineEdit | None) -> str:
    assert edit is not None
    lines = source.splitlines(keepends=True)
    line = lines[edit.line]
    lines[edit.line] = line[: edit.start] + edit.text + line[edit.end :]
    return "".join(lines)


@pytest.mark.parametrize(
    ("line", "code", "expected"),
    [
        ("    time.sleep(1)\n", "LG101", "    time.sleep(1)  # noqa: LG101\n"),
        (
            "    time.sleep(1)   \n",
            "LG101",
            "    time.sleep(1)  # noqa: LG101\n",
        ),  # trailing blanks go
        ("    time.sleep(1)  # noqa: LG2\n", "LG101", "    time.sleep(1)  # noqa: LG101, LG2\n"),
        (
            "    time.sleep(1)  # NOQA:LG2,LG3 why\n",
            "LG101",
            "    time.sleep(1)  # NOQA:LG101, LG2, LG3 why\n",
        ),
        ("    time.sleep(1)  # noqa: lg2\n", "LG101", "    time.sleep(1)  # noqa: LG101, lg2\n"),
        (
            "    time.sleep(1)  # slow on purpose\n",
            "LG101",
            "    time.sleep(1)  # slow on purpose  # noqa: LG101\n",
        ),
        (
            "    x = f('#')\n",
            "LG101",
            "    x = f('#')  # noqa: LG101\n",
        ),  # a '#' in a string is no comment
        (
            "    requests.get(\n",
            "LG201",
            "    requests.get(  # noqa: LG201\n",
        ),  # inside brackets: allowed
    ],
)
def test_the_comment_is_added_or_merged(line: str, code: str, expected: str) -> None:
    rest = "        'https://example.com')\n" if line.endswith("(\n") else ""  # close the brackets
    source = f"async def f():\n{line}{rest}"
    assert applied(source, add_noqa(source, 2, code)).splitlines(keepends=True)[1] == expected


@pytest.mark.parametrize(
    "source",
    [
        "async def f():\n    time.sleep(1)  # noqa\n",  # a bare noqa silences everything already
        "async def f():\n    time.sleep(1)  # noqa: LG1\n",  # so does a prefix of the code
        'async def f():\n    x = g("""\n    """)\n',  # the line ends inside a string
        "async def f():\n    x = time.sleep(1) + \\\n        2\n",  # a backslash continuation
        "async def f():\n",  # no such line
    ],
)
def test_no_edit_where_the_comment_would_break_the_code_or_is_there(source: str) -> None:
    assert add_noqa(source, 2, "LG101") is None
