"""The language server's analysis without the protocol: a buffer checked against the project kept
in memory gives what ``loopguard check --stdin-filename`` gives, and stays right as files change."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from test_server import HELPERS, VIEWS, write_project

from loopguard.discovery.projects import ProjectFinder
from loopguard.server.warm import BufferCheck, WarmProject


def warm_project(root: Path, path: Path) -> WarmProject:
    return WarmProject(ProjectFinder(root, None, lambda config: config).project_for(path))


def summary(result: BufferCheck) -> list[tuple[str, int, int, list[int]]]:
    return [(f.code, f.line, f.column, [h.line for h in f.chain]) for f in result.findings]


def cli_findings(root: Path, path: Path, text: str) -> list[tuple[str, int, int, list[int]]]:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "loopguard",
            "check",
            "--output-format",
            "json",
            "--quiet",
            "--no-cache",
            "--stdin-filename",
            str(path),
            "-",
        ],
        check=False,
        input=text,
        capture_output=True,
        text=True,
        cwd=root,
        timeout=60,
    )
    return [
        (f["code"], f["line"], f["column"], [h["line"] for h in f["chain"]])
        for f in json.loads(done.stdout)
    ]


def test_the_buffer_is_checked_like_the_cli_checks_standard_input(tmp_path: Path) -> None:
    write_project(tmp_path)
    views = tmp_path / "app" / "views.py"
    warm = warm_project(tmp_path, views)
    first = warm.check(views, VIEWS.encode())
    again = warm.check(views, VIEWS.encode() + b"\n")  # from the summaries kept in memory
    expected = cli_findings(tmp_path, views, VIEWS)
    assert expected == [("LG101", 7, 5, []), ("LG201", 8, 12, [8, 5])]
    assert summary(first) == expected and summary(again) == expected
    assert str(tmp_path / "app" / "helpers.py") in first.depends_on


def test_edits_that_move_coroutines_are_confirmed_again(tmp_path: Path) -> None:
    """The per-coroutine memory: a line added above moves every coroutine; a new blocking call in
    one of them is found; the same text checked cold gives the same findings."""
    write_project(tmp_path)
    views = tmp_path / "app" / "views.py"
    two = VIEWS + "\n\nasync def other():\n    return fetch()\n"
    warm = warm_project(tmp_path, views)
    assert [f.line for f in warm.check(views, two.encode()).findings] == [7, 8, 14]
    moved = "import os\n" + two.replace(
        "    return fetch()\n", "    time.sleep(2)\n    return fetch()\n"
    )
    after = warm.check(views, moved.encode())
    assert summary(after) == cli_findings(tmp_path, views, moved)
    assert [(f.code, f.line) for f in after.findings] == [
        ("LG101", 8),
        ("LG201", 9),
        ("LG101", 15),
        ("LG201", 16),
    ]


def test_a_helper_changed_on_disk_is_read_again(tmp_path: Path) -> None:
    write_project(tmp_path)
    views, helpers = tmp_path / "app" / "views.py", tmp_path / "app" / "helpers.py"
    harmless = HELPERS.replace('requests.get("https://example.com")', "None")
    helpers.write_text(harmless)
    warm = warm_project(tmp_path, views)
    assert [f.code for f in warm.check(views, VIEWS.encode()).findings] == ["LG101"]
    helpers.write_text(HELPERS)
    stamp = helpers.stat()
    os.utime(helpers, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000_000))  # a later save
    assert [f.code for f in warm.check(views, VIEWS.encode()).findings] == ["LG101", "LG201"]


def test_an_open_buffer_is_read_instead_of_its_file(tmp_path: Path) -> None:
    write_project(tmp_path)
    views, helpers = tmp_path / "app" / "views.py", tmp_path / "app" / "helpers.py"
    warm = warm_project(tmp_path, views)
    harmless = HELPERS.replace('requests.get("https://example.com")', "None")
    checked = warm.check(views, VIEWS.encode(), {str(helpers): harmless.encode()})
    assert [f.code for f in checked.findings] == ["LG101"]
    assert [f.code for f in warm.check(views, VIEWS.encode()).findings] == [
        "LG101",
        "LG201",
    ]  # closed again


def test_an_excluded_file_is_recognised(tmp_path: Path) -> None:
    write_project(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.loopguard]\nexclude = ["app/generated/**"]\n')
    generated = tmp_path / "app" / "generated" / "views.py"
    warm = warm_project(tmp_path, generated)
    assert warm.excludes(generated)
    assert not warm.excludes(tmp_path / "app" / "views.py")


CLIENT_VIEWS = """\
import time

from app.helpers import run


class Slow:
    def get(self):
        time.sleep(1)


class Fast:
    def get(self):
        return 1


client = {client}()


async def handler():
    run()
"""

CLIENT_HELPERS = """\
from app.views import client


def run():
    return client.get()
"""


def test_the_kept_project_forgets_what_it_knew_of_the_buffer(tmp_path: Path) -> None:
    """Between two versions of a buffer the project is kept (``WarmProject.project_of``), less the
    answers that read the buffer's module: ``client.get()`` in the helper is resolved through the
    buffer's ``client``, which each version changes."""
    write_project(tmp_path)
    (tmp_path / "app" / "helpers.py").write_text(CLIENT_HELPERS)
    views = tmp_path / "app" / "views.py"
    warm = warm_project(tmp_path, views)
    seen = []
    for name in ("Slow", "Fast", "Slow", "Fast"):
        text = CLIENT_VIEWS.format(client=name).encode()
        kept = warm.check(views, text)
        fresh = warm_project(tmp_path, views).check(views, text)
        assert summary(kept) == summary(fresh)
        assert warm.last_project is not None
        seen.append((name, [f.code for f in kept.findings], id(warm.last_project[2])))
    assert [codes for _, codes, _ in seen] == [["LG101"], [], ["LG101"], []]
    assert len({project for _, _, project in seen}) == 1  # one project, kept throughout
