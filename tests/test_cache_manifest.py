"""The manifest's packed records: what ``stat`` said and the content hash, read back as written."""

from __future__ import annotations

import os
import time
from pathlib import Path
from types import SimpleNamespace

from loopguard.cache.store import Cache, content_hash


def test_a_record_reads_back_and_is_trusted_once_old(tmp_path: Path) -> None:
    source = tmp_path / "app.py"
    source.write_bytes(b"import time\n")
    old = time.time_ns() - 10_000_000_000
    os.utime(source, ns=(old, old))
    digest = content_hash(source.read_bytes())
    cache = Cache(tmp_path / "cache")
    cache.remember_hash(str(source), os.stat(source), digest)
    cache.save()
    again = Cache(tmp_path / "cache")
    assert again.recorded_hash(str(source)) == digest
    assert again.known_hash(str(source), os.stat(source)) == digest
    source.write_bytes(b"import os\n")
    assert again.known_hash(str(source), os.stat(source)) is None
    assert again.recorded_hash(str(tmp_path / "other.py")) is None


def test_a_time_a_record_cannot_hold_is_not_recorded(tmp_path: Path) -> None:
    """A file dated past 2262 (its nanoseconds overflow 64 bits) is hashed again each run."""
    far = 2**64
    stat = SimpleNamespace(st_mtime_ns=far, st_ctime_ns=far, st_size=1, st_ino=1)
    cache = Cache(tmp_path / "cache")
    cache.remember_hash("/far.py", stat, content_hash(b"x"))  # type: ignore[arg-type]
    assert cache.recorded_hash("/far.py") is None
