"""A run over one file reads the project modules it imports (pre-commit and editors check a few
files): every form of import names the module to read."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from loopguard.cli import cli

UTIL = "import time\n\ndef slow():\n    time.sleep(1)\n"


def codes(*args: str) -> list[tuple[str, int, str]]:
    result = CliRunner().invoke(cli, ["check", "--no-cache", "--output-format", "json", *args], catch_exceptions=False)
    return [(f["filename"] if "filename" in f else f["path"], f["line"], f["code"]) for f in json.loads(result.stdout)]


@pytest.mark.parametrize(
    "imports, call",
    [
        ("import shop.util", "shop.util.slow()"),
        ("import shop.util as util", "util.slow()"),
        ("from shop import util", "util.slow()"),
        ("from shop.util import slow", "slow()"),
        ("import shop.sub.util", "shop.sub.util.slow()"),
    ],
)
def test_one_file_finds_what_the_whole_project_finds(project, imports: str, call: str) -> None:
    project({
        "pyproject.toml": "[tool.loopguard]\n",
        "shop/__init__.py": "",
        "shop/util.py": UTIL,
        "shop/sub/__init__.py": "",
        "shop/sub/util.py": UTIL,
        "shop/api.py": f"{imports}\n\nasync def handler():\n    {call}\n",
    })
    whole = [finding for finding in codes("shop") if finding[0].endswith("api.py")]
    assert [code for _path, _line, code in whole] == ["LG101"]
    assert codes("shop/api.py") == whole
