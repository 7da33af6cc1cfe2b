"""The cache: a warm run equals a cold run, whatever changed in between."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from loopguard.cli import cli

DB = "from sqlalchemy.orm import sessionmaker\n\nSessionLocal = sessionmaker()\n"
DB_ASYNC = "from sqlalchemy.ext.asyncio import async_sessionmaker\n\nSessionLocal = async_sessionmaker()\n"
API = """
import time
from app.db import SessionLocal


async def handler():
    time.sleep(1)
    with SessionLocal() as session:
        session.commit()
"""


def check(*args: str) -> tuple[int, list[dict]]:
    result = CliRunner().invoke(cli, ["check", "--output-format", "json", *args], catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout)


def test_warm_run_equals_cold_run_and_uses_the_cache(project) -> None:
    root = project({"app/__init__.py": "", "app/db.py": DB, "app/api.py": API})
    cold = check("--no-cache")
    assert not (root / ".loopguard_cache").exists()
    first = check()
    assert (root / ".loopguard_cache" / ".gitignore").read_text().strip().endswith("*")
    entries = sorted(p.name for p in (root / ".loopguard_cache").rglob("*") if p.is_file())
    warm = check()
    assert cold == first == warm
    assert [f["code"] for f in warm[1]] == ["LG101", "LG401"]
    assert entries == sorted(p.name for p in (root / ".loopguard_cache").rglob("*") if p.is_file())


def test_editing_another_module_changes_the_callers_finding(project) -> None:
    root = project({"app/__init__.py": "", "app/db.py": DB, "app/api.py": API})
    assert [f["code"] for f in check()[1]] == ["LG101", "LG401"]
    (root / "app/db.py").write_text(DB_ASYNC)
    assert [f["code"] for f in check()[1]] == ["LG101"]
    assert check()[1] == check("--no-cache")[1]


def test_editing_the_file_itself(project) -> None:
    root = project({"app/__init__.py": "", "app/db.py": DB, "app/api.py": API})
    check()
    (root / "app/api.py").write_text(API.replace("time.sleep(1)", "pass  # was sleeping"))
    assert [f["code"] for f in check()[1]] == ["LG401"]


def test_config_change_invalidates(project) -> None:
    root = project({"app/__init__.py": "", "app/db.py": DB, "app/api.py": API})
    check()
    (root / "pyproject.toml").write_text("[tool.loopguard]\nignore = ['LG4']\n")
    assert [f["code"] for f in check()[1]] == ["LG101"]


def test_corrupt_entries_are_ignored(project) -> None:
    root = project({"app/__init__.py": "", "app/db.py": DB, "app/api.py": API})
    expected = check()
    for entry in (root / ".loopguard_cache").rglob("*"):
        if entry.is_file() and entry.name not in (".gitignore", "CACHEDIR.TAG"):
            entry.write_bytes(b"not a pickle")
    assert check() == expected
    assert check() == expected


def test_cache_dir_option_and_unwritable_cache(project, tmp_path: Path) -> None:
    project({"app/__init__.py": "", "app/db.py": DB, "app/api.py": API})
    elsewhere = tmp_path / "elsewhere-cache"
    assert check("--cache-dir", str(elsewhere))[0] == 1
    assert (elsewhere / "CACHEDIR.TAG").exists()
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    code, found = check("--cache-dir", str(blocked / "cache"))  # cannot be created: slower, not wrong
    assert code == 1 and len(found) == 2


def test_parallel_run_equals_serial_run(project) -> None:
    files = {"app/__init__.py": "", "app/db.py": DB}
    for number in range(150):
        files[f"app/api_{number}.py"] = API if number % 3 == 0 else "async def f():\n    pass\n"
    project(files)
    serial = check("--no-cache", "--jobs", "1")
    parallel = check("--no-cache", "--jobs", "2")
    assert serial == parallel
    assert len(serial[1]) == 2 * 50


def test_editing_a_module_two_calls_down_replans_the_coroutine(project) -> None:
    root = project({
        "app/__init__.py": "",
        "app/client.py": "import requests\n\ndef fetch():\n    return requests.get('u')\n",
        "app/service.py": "from app.client import fetch\n\ndef load():\n    return fetch()\n",
        "app/api.py": "from app.service import load\n\nasync def handler():\n    return load()\n",
    })
    first = check("app")
    assert [(f["path"], f["code"]) for f in first[1]] == [("app/api.py", "LG201")]
    (root / "app/client.py").write_text("def fetch():\n    return 'cached'\n")
    assert check("app")[1] == []
    (root / "app/client.py").write_text("import time\n\ndef fetch():\n    time.sleep(1)\n")
    assert [f["code"] for f in check("app")[1]] == ["LG101"]
    assert check("app") == check("--no-cache", "app")


def test_a_new_module_can_change_how_a_name_resolves(project) -> None:
    root = project({
        "app/__init__.py": "",
        "app/api.py": "from app.helpers import fetch\n\nasync def handler():\n    return fetch()\n",
    })
    assert check("app")[1] == []
    (root / "app/helpers.py").write_text("import requests\n\ndef fetch():\n    return requests.get('u')\n")
    assert [f["code"] for f in check("app")[1]] == ["LG201"]


def test_a_module_created_after_a_one_file_run_is_read_by_the_next_one(project) -> None:
    """Checking one file reads the modules it imports from the disk (what pre-commit and an editor
    do); a module that did not exist then is not in the last run's record of what it read, so the
    record also says where the imported modules it did not find would be."""
    api = "from app.helpers import fetch\n\nasync def handler():\n    return fetch()\n"
    helper = "import requests\n\ndef fetch():\n    return requests.get('u')\n"
    root = project({"app/__init__.py": "", "app/api.py": api})
    assert check("app/api.py")[1] == []
    (root / "app/helpers.py").write_text(helper)
    assert [f["code"] for f in check("app/api.py")[1]] == ["LG201"]
    assert check("app/api.py") == check("--no-cache", "app/api.py")
    (root / "app/helpers.py").unlink()
    assert check("app/api.py")[1] == []


def test_a_namespace_folder_created_after_a_one_file_run_is_read_by_the_next_one(project) -> None:
    api = "from app.sub.helpers import fetch\n\nasync def handler():\n    return fetch()\n"
    root = project({"app/__init__.py": "", "app/api.py": api})
    assert check("app/api.py")[1] == []
    (root / "app/sub").mkdir()
    (root / "app/sub/helpers.py").write_text("import requests\n\ndef fetch():\n    return requests.get('u')\n")
    assert [f["code"] for f in check("app/api.py")[1]] == ["LG201"]


def test_a_new_loopguard_version_or_build_does_not_reuse_entries(project, monkeypatch) -> None:
    import loopguard.cache.store as cache_module

    root = project({"app/__init__.py": "", "app/db.py": DB, "app/api.py": API})
    expected = check()

    def entries() -> set[str]:
        return {p.name for p in (root / ".loopguard_cache" / "entries").rglob("*") if p.is_file()}

    before = entries()
    monkeypatch.setattr(cache_module, "__version__", "9.9.9")
    assert check() == expected
    after_version = entries()
    assert after_version - before, "a new version wrote no new entries: old ones were reused"
    monkeypatch.setattr(cache_module, "code_digest", lambda: "another build")
    assert check() == expected
    assert entries() - after_version, "a changed build wrote no new entries: old ones were reused"


def test_the_code_digest_covers_every_module_of_the_package() -> None:
    """An edit of the analysis or the catalogue changes every key: a cache written by another
    build is never served (the digest once covered only the cache package's own modules)."""
    import loopguard
    from loopguard.cache.store import package_sources

    package = Path(loopguard.__file__).resolve().parent
    hashed = {path.relative_to(package).as_posix() for path in package_sources()}
    expected = {path.relative_to(package).as_posix() for path in package.rglob("*.py")}
    assert hashed == expected
    assert {"analysis/index.py", "analysis/transitive.py", "catalogue/waiting.py", "runner.py"} <= hashed


def test_writing_the_pack_removes_what_an_older_format_left(tmp_path: Path) -> None:
    from loopguard.cache.store import FORMAT, Cache

    directory = tmp_path / "cache"
    directory.mkdir()
    outside = tmp_path / "precious"
    outside.write_bytes(b"keep me")
    for name in ("pack-5.msgpack", "manifest-5.msgpack", "pack-2.pickle", "manifest-2.pickle"):
        (directory / name).write_bytes(b"old")
    (directory / "pack-4.msgpack").symlink_to(outside)
    (directory / "notes.txt").write_text("not ours to judge")
    cache = Cache(directory)
    cache.put("entry", (None, (1, 1, "cannot parse file")))
    cache.remember_record(str(tmp_path / "a.py"), b"\0" * 49)
    cache.save()
    left = sorted(path.name for path in directory.iterdir() if path.name != "entries")
    assert left == sorted([f"manifest-{FORMAT}.msgpack", f"pack-{FORMAT}.msgpack", "notes.txt"])
    assert outside.read_bytes() == b"keep me"  # the link went, not what it pointed to


def test_a_file_pair_taken_apart_in_place_is_the_pair_msgpack_reads() -> None:
    import msgpack

    from loopguard.cache.store import pair_in_place, signature_and_payload, unpack

    for signature in (b"", b"s" * 16):
        for size in (0, 10, 255, 256, 65_535, 65_536, 200_000):  # each bin length width
            payload = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
            data = msgpack.packb((signature, payload), use_bin_type=True)
            found = pair_in_place(data)
            assert found is not None and (found[0], bytes(found[1])) == signature_and_payload(unpack(data))
            assert pair_in_place(data[:-1]) is None  # truncated
            assert pair_in_place(data + b"\x00") is None  # something after it
    for other in (b"", b"\x92", b"\x93\xc4\x00\xc4\x00\xc4\x00", msgpack.packb(("text", b"x")), msgpack.packb([1, 2])):
        assert pair_in_place(other) is None
