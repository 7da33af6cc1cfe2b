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


def test_module_files_are_found_under_the_right_root_asking_once_per_missing_folder(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder of scripts is an import root of its own: the project's packages are not under it,
    and its first missing folder answers for every name below it."""
    import os

    from loopguard.context import Directories, is_namespace_package, module_file

    (tmp_path / "shop" / "sub").mkdir(parents=True)
    (tmp_path / "shop" / "__init__.py").write_text("")
    (tmp_path / "shop" / "sub" / "util.py").write_text(UTIL)
    (tmp_path / "shop" / "space").mkdir()  # a namespace package
    (tmp_path / "scripts").mkdir()
    roots = [str(tmp_path / "scripts"), str(tmp_path)]
    asked: list[str] = []
    real_isdir = os.path.isdir
    monkeypatch.setattr(os.path, "isdir", lambda path: asked.append(path) or real_isdir(path))
    directories = Directories()
    names = ["shop.sub.util", "shop.sub.helpers", "shop.sub.util.slow", "shop.other", "shop.sub.more"]
    found = [module_file(name, roots, directories=directories) for name in names]
    assert found == [tmp_path / "shop" / "sub" / "util.py", None, None, None, None]
    assert found == [module_file(name, roots) for name in names]  # the same without the memo
    assert asked.count(str(tmp_path / "scripts" / "shop")) == 1  # once, for every name below it
    assert not any(path.startswith(str(tmp_path / "scripts" / "shop") + os.sep) for path in asked)
    assert is_namespace_package("shop.space", roots, directories)
    assert not is_namespace_package("shop.sub.util", roots, directories)
    assert not is_namespace_package("shop.gone", roots, directories)
    walked = Directories(frozenset({str(tmp_path / "shop" / "space")}))
    asked.clear()
    assert is_namespace_package("shop.space", roots, walked) and str(tmp_path / "shop" / "space") not in asked
