"""The cache sits in the analysed repository, so it is hostile input: nothing in it can run code,
a file this user's key did not sign is a miss, a wrong-shaped entry is a miss where no key can be
kept, links are not followed, and results always equal a --no-cache run."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import msgpack
import pytest
from click.testing import CliRunner

from loopguard.cache.signing import signing_key
from loopguard.cache.store import FORMAT
from loopguard.cli import cli

DB = "from sqlalchemy.orm import sessionmaker\n\nSessionLocal = sessionmaker()\n"
API = """
import time
from app.db import SessionLocal
from app.helpers import slow


async def handler():
    time.sleep(1)
    slow()
    with SessionLocal() as session:
        session.commit()
"""
HELPERS = "import requests\n\n\ndef slow():\n    return requests.get('u')\n"
FILES = {"app/__init__.py": "", "app/db.py": DB, "app/api.py": API, "app/helpers.py": HELPERS}
EXPECTED_CODES = ["LG101", "LG201", "LG401"]


@pytest.fixture(params=["signed", "unsigned"])
def key_mode(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """With this user's signing key, and without one (no place to keep it: every entry is then
    checked against its schema)."""
    if request.param == "unsigned":
        blocker = tmp_path / "not-a-directory"
        blocker.write_text("")
        monkeypatch.setenv("XDG_CACHE_HOME", str(blocker / "cache"))
    signing_key.cache_clear()
    yield request.param
    signing_key.cache_clear()


def read_stored(path: Path) -> object:
    """The value in a cache file: MessagePack of ``(signature, MessagePack of the value)``."""
    _signature, payload = msgpack.unpackb(path.read_bytes(), strict_map_key=False)
    return msgpack.unpackb(payload, strict_map_key=False)


def write_stored(path: Path, value: object) -> None:
    """``value`` written as loopguard writes files, with no signature (what a committed file has)."""
    path.write_bytes(msgpack.packb((b"", msgpack.packb(value))))


def check(*args: str) -> tuple[int, list[dict]]:
    result = CliRunner().invoke(cli, ["check", "--output-format", "json", *args], catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout)


def cache_files(root: Path) -> list[Path]:
    return [p for p in (root / ".loopguard_cache").rglob("*") if p.is_file() and not p.is_symlink()]


class RunsCode:
    """Unpickling this runs ``os.system`` — what a hostile committed cache would hold."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def test_a_malicious_pickle_anywhere_in_the_cache_runs_nothing(project, tmp_path: Path, key_mode: str) -> None:
    root = project(FILES)
    expected = check("--no-cache")
    assert [f["code"] for f in expected[1]] == EXPECTED_CODES
    check()
    marker = tmp_path / "pwned"
    payload = pickle.dumps(RunsCode(marker))
    cache = root / ".loopguard_cache"
    for path in cache_files(root):
        path.write_bytes(payload)
    for name in ("manifest-2.pickle", "pack-2.pickle", f"manifest-{FORMAT}.msgpack", f"pack-{FORMAT}.msgpack"):
        (cache / name).write_bytes(payload)
    assert check() == expected
    assert check() == expected
    assert not marker.exists()


def wrong_shapes(value: object) -> list[object]:
    """Variants of a valid entry that no entry of any kind can have: another type, one level
    deeper, and every leaf replaced by a value of another type. (A well-formed entry with other
    content — ``[]`` for "no findings" — is not a wrong shape: see docs/integrations.md.)"""
    variants: list[object] = [None, 1, "x", [value], {"a": value}]

    def retype(node: object, mode: int) -> object:
        if isinstance(node, list):
            return [retype(item, mode) for item in node]
        if isinstance(node, dict):
            return {key: retype(item, mode) for key, item in node.items()}
        if isinstance(node, bool) or node is None:
            return [] if mode else 0
        if isinstance(node, int):
            return str(node) if mode else 1.5
        if isinstance(node, str):
            return {"s": node} if mode else len(node)
        return node

    return [*variants, retype(value, 0), retype(value, 1)]


def test_wrong_shaped_entries_are_misses_and_results_equal_a_no_cache_run(project, key_mode: str) -> None:
    root = project(FILES)
    expected = check("--no-cache")
    check()
    originals = {
        path: read_stored(path) for path in cache_files(root) if path.name not in (".gitignore", "CACHEDIR.TAG")
    }
    assert originals, "the cached run wrote no entries"
    for variant in range(len(wrong_shapes([1]))):
        for path, value in originals.items():
            shapes = wrong_shapes(value)
            write_stored(path, shapes[variant % len(shapes)])
        assert check() == expected, f"variant {variant}"
        assert check() == expected, f"variant {variant}, second run"


def test_truncated_and_binary_entries_are_misses(project, key_mode: str) -> None:
    root = project(FILES)
    expected = check("--no-cache")
    check()
    for number, path in enumerate(cache_files(root)):
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2] if number % 2 else b"\x00\xff" * 100)
    assert check() == expected
    assert check() == expected


def test_a_symlinked_cache_directory_is_not_followed(project, tmp_path: Path) -> None:
    root = project(FILES)
    expected = check("--no-cache")
    elsewhere = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    elsewhere.mkdir()
    (root / ".loopguard_cache").symlink_to(elsewhere, target_is_directory=True)
    result = CliRunner().invoke(cli, ["check", "--output-format", "json"], catch_exceptions=False)
    assert (result.exit_code, json.loads(result.stdout)) == expected
    assert "symbolic link" in result.stderr
    assert list(elsewhere.iterdir()) == [], "loopguard wrote through the link"


def test_links_inside_the_cache_are_not_followed(project, tmp_path: Path) -> None:
    root = project(FILES)
    expected = check("--no-cache")
    check()
    cache = root / ".loopguard_cache"
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    victim = outside / "victim.txt"
    victim.write_text("keep me\n")
    # a marker, the manifest and one entry directory replaced by links to files and folders outside
    for name in (".gitignore", f"manifest-{FORMAT}.msgpack"):
        (cache / name).unlink(missing_ok=True)
        (cache / name).symlink_to(victim)
    entry_dirs = sorted(p for p in (cache / "entries").iterdir() if p.is_dir())
    moved = outside / "moved"
    entry_dirs[0].rename(moved)
    entry_dirs[0].symlink_to(moved, target_is_directory=True)
    assert check() == expected
    assert check() == expected
    assert victim.read_text() == "keep me\n"
    assert all(p.name.startswith(".tmp-") is False for p in moved.iterdir())


def test_a_cache_directory_that_is_a_file_gives_one_warning_and_no_cache(project) -> None:
    root = project(FILES)
    expected = check("--no-cache")
    (root / ".loopguard_cache").write_text("not a directory")
    result = CliRunner().invoke(cli, ["check", "--output-format", "json"], catch_exceptions=False)
    assert (result.exit_code, json.loads(result.stdout)) == expected
    assert result.stderr.count("warning") == 1 and "not a directory" in result.stderr
    assert (root / ".loopguard_cache").read_text() == "not a directory"


def test_a_cache_that_cannot_be_written_gives_one_warning(project) -> None:
    root = project(FILES)
    expected = check("--no-cache")
    cache = root / ".loopguard_cache"
    cache.mkdir()
    (cache / "entries").write_text("")  # entries cannot be created below a file
    result = CliRunner().invoke(cli, ["check", "--output-format", "json"], catch_exceptions=False)
    assert (result.exit_code, json.loads(result.stdout)) == expected
    assert result.stderr.count("warning") == 1 and "cannot write" in result.stderr


def test_python_m_loopguard_does_not_import_from_the_working_directory(project, tmp_path: Path) -> None:
    root = project(FILES)
    marker = tmp_path / "imported"
    for name in ("pathspec", "click", "libcst", "msgpack", "tomli", "json"):
        (root / f"{name}.py").write_text(f"open({str(marker)!r}, 'a').write('{name}\\n')\n")
    done = subprocess.run(
        [sys.executable, "-m", "loopguard", "check", "--output-format", "json", "app"],
        check=False, cwd=root, capture_output=True, text=True, timeout=120,
    )
    assert not marker.exists(), marker.read_text()
    assert done.returncode == 1, done.stderr
    assert [f["code"] for f in json.loads(done.stdout)] == EXPECTED_CODES


def rewrite_keeping_stat(path: Path, text: str) -> None:
    """A same-size edit with the modification time restored (reproducible-build timestamps)."""
    before = path.stat()
    assert len(text.encode()) == before.st_size
    path.write_text(text)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_a_same_size_edit_with_the_mtime_restored_is_not_served_stale(project) -> None:
    root = project(FILES)
    check()
    check()  # the manifest now trusts every file by stat alone
    api = root / "app/api.py"
    rewrite_keeping_stat(api, API.replace("time.sleep(1)", "print('ok!!')"))
    assert check() == check("--no-cache")
    assert [f["code"] for f in check()[1]] == ["LG201", "LG401"]
    rewrite_keeping_stat(root / "app/helpers.py", HELPERS.replace("requests.get", "requests.put"))
    assert check() == check("--no-cache")
    message = check()[1][0]["message"]
    assert message.startswith("`slow()`") and "requests.put" in message


def test_an_edit_within_the_same_second_at_the_same_size_is_seen(project) -> None:
    root = project(FILES)
    api = root / "app/api.py"
    for sleep in ("print('ok!!')", "time.sleep(1)", "print('ok!!')"):
        api.write_text(API.replace("time.sleep(1)", sleep))
        assert check() == check("--no-cache"), sleep


def test_ten_concurrent_runs_on_one_cache_agree(project) -> None:
    files = dict(FILES)
    for number in range(30):
        files[f"app/api_{number}.py"] = API
    root = project(files)
    expected = subprocess.run(
        [sys.executable, "-m", "loopguard", "check", "--no-cache", "--output-format", "json", "."],
        check=False, cwd=root, capture_output=True, text=True, timeout=120,
    )

    def run(_: int) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "loopguard", "check", "--output-format", "json", "."],
            check=False, cwd=root, capture_output=True, text=True, timeout=300,
        )

    with ThreadPoolExecutor(10) as pool:
        runs = list(pool.map(run, range(10)))
    for done in [*runs, run(0)]:
        assert (done.returncode, done.stdout) == (expected.returncode, expected.stdout), done.stderr
        assert "Traceback" not in done.stderr


def test_cache_files_are_plain_messagepack(project, key_mode: str) -> None:
    root = project(FILES)
    check()
    def refuse(code: int, data: bytes) -> None:
        raise AssertionError("an extension type in the cache")

    for path in cache_files(root):
        if path.name not in (".gitignore", "CACHEDIR.TAG"):
            signature, payload = msgpack.unpackb(path.read_bytes(), strict_map_key=True, ext_hook=refuse)
            assert len(signature) == (16 if key_mode == "signed" else 0)
            msgpack.unpackb(payload, strict_map_key=True, ext_hook=refuse)
