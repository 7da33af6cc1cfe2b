"""The cache's temporary files: a name of the process's own, never through a link, never over a file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from loopguard.cache import store
from loopguard.cache.store import Cache, temporary_file


def test_each_temporary_file_is_new_private_and_open_for_writing(tmp_path: Path) -> None:
    names = []
    for _ in range(3):
        handle, name = temporary_file(tmp_path)
        os.write(handle, b"x")
        os.close(handle)
        names.append(name)
        assert stat.S_IMODE(os.stat(name).st_mode) == 0o600
    assert len(set(names)) == 3
    assert all(Path(name).parent == tmp_path for name in names)


def test_a_link_where_the_next_name_would_be_is_not_followed(tmp_path: Path, monkeypatch) -> None:
    # the repository being analysed may hold anything, a link at the name this process would use next
    target = tmp_path / "outside"
    target.write_bytes(b"keep")
    monkeypatch.setattr(store, "_TEMPORARY_SERIAL", iter([7]))
    (tmp_path / f".tmp-{os.getpid()}-7").symlink_to(target)
    handle, name = temporary_file(tmp_path)
    os.write(handle, b"new")
    os.close(handle)
    assert name != str(tmp_path / f".tmp-{os.getpid()}-7")
    assert Path(name).read_bytes() == b"new"
    assert target.read_bytes() == b"keep"


def test_entries_written_through_them_read_back_and_leave_no_temporary_file(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache", use_pack=False)
    for number in range(5):
        cache.put(f"key{number:02d}" + "a" * 40, ("value", number))
    again = Cache(tmp_path / "cache", use_pack=False)
    found = [again._load(again._entry_path(f"key{number:02d}" + "a" * 40)) for number in range(5)]
    assert [value for value, _signed in found if value is not None] == [("value", n) for n in range(5)]
    assert not [path for path in (tmp_path / "cache").rglob(".tmp-*")]
