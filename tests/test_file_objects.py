"""File objects (LG504): a helper two modules below the coroutine, and one finding per file a
coroutine opens (the methods of a file whose opening is reported in the same coroutine are that
finding, unless the opening is not reported)."""

from __future__ import annotations

from dataclasses import replace

from conftest import FIXTURES, findings_of, project_findings, project_markers

from loopguard.config import Config

APP = FIXTURES / "files_objects_app"
SINGLE = FIXTURES / "files_objects.py"


def app_findings():
    return project_findings(APP, "ingest")


def test_every_marker_of_the_project_and_nothing_else() -> None:
    assert sorted((f.path, f.line, f.code) for f in app_findings()) == project_markers(APP)


def test_a_file_object_read_two_modules_down_is_reported_at_the_coroutine() -> None:
    [finding] = [f for f in app_findings() if f.line == 9]
    assert (finding.code, finding.name) == ("LG504", "file-object-io")
    assert [(h.path, h.line, h.call) for h in finding.chain] == [
        ("ingest/handlers.py", 9, "columns()"),
        ("ingest/parsing.py", 7, "header_of()"),
        ("ingest/readers.py", 7, "typing.TextIO.readline"),
    ]


def codes_by_line(config: Config) -> dict[int, list[str]]:
    lines: dict[int, list[str]] = {}
    for finding in findings_of(SINGLE, config=config, cwd=FIXTURES):
        lines.setdefault(finding.line, []).append(finding.code)
    return lines


def line_of(text: str) -> int:
    return next(n for n, line in enumerate(SINGLE.read_text().splitlines(), 1) if text in line)


def test_the_reads_of_a_file_are_reported_when_its_opening_is_not() -> None:
    """With the openers ignored, the same coroutine's reads, writes and iteration come out."""
    default = codes_by_line(Config(root=FIXTURES))
    quiet = codes_by_line(Config(root=FIXTURES, ignore=("LG501", "LG502", "LG503")))
    reads = ["header = f.readline()", "body = f.read()", "for line in open(path):",
             "out.write(body.encode())", "raw.seek(0)"]
    for text in reads:
        line = line_of(text)
        assert "LG504" not in default.get(line, []), text
        assert quiet.get(line) == ["LG504"], text


def test_only_an_opening_on_or_before_the_line_covers_it() -> None:
    line = line_of('log.write("starting\\n")')
    assert codes_by_line(Config(root=FIXTURES))[line] == ["LG504"]


def test_a_noqa_on_the_open_covers_its_reads(project) -> None:
    root = project({"app.py": (
        "async def load(path):\n"
        "    with open(path) as f:  # noqa: LG501\n"
        "        return f.read()\n"
    )})
    assert findings_of(root / "app.py", cwd=root) == []


def test_the_suggestion_names_the_library_the_file_uses(project) -> None:
    root = project({"app.py": (
        "from typing import BinaryIO\n\nimport trio\n\n\n"
        "async def upload(fh: BinaryIO):\n"
        "    await trio.sleep(0)\n"
        "    return fh.read()\n"
    )})
    [finding] = findings_of(root / "app.py", cwd=root)
    assert finding.code == "LG504" and finding.message.startswith("`typing.BinaryIO.read`")
    assert "trio.wrap_file(f)" in finding.suggestion


def test_ignoring_the_code_keeps_the_openings() -> None:
    default = findings_of(SINGLE, cwd=FIXTURES)
    config = replace(Config(root=FIXTURES), ignore=("LG504",))
    without = findings_of(SINGLE, config=config, cwd=FIXTURES)
    assert {f.code for f in without} == {"LG501", "LG502", "LG503"}
    assert len(without) == len([f for f in default if f.code != "LG504"])


def test_stdout_streams_are_not_file_objects(project) -> None:
    """``sys.stdout.write`` is never reported (the catalogue's files domain): it is untyped."""
    root = project({"app.py": (
        "import sys\n\n\n"
        "async def say(text):\n"
        "    sys.stdout.write(text)\n"
        "    sys.stderr.flush()\n"
        "    print(text, file=sys.stderr)\n"
    )})
    assert findings_of(root / "app.py", cwd=root) == []


def test_a_helper_that_opens_and_reads_in_one_expression_blocks_at_the_open(project) -> None:
    """In ``open(p).read()`` the open runs first: the helper's blocking call is the open (LG501)."""
    root = project({"app.py": (
        "def load(path):\n"
        "    return open(path).read()\n\n\n"
        "async def main():\n"
        "    return load('settings.json')\n"
    )})
    [finding] = findings_of(root / "app.py", cwd=root)
    assert (finding.code, finding.chain[-1].call) == ("LG501", "open")
