"""Summaries read from single cache entries keep their names and calls packed until used
(``cache/lazy.py``): what they give must be exactly what the whole entry decodes to, and a run over
one file in a warm project must report what a run without the cache reports."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from loopguard.analysis.stages import index_source
from loopguard.analysis.summary import FileSummary, decode, encode
from loopguard.cache.lazy import LazySummary, ModuleNames, lazy_summary
from loopguard.cache.schema import SUMMARY_ENTRY
from loopguard.cache.signing import signing_key
from loopguard.cache.store import Cache
from loopguard.cache.summaries import to_cache
from loopguard.config import Config
from loopguard.runner import check_paths

HELPER = b'''
import os, time
from shop.db import SessionLocal
from shop.db import *

TIMEOUT = 3
NAMES = ("a", "b")

class Store:
    path: str = "x"

    def load(self) -> bytes:
        return open(self.path, "rb").read()

def nap(seconds: int = TIMEOUT) -> None:
    if seconds:
        time.sleep(seconds)

async def main() -> None:
    nap()
    Store().load()
    session = SessionLocal()
'''


def summary_of(source: bytes, module: str = "shop.helpers") -> FileSummary:
    indexed = index_source(source, Path("helpers.py"), "helpers.py", "helpers.py", module, "shop", {"shop"})
    assert indexed.summary is not None
    return indexed.summary


def stored_and_read(tmp_path: Path, summary: FileSummary) -> FileSummary | None:
    from loopguard.analysis.stages import Indexed

    directory = tmp_path / "cache"
    Cache(directory, use_pack=False).put("entry", to_cache(Indexed(Path("h.py"), "h.py", "h.py", summary)))
    return Cache(directory, use_pack=False).get_signed("entry", lazy_summary)


def test_a_lazy_summary_gives_what_the_whole_entry_decodes_to(tmp_path: Path) -> None:
    summary = summary_of(HELPER)
    whole = decode(encode(summary))
    lazy = stored_and_read(tmp_path, summary)
    assert isinstance(lazy, LazySummary)
    assert lazy._names is None and lazy._calls is None  # nothing unpacked yet
    assert (lazy.module, lazy.package, lazy.library, lazy.imports) == (
        whole.module, whole.package, whole.library, whole.imports
    )
    assert (lazy.functions, lazy.callbacks, lazy.import_calls) == (whole.functions, whole.callbacks, whole.import_calls)
    assert lazy.calls == whole.calls and lazy.calls
    assert lazy.names == whole.names
    assert lazy.names.constants == whole.names.constants and lazy.names.constants
    assert lazy.names.star_imports == whole.names.star_imports == ("shop.db",)
    assert encode(lazy) == encode(whole)


def test_a_lazy_summary_pickles_as_the_plain_summary(tmp_path: Path) -> None:
    lazy = stored_and_read(tmp_path, summary_of(HELPER))
    assert lazy is not None
    copied = pickle.loads(pickle.dumps(lazy))
    assert type(copied) is FileSummary
    assert copied == decode(encode(lazy))


def test_module_names_read_a_summary_only_when_the_project_looks_into_it(tmp_path: Path) -> None:
    lazy = stored_and_read(tmp_path, summary_of(HELPER))
    assert isinstance(lazy, LazySummary)
    names = ModuleNames({"shop.helpers": lazy})
    assert "shop.helpers" in names and "shop.other" not in names and list(names) == ["shop.helpers"]
    assert lazy._names is None
    assert names["shop.helpers"] is lazy.names


def test_entries_that_are_not_summaries_or_not_signed_are_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    failed = index_source(b"def (:\n", Path("bad.py"), "bad.py", "bad.py", "bad", "", set())
    directory = tmp_path / "cache"
    Cache(directory, use_pack=False).put("failed", to_cache(failed))
    reader = Cache(directory, use_pack=False)
    assert reader.get_signed("failed", lazy_summary) is None  # an LG001 entry
    assert reader.get("failed", SUMMARY_ENTRY) is not None
    assert lazy_summary(b"\x92\xc0\xc0") is None  # (None, None): no summary
    assert lazy_summary(b"\x92\x9d\x01") is None  # truncated
    Cache(directory, use_pack=False).put("entry", to_cache(index_source(
        HELPER, Path("h.py"), "h.py", "h.py", "shop.helpers", "shop", {"shop"}
    )))
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker / "cache"))  # nowhere to keep a key
    signing_key.cache_clear()
    try:
        assert Cache(directory, use_pack=False).get_signed("entry", lazy_summary) is None
        assert Cache(directory, use_pack=False).get("entry", SUMMARY_ENTRY) is not None
    finally:
        signing_key.cache_clear()


def test_one_file_in_a_warm_project_is_reported_as_without_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # context modules are shown from the working directory
    shop = tmp_path / "shop"
    shop.mkdir()
    (shop / "__init__.py").write_text("")
    (shop / "db.py").write_text("import sqlite3\n\ndef SessionLocal():\n    return sqlite3.connect('x')\n")
    (shop / "helpers.py").write_bytes(HELPER)
    (shop / "views.py").write_text(
        "from shop.helpers import nap, Store, TIMEOUT\n\nasync def view():\n    nap(TIMEOUT)\n    Store().load()\n"
    )
    config = Config(root=tmp_path)
    cache = tmp_path / ".cache"
    whole = check_paths([shop], config, cwd=tmp_path, cache_directory=cache)  # fills the cache
    (shop / "views.py").write_text((shop / "views.py").read_text() + "# edited\n")
    alone = check_paths([shop / "views.py"], config, cwd=tmp_path, cache_directory=cache)
    fresh = check_paths([shop / "views.py"], config, cwd=tmp_path)
    assert alone == fresh
    assert [f for r in alone for f in r.findings] == [
        f for r in whole if r.path.endswith("views.py") for f in r.findings
    ]
    assert [f.code for r in alone for f in r.findings]


def test_an_entry_is_read_whole_even_when_it_grew_since_fstat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from loopguard.cache import store

    path = tmp_path / "entry"
    path.write_bytes(b"x" * 5000)
    descriptor = os.open(path, os.O_RDONLY)
    try:
        assert store.read_bounded(descriptor, 10) == b"x" * 5000  # fstat said 10 bytes: read on
    finally:
        os.close(descriptor)
    monkeypatch.setattr(store, "MAX_ENTRY_BYTES", 4096)
    descriptor = os.open(path, os.O_RDONLY)
    try:
        assert store.read_bounded(descriptor, 10) is None  # past the bound
    finally:
        os.close(descriptor)


def test_a_run_over_the_project_reads_summaries_from_the_pack_lazily_and_keeps_their_bytes(tmp_path: Path) -> None:
    """The pack holds each entry's own bytes: a summary asked of it is read as from its own file
    (names and calls left packed), and what was read goes into the next pack unchanged."""
    from loopguard.analysis.stages import Indexed

    directory = tmp_path / "cache"
    summary = summary_of(HELPER)
    writer = Cache(directory)
    writer.put("entry", to_cache(Indexed(Path("h.py"), "h.py", "h.py", summary)))
    writer.save()
    for entry in (directory / "entries").rglob("*"):  # only the pack is left to read from
        if entry.is_file():
            entry.unlink()
    reader = Cache(directory)
    lazy = reader.get_signed("entry", lazy_summary)
    assert isinstance(lazy, LazySummary)
    assert lazy._names is None and lazy._calls is None  # still packed
    assert encode(lazy) == encode(summary)
    assert reader.used["entry"] == writer.used["entry"]  # its bytes, for the next pack
    whole = reader.get("entry", SUMMARY_ENTRY)
    assert whole is not None and encode(decode(whole[0])) == encode(summary)


def test_a_pack_whose_values_are_not_bytes_is_not_read_without_a_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a key nothing in the cache is trusted: a pack must be a map of bytes, each entry
    checked against its schema when it is used."""
    import msgpack

    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker / "cache"))  # nowhere to keep a key
    signing_key.cache_clear()
    try:
        directory = tmp_path / "cache"
        writer = Cache(directory)
        writer.put("good", (None, (1, 1, "cannot parse file")))
        writer.save()
        assert Cache(directory).pack == {"good": writer.used["good"]}
        payload = msgpack.packb({"bad": (None, (1, 1, "x"))}, use_bin_type=True)  # a value, not bytes
        writer.pack_path.write_bytes(msgpack.packb((b"", payload), use_bin_type=True))
        assert Cache(directory).pack == {}
        wrong = msgpack.packb({"odd": msgpack.packb(("not", "an", "entry"))}, use_bin_type=True)
        writer.pack_path.write_bytes(msgpack.packb((b"", wrong), use_bin_type=True))
        reader = Cache(directory)
        assert reader.get("odd", SUMMARY_ENTRY) is None and "odd" not in reader.used
    finally:
        signing_key.cache_clear()
