"""The cache's files are signed with a key kept outside any repository (``cache/signing.py``): a
file this user's loopguard did not write — committed with a pull request, copied from another
machine, moved to another entry's name — is a miss even when its shape is right."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from loopguard.cache.signing import KEY_FILE, key_directory, signing_key
from loopguard.cache.store import Cache


def accept_anything(value: object) -> None:
    """A schema every value fits: what decides below is the signature alone."""


def use_key_home(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    signing_key.cache_clear()


@pytest.fixture(autouse=True)
def fresh_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    use_key_home(monkeypatch, tmp_path / "home-a")
    yield
    signing_key.cache_clear()


def test_a_file_signed_with_another_users_key_is_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "cache"
    Cache(directory).put_alone("results", ["no findings"])
    assert Cache(directory).get_alone("results", accept_anything) == ("no findings",)
    use_key_home(monkeypatch, tmp_path / "home-b")  # another machine, or the CI runner
    assert Cache(directory).get_alone("results", accept_anything) is None


def test_an_entry_moved_to_another_name_is_a_miss(tmp_path: Path) -> None:
    directory = tmp_path / "cache"
    cache = Cache(directory)
    cache.put_alone("clean-file", [])
    cache.put_alone("dirty-file", ["a finding"])
    shutil.copyfile(cache._entry_path("clean-file"), cache._entry_path("dirty-file"))
    reader = Cache(directory)
    assert reader.get_alone("clean-file", accept_anything) == ()
    assert reader.get_alone("dirty-file", accept_anything) is None


def test_without_a_key_the_schema_decides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "cache"
    Cache(directory).put_alone("entry", [1, 2])
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    use_key_home(monkeypatch, blocker / "cache")  # nowhere to keep a key
    assert signing_key() is None

    def only_strings(value: object) -> None:
        from loopguard.cache.schema import BadEntry

        if not isinstance(value, tuple) or not all(isinstance(item, str) for item in value):
            raise BadEntry("not strings")

    assert Cache(directory).get_alone("entry", accept_anything) == (1, 2)
    assert Cache(directory).get_alone("entry", only_strings) is None


def test_the_key_is_created_private() -> None:
    key = signing_key()
    assert key is not None and len(key) == 32
    path = key_directory() / KEY_FILE
    assert path.stat().st_mode & 0o777 == 0o600
    assert key_directory().stat().st_mode & 0o077 == 0
    signing_key.cache_clear()
    assert signing_key() == key


@pytest.mark.parametrize("problem", ["readable by others", "a link", "wrong size"])
def test_a_key_file_that_others_could_have_written_is_not_used(problem: str, tmp_path: Path) -> None:
    """A key from a checkout (git writes files readable by all), behind a link, or damaged."""
    path = key_directory() / KEY_FILE
    path.parent.mkdir(parents=True)
    if problem == "a link":
        target = tmp_path / "elsewhere"
        target.write_bytes(os.urandom(32))
        target.chmod(0o600)
        path.symlink_to(target)
    else:
        path.write_bytes(os.urandom(32 if problem != "wrong size" else 31))
        path.chmod(0o644 if problem == "readable by others" else 0o600)
    assert signing_key() is None


def test_runs_starting_at_once_agree_on_one_key() -> None:
    program = "from loopguard.cache.signing import signing_key; print(signing_key().hex())"
    runs = [
        subprocess.Popen([sys.executable, "-c", program], stdout=subprocess.PIPE, text=True) for _ in range(6)
    ]
    keys = {run.communicate(timeout=60)[0].strip() for run in runs}
    assert len(keys) == 1 and "" not in keys
