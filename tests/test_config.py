"""[tool.loopguard] keys, each as a user would write it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from loopguard.cli import cli
from loopguard.config import ConfigError, load_config

SLEEP = "import time\n\nasync def poll():\n    time.sleep(1)\n"


def findings(*args: str) -> list[dict]:
    result = CliRunner().invoke(cli, ["check", "--output-format", "json", *args], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def test_defaults_without_a_table(tmp_path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    config = load_config(None, tmp_path)
    assert config.select == ("LG",) and config.max_depth == 8 and config.source is None


def test_every_key_is_read(tmp_path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        """
[tool.loopguard]
select = ["LG1", "LG2"]
ignore = ["LG201"]
exclude = ["migrations/**"]
per-file-ignores = { "tests/**" = ["LG1"] }
offload-functions = ["app.pool.run"]
safe-calls = ["app.cache.get"]
max-depth = 3
loop-decorators = ["homeassistant.core.callback"]

[tool.loopguard.blocking-calls]
"vendor_sdk.Client.download" = "vendor_sdk.AsyncClient.download"
"""
    )
    sub = tmp_path / "pkg"
    sub.mkdir()
    config = load_config(None, sub)  # found upward from a subdirectory
    assert config.root == tmp_path.resolve()
    assert config.select == ("LG1", "LG2") and config.ignore == ("LG201",)
    assert config.exclude == ("migrations/**",)
    assert config.per_file_ignores == (("tests/**", ("LG1",)),)
    assert config.offload_functions == ("app.pool.run",) and config.safe_calls == ("app.cache.get",)
    assert config.max_depth == 3 and config.loop_decorators == ("homeassistant.core.callback",)
    assert config.blocking_calls == (("vendor_sdk.Client.download", "vendor_sdk.AsyncClient.download"),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("select = 'LG1'", "'select' must be a list of code prefixes"),
        ("ignore = ['X1']", "'ignore' has an invalid code prefix 'X1'"),
        ("max-depth = 0", "'max-depth' must be a positive integer"),
        ("max-depth = true", "'max-depth' must be a positive integer"),
        ("per-file-ignores = { 'a' = 'LG1' }", "'per-file-ignores' must be a table"),
        ("[tool.loopguard.blocking-calls]\n'a.b' = 1", "'blocking-calls' must be a table"),
        ("exclude = [1]", "'exclude' must be a list of glob patterns"),
        ("colour = true", "unknown key 'colour'"),
    ],
)
def test_bad_values_name_the_file_and_key(tmp_path, text: str, message: str) -> None:
    body = text if text.startswith("[") else f"[tool.loopguard]\n{text}"
    if text.startswith("[tool.loopguard.blocking"):
        body = text
    (tmp_path / "pyproject.toml").write_text(body + "\n")
    with pytest.raises(ConfigError) as error:
        load_config(None, tmp_path)
    assert str(tmp_path / "pyproject.toml") in str(error.value)
    assert message in str(error.value)


def test_exclude_and_per_file_ignores(project) -> None:
    project({
        "pyproject.toml": "[tool.loopguard]\nexclude = ['migrations']\n"
        "per-file-ignores = { 'tests/**' = ['LG1'], 'scripts/*.py' = ['LG101'] }\n",
        "app.py": SLEEP,
        "migrations/0001.py": SLEEP,
        "tests/test_app.py": SLEEP,
        "scripts/tool.py": SLEEP,
        "scripts/deep/tool.py": SLEEP,
    })
    assert sorted(f["path"] for f in findings()) == ["app.py", "scripts/deep/tool.py"]
    # a file named explicitly is checked unless --force-exclude (pre-commit's case)
    assert [f["path"] for f in findings("migrations/0001.py")] == ["migrations/0001.py"]
    assert findings("--force-exclude", "migrations/0001.py") == []


def test_blocking_calls_functions_methods_globs_and_overrides(project) -> None:
    project({
        "pyproject.toml": """
[tool.loopguard.blocking-calls]
"vendor_sdk.Client.download" = "vendor_sdk.AsyncClient.download"
"mylib.sync.*" = "mylib.aio"
"time.sleep" = "await trio.sleep(...) via our wrapper"
""",
        "app.py": """
import time
import vendor_sdk
from mylib import sync
from mylib.sync import fetch_all


async def handler(url: str) -> None:
    client = vendor_sdk.Client(token="t")
    client.download(url)
    client.upload(url)
    sync.fetch(url)
    fetch_all()
    time.sleep(1)


async def other(client: vendor_sdk.Client) -> None:
    client.download("x")
""",
    })
    got = [(f["line"], f["code"], f["suggestion"]) for f in findings()]
    assert got == [
        (10, "LG801", "vendor_sdk.AsyncClient.download"),
        (12, "LG801", "mylib.aio"),
        (13, "LG801", "mylib.aio"),
        (14, "LG101", "await trio.sleep(...) via our wrapper"),
        (18, "LG801", "vendor_sdk.AsyncClient.download"),
    ]


def test_safe_calls_are_never_reported(project) -> None:
    project({
        "pyproject.toml": "[tool.loopguard]\nsafe-calls = ['time.sleep', 'requests.*']\n",
        "app.py": "import time, requests\n\nasync def f():\n    time.sleep(0)\n    requests.get('u')\n    open('x')\n",
    })
    assert [f["code"] for f in findings()] == ["LG501"]


def test_select_and_ignore_in_config_most_specific_wins(project) -> None:
    project({
        "pyproject.toml": "[tool.loopguard]\nselect = ['LG']\nignore = ['LG5']\n",
        "app.py": "import time\n\nasync def f():\n    time.sleep(0)\n    open('x')\n",
    })
    assert [f["code"] for f in findings()] == ["LG101"]
    assert [f["code"] for f in findings("--select", "LG501")] == ["LG501"]


def test_configured_blocking_calls_obey_select_and_ignore(project) -> None:
    project({
        "pyproject.toml": '[tool.loopguard.blocking-calls]\n"vendor.download" = "vendor.adownload"\n',
        "app.py": "import time\nimport vendor\n\n\nasync def f():\n    vendor.download()\n    time.sleep(1)\n",
    })

    def codes(*args: str) -> list[str]:
        result = CliRunner().invoke(cli, ["check", "--no-cache", "--output-format", "json", *args])
        return [f["code"] for f in json.loads(result.stdout)]

    assert codes() == ["LG801", "LG101"]
    assert codes("--ignore", "LG801") == ["LG101"]
    assert codes("--select", "LG1") == ["LG101"]
    assert codes("--select", "LG8") == ["LG801"]


OFFLOAD = """
import time

from app.workers import in_thread, run_blocking


@in_thread
def refresh():
    time.sleep(1)


async def handler():
    refresh()
    run_blocking(time.sleep, 1)
"""
WORKERS = "import time\n\n\ndef in_thread(f):\n    return f\n\n\ndef run_blocking(f, *args):\n    time.sleep(0.1)\n    return f(*args)\n"


def test_offload_decorators_and_offload_functions(project) -> None:
    project({"app/__init__.py": "", "app/workers.py": WORKERS, "app/api.py": OFFLOAD})

    def codes() -> list[tuple[int, str]]:
        result = CliRunner().invoke(cli, ["check", "--no-cache", "--output-format", "json", "app"])
        return [(f["line"], f["code"]) for f in json.loads(result.stdout)]

    assert codes() == [(13, "LG101"), (14, "LG101")]
    (Path("pyproject.toml")).write_text(
        '[tool.loopguard]\noffload-decorators = ["app.workers.in_thread"]\n'
        'offload-functions = ["app.workers.run_blocking"]\n'
    )
    assert codes() == []
