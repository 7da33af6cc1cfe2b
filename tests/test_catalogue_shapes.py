"""Adding an API of any shape is catalogue data only: proved the way a contributor would do it.

For each shape (a plain function, a method on a factory's product, a reader that takes a file
argument, a loop scheduler, an offloading decorator) the test copies loopguard's source, adds
the entries of that shape to a catalogue module of the copy — nothing else — and checks a
snippet with the copy: the finding appears with the entry and not without it (for the decorator,
the other way round). It is the seam a contributor uses, so a table hard-coded in the analysis
instead of derived from the catalogue makes it fail (``msgpack.unpack`` was once silent until
``index.py`` was edited too).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from loopguard import catalogue
from loopguard.analysis.match import Matcher

SOURCE = Path(__file__).resolve().parents[1] / "src" / "loopguard"


@dataclass(frozen=True)
class Shape:
    """``additions``: catalogue module (relative to ``catalogue/``) -> the lines added at its end.
    In ``snippet``, a line marked ``# finding: CODE`` is reported with the entries; one marked
    ``# finding without the entry: CODE`` only without them."""

    additions: dict[str, str]
    snippet: str


def _rule(code: str, **apis: tuple[str, ...]) -> str:
    listed = ", ".join(f"{kind}={names!r}" for kind, names in apis.items())
    return (
        f'RULES = (*RULES, Rule(code="{code}", name="vendor-io", domain="test", '
        f'summary="Vendor I/O.", instead={{"asyncio": "vendor.aio"}}, {listed}))\n'
    )


SHAPES = {
    "plain function": Shape(
        {"network.py": _rule("LG299", functions=("vendor.download",))},
        "import vendor\n\n\n"
        "async def fetch(key):\n"
        "    return vendor.download(key)  # finding: LG299\n",
    ),
    "method on a factory's product": Shape(
        {
            "network.py": _rule("LG299", methods=("vendor.Connection.download",))
            + 'RETURNS = {**RETURNS, "vendor.connect": "vendor.Connection"}\n',
        },
        "import vendor\n\n\n"
        "async def fetch(key):\n"
        "    connection = vendor.connect()\n"
        "    return connection.download(key)  # finding: LG299\n",
    ),
    "reader that takes a file argument": Shape(
        {
            "parsing.py": _rule("LG799", functions=("msgpack.unpack",))
            + 'FILE_READERS = (*FILE_READERS, "msgpack.unpack")\n',
        },
        "from typing import BinaryIO\n\n"
        "import msgpack\n\n\n"
        "async def load(fh: BinaryIO, data: bytes):\n"
        "    first = msgpack.unpack(fh)  # finding: LG799\n"
        "    second = msgpack.unpack(data)  # bytes, not a file: no I/O\n"
        "    return first, second\n",
    ),
    "loop scheduler": Shape(
        {
            "waiting.py": "LOOP_SCHEDULERS = "
            '{**LOOP_SCHEDULERS, "tornado.ioloop.IOLoop.add_callback": 0}\n',
        },
        "import time\n\n"
        "from tornado.ioloop import IOLoop\n\n\n"
        "def tick():\n"
        "    time.sleep(1)  # finding: LG101\n\n\n"
        "async def start(loop: IOLoop):\n"
        "    loop.add_callback(tick)\n",
    ),
    "offloading decorator": Shape(
        {"__init__.py": 'OFFLOADING_DECORATORS = OFFLOADING_DECORATORS | {"vendor.threaded"}\n'},
        "import time\n\n"
        "import vendor\n\n\n"
        "@vendor.threaded\n"
        "def work():\n"
        "    time.sleep(1)\n\n\n"
        "def other():\n"
        "    time.sleep(1)\n\n\n"
        "async def main():\n"
        "    work()  # finding without the entry: LG101\n"
        "    await vendor.in_thread(other)  # by reference: an offload function needs no entry\n",
    ),
}


def marked(snippet: str, marker: str) -> set[tuple[int, str]]:
    """(line, code) of every line of ``snippet`` whose comment is exactly ``marker: CODE``."""
    found = set()
    for number, line in enumerate(snippet.splitlines(), start=1):
        comment = line.partition("#")[2].strip()
        label, _, code = comment.rpartition(": ")
        if label == marker:
            found.add((number, code))
    return found


def file_name(shape: str) -> str:
    return shape.replace(" ", "_").replace("'", "") + ".py"


def findings(package_parent: Path, project: Path) -> dict[str, set[tuple[int, str]]]:
    """File -> (line, code) of what ``loopguard check`` with the package under ``package_parent``
    reports in ``project``."""
    config = project.parent / "empty.toml"
    config.write_text("[tool.loopguard]\n", encoding="utf-8")
    command = [sys.executable, "-m", "loopguard", "check", "--no-cache", "--config", str(config),
               "--output-format", "json", "."]
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    done = subprocess.run(
        command, check=False, cwd=project, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode in (0, 1), done.stderr
    found: dict[str, set[tuple[int, str]]] = {}
    for finding in json.loads(done.stdout):
        found.setdefault(finding["path"], set()).add((finding["line"], finding["code"]))
    return found


def catalogue_copy(destination: Path, additions: dict[str, str]) -> Path:
    """A copy of loopguard's source whose catalogue modules end with ``additions``."""
    package = destination / "loopguard"
    shutil.copytree(SOURCE, package, ignore=shutil.ignore_patterns("__pycache__"))
    for module, lines in additions.items():
        path = package / "catalogue" / module
        path.write_text(path.read_text(encoding="utf-8") + "\n" + lines, encoding="utf-8")
    return destination


def write_snippets(project: Path, shapes: list[str]) -> Path:
    project.mkdir()
    for shape in shapes:
        (project / file_name(shape)).write_text(SHAPES[shape].snippet, encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def without_entries(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[tuple[int, str]]]:
    """Every snippet, checked once with the catalogue as it is."""
    project = tmp_path_factory.mktemp("shapes") / "project"
    return findings(SOURCE.parent, write_snippets(project, sorted(SHAPES)))


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_one_catalogue_entry_adds_an_api(
    shape: str, tmp_path: Path, without_entries: dict[str, set[tuple[int, str]]]
) -> None:
    example = SHAPES[shape]
    with_entry = marked(example.snippet, "finding")
    without_entry = marked(example.snippet, "finding without the entry")
    assert with_entry or without_entry, "the snippet marks no finding"

    assert without_entries.get(file_name(shape), set()) == without_entry
    copy = catalogue_copy(tmp_path / "src", example.additions)
    found = findings(copy, write_snippets(tmp_path / "project", [shape]))
    assert found.get(file_name(shape), set()) == with_entry


def test_every_file_reader_is_an_api_of_a_rule() -> None:
    """A file reader that no rule names would never be reported: the entry needs both."""
    matcher = Matcher(catalogue.RULES)
    assert [reader for reader in catalogue.FILE_READERS if matcher.builtin(reader) is None] == []


def test_the_index_tables_are_derived_from_the_catalogue() -> None:
    last = {name.rpartition(".")[2] for name in (*catalogue.FILE_READERS, *catalogue.CONSUMERS)}
    assert catalogue.ARGUMENT_TAKERS >= last
    assert catalogue.CALLBACK_POSITIONS == {
        name.rpartition(".")[2]: position for name, position in catalogue.LOOP_SCHEDULERS.items()
    }
    switches = {name.rpartition(".")[2] for name in catalogue.NONBLOCKING_SWITCHES}
    assert set(catalogue.NONBLOCKING_ARGUMENTS) == switches


def test_schedulers_of_one_name_must_agree_on_the_callback_position() -> None:
    """The index sees schedulers by method name: a second one of that name at another position
    is refused when the catalogue loads, with the name, rather than silently losing one."""
    schedulers = {**catalogue.LOOP_SCHEDULERS, "vendor.Loop.call_soon": 1}
    with pytest.raises(ValueError, match="loop schedulers named 'call_soon' disagree"):
        catalogue._by_last_name(schedulers, "loop schedulers")
