"""The bad-input matrix: each broken file is exactly one LG001 naming the file (and the position
where known), every valid file is checked — its findings kept at the right place — and a run over
a folder holding all of them still reports the good files' findings, exits 2 and never crashes."""

from __future__ import annotations

import faulthandler
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from loopguard.analysis.stages import make_settings
from loopguard.config import Config
from loopguard.jobs import make_jobs
from loopguard.models import Finding
from loopguard.pool import MIN_FILES_PER_WORKER, WorkerPool
from loopguard.runner import check_jobs, check_paths
from loopguard.sourcetext import MAX_FILE_BYTES, split_lines

GOOD = "import time\nasync def f():\n    time.sleep(1)\n"
SLEEP = "import time\n\nasync def handler():\n"  # the blocking call goes on line 4


def nested_blocks(levels: int, opener: str) -> str:
    """``levels`` nested blocks (one space of indentation each), the blocking call innermost."""
    lines = [SLEEP.rstrip("\n")]
    for level in range(1, levels + 1):
        lines.append(" " * level + opener.format(n=level))
    lines.append(" " * (levels + 1) + "time.sleep(1)")
    return "\n".join(lines) + "\n"


def in_coroutine(expression: str) -> str:
    return SLEEP + f"    x = {expression}\n"


# name -> (source, line, column) of the one LG101 the file must report
VALID: dict[str, tuple[bytes, int, int]] = {
    "utf8_bom": (b"\xef\xbb\xbf" + GOOD.encode(), 3, 5),
    "crlf": (GOOD.replace("\n", "\r\n").encode(), 3, 5),
    "lone_cr": (GOOD.replace("\n", "\r").encode(), 3, 5),
    "latin1_cookie": (
        "# -*- coding: latin-1 -*-\nimport time\nasync def f():\n    x = 'é'\n    time.sleep(1)\n".encode("latin-1"),
        5, 5,
    ),
    "tabs": (b"import time\nasync def f():\n\tif True:\n\t\ttime.sleep(1)\n", 4, 3),
    "form_feed_in_code": (b"import time\n\x0c\nasync def f():\n    x = 1\x0c\n    \x0c\n    time.sleep(1)\n", 6, 5),
    "form_feed_in_string": (b"import time\nasync def f():\n    x = 'a\x0cb'\n    time.sleep(1)\n", 4, 5),
    "u2028_in_string": ("import time\nasync def f():\n    x = 'a\u2028b'\n    time.sleep(1)\n".encode(), 4, 5),
    "u2028_in_comment": ("import time\nasync def f():\n    # a\u2028b\u2029c\x85d\n    time.sleep(1)\n".encode(), 4, 5),
    "u2028_before_call_on_line": ("import time\nasync def f():\n    x = '\u2028'; time.sleep(1)\n".encode(), 3, 14),
    "vertical_tab_and_fs": (b"import time\nasync def f():\n    x = '\x0b\x1c\x1d\x1e'\n    time.sleep(1)\n", 4, 5),
    "brackets_50": (in_coroutine("(" * 50 + "time.sleep(1)" + ")" * 50).encode(), 4, 59),
    # 199 parentheses and the call's own: 200 levels, CPython's limit
    "brackets_200": (in_coroutine("(" * 199 + "time.sleep(1)" + ")" * 199).encode(), 4, 208),
    "blocks_50": (nested_blocks(50, "if True:").encode(), 54, 52),
    "defs_50": (nested_blocks(50, "async def f{n}():").encode(), 54, 52),
    "unary_1000": (in_coroutine("-" * 1000 + "time.sleep(1)").encode(), 4, 1009),
    "unary_3000": (in_coroutine("-" * 3000 + "time.sleep(1)").encode(), 4, 3009),
    "binop_1000": (in_coroutine("a + " * 1000 + "time.sleep(1)").encode(), 4, 4009),
    "binop_3000": (in_coroutine("a + " * 3000 + "time.sleep(1)").encode(), 4, 12009),
    "implicit_concatenation_4000": (in_coroutine("('a' " + "'b' " * 4000 + ")\n    time.sleep(1)").encode(), 5, 5),
    "chained_subscripts_2000": (in_coroutine("time.sleep(1)" + "[0]" * 2000).encode(), 4, 9),
    "list_literal_1mb": (in_coroutine("[" + ", ".join(map(str, range(150_000))) + "]\n    time.sleep(1)").encode(), 5, 5),
    "ten_megabytes": ((GOOD + "# generated\n" * (10_000_000 // 12)).encode(), 3, 5),
}

# name -> (source, text the LG001 says, its line or None when not asserted)
BROKEN: dict[str, tuple[bytes, str, int | None]] = {
    "syntax_error": (b"x = 1\ndef f(:\n    pass\n", "invalid syntax at line 2", 2),
    "null_byte": (b"x = 1  # a\x00b\n", "null byte at line 1, column 11", 1),
    "binary": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "undecodable byte 0x89 at offset 0", 1),
    "undecodable_no_cookie": (b"x = 1\ny = '\xff'\n", "undecodable byte 0xff at offset 11 (line 2)", 2),
    "undecodable_with_cookie": (b"# coding: utf-8\nx = '\xff'\n", "undecodable byte 0xff at offset 21 (line 2)", 2),
    "unknown_cookie": (b"# coding: klingon\nx = 1\n", "cannot decode file", 1),
    "utf16_bom": ("x = 1\n".encode("utf-16"), "cannot decode file", 1),
    "brackets_201": (in_coroutine("(" * 201 + "1" + ")" * 201).encode(), "nesting too deep", 4),
    "brackets_1000": (in_coroutine("[" * 1000 + "]" * 1000).encode(), "nesting too deep", 4),
    "brackets_3000": (("x = " + "(" * 3000 + ")" * 3000 + "\n").encode(), "nesting too deep", 1),
    "blocks_200": (nested_blocks(200, "if True:").encode(), "nesting too deep", None),
    "blocks_1000": (nested_blocks(1000, "if True:").encode(), "nesting too deep", None),
    "blocks_3000": (nested_blocks(3000, "if True:").encode(), "nesting too deep", None),
    "defs_200": (nested_blocks(200, "def f{n}():").encode(), "nesting too deep", None),
    "defs_1000": (nested_blocks(1000, "async def f{n}():").encode(), "nesting too deep", None),
    "defs_3000": (nested_blocks(3000, "def f{n}():").encode(), "nesting too deep", None),
    "binop_6000": (in_coroutine("a + " * 6000 + "time.sleep(1)").encode(), "nesting too deep", 4),
    "unary_10000": (in_coroutine("-" * 10_000 + "1").encode(), "nesting too deep", None),
}


def write_bytes(root: Path, name: str, data: bytes) -> Path:
    path = root / f"{name}.py"
    path.write_bytes(data)
    return path


def check(*paths: Path, root: Path) -> list[Finding]:
    results = check_paths(list(paths), Config(root=root), cwd=root)
    return sorted((f for r in results for f in r.findings), key=Finding.sort_key)


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_file_is_checked_and_keeps_its_finding(tmp_path: Path, name: str) -> None:
    data, line, column = VALID[name]
    path = write_bytes(tmp_path, name, data)
    found = check(path, root=tmp_path)
    assert [(f.code, f.line, f.column) for f in found] == [("LG101", line, column)], found


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_file_is_one_lg001_naming_file_reason_and_position(tmp_path: Path, name: str) -> None:
    data, reason, line = BROKEN[name]
    path = write_bytes(tmp_path, name, data)
    good = write_bytes(tmp_path, "good", GOOD.encode())
    found = check(path, good, root=tmp_path)
    errors = [f for f in found if f.code == "LG001"]
    assert len(errors) == 1, found
    [error] = errors
    assert error.path == path.name and reason in error.message, error
    if line is not None:
        assert error.line == line, error
    assert [(f.path, f.code, f.line) for f in found if f is not error] == [("good.py", "LG101", 3)]


def test_empty_file_is_checked(tmp_path: Path) -> None:
    assert check(write_bytes(tmp_path, "empty", b""), root=tmp_path) == []


def test_fifo_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    [error] = check(fifo, root=tmp_path)
    assert error.code == "LG001" and "FIFO" in error.message


def test_symlink_to_dev_zero_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "zero.py").symlink_to("/dev/zero")
    [error] = check(tmp_path / "zero.py", root=tmp_path)
    assert error.code == "LG001" and "character device" in error.message


def test_file_above_the_size_limit_is_one_lg001(tmp_path: Path) -> None:
    huge = tmp_path / "huge.py"
    with huge.open("wb") as handle:  # sparse: costs no disk and no time
        handle.truncate(MAX_FILE_BYTES + 1)
    [error] = check(huge, root=tmp_path)
    assert error.code == "LG001" and "too large" in error.message and f"{MAX_FILE_BYTES:,}" in error.message


def test_file_deleted_during_the_run(tmp_path: Path) -> None:
    good = write_bytes(tmp_path, "good", GOOD.encode())
    gone = write_bytes(tmp_path, "gone", GOOD.encode())
    jobs = make_jobs([good, gone], tmp_path, tmp_path)
    gone.unlink()  # after discovery, before reading
    results = check_jobs(jobs, make_settings(Config(root=tmp_path)), workers=1)
    found = sorted((f for r in results for f in r.findings), key=Finding.sort_key)
    assert [(f.path, f.code) for f in found] == [("gone.py", "LG001"), ("good.py", "LG101")]
    assert "No such file" in found[0].message


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = write_bytes(tmp_path, "locked", GOOD.encode())
    good = write_bytes(tmp_path, "good", GOOD.encode())
    if getattr(os, "geteuid", lambda: -1)() == 0:
        # root reads files whatever their permissions (CI runs as root): refuse the open instead
        real_open = os.open

        def refusing_open(path: object, *args: object, **kwargs: object) -> int:
            if str(path) == str(locked):
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr(os, "open", refusing_open)
    locked.chmod(0)
    try:
        found = check(locked, good, root=tmp_path)
    finally:
        locked.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert [(f.path, f.code) for f in found] == [("good.py", "LG101"), ("locked.py", "LG001")]
    assert "Permission denied" in found[1].message


def test_lines_are_split_like_pythons_tokenizer() -> None:
    assert split_lines("a\r\nb\rc\nd\x0ce\x0b\x1c\x85\u2028\u2029f\n\ng") == [
        "a\r\n", "b\r", "c\n", "d\x0ce\x0b\x1c\x85\u2028\u2029f\n", "\n", "g",
    ]


# -- a worker that dies costs its file only --------------------------------------------------------
def die_on_boom(items: list[str]) -> list[str]:
    for item in items:
        if item == "boom":
            faulthandler.disable()  # pytest's, inherited by the worker: it would print the stack
            os.kill(os.getpid(), signal.SIGSEGV)
    return [item.upper() for item in items]


def test_a_dead_worker_costs_only_the_item_that_killed_it() -> None:
    items = [f"file{n}" for n in range(2 * MIN_FILES_PER_WORKER)]
    items[37] = "boom"
    with WorkerPool(2) as pool:
        results = pool.map(die_on_boom, items, lambda item, why: f"crashed {item}: {why}")
        again = pool.map(die_on_boom, [*items, "x"], lambda item, why: "crashed")
    assert results[:37] == [f"FILE{n}" for n in range(37)]
    assert results[38:] == [f"FILE{n}" for n in range(38, 2 * MIN_FILES_PER_WORKER)]
    assert results[37].startswith("crashed boom: ") and "SIGSEGV" in results[37]
    assert again.count("crashed") == 1 and len(again) == len(items) + 1  # a fresh pool after the break


# -- the whole folder, through the real command line -----------------------------------------------
def hostile_folder(root: Path, fillers: int) -> set[str]:
    """Every hostile file, one good file and ``fillers`` clean ones; returns the broken names."""
    broken = {"syntax_error", "null_byte", "binary", "undecodable_no_cookie", "utf16_bom", "brackets_3000",
              "blocks_1000", "binop_6000"}
    for name in broken:
        write_bytes(root, name, BROKEN[name][0])
    for name in ("crlf", "form_feed_in_code", "u2028_in_string", "implicit_concatenation_4000"):
        write_bytes(root, name, VALID[name][0])
    write_bytes(root, "good", GOOD.encode())
    os.mkfifo(root / "pipe.py")
    (root / "zero.py").symlink_to("/dev/zero")
    for number in range(fillers):
        write_bytes(root, f"filler{number}", b"x = 1\n")
    return broken | {"pipe", "zero"}


@pytest.mark.parametrize("fillers", [0, 2 * MIN_FILES_PER_WORKER], ids=["in-process", "pool"])
def test_cli_over_a_hostile_folder(tmp_path: Path, fillers: int) -> None:
    broken = hostile_folder(tmp_path, fillers)
    done = subprocess.run(
        [sys.executable, "-m", "loopguard", "check", "--no-cache", "--jobs", "2", "--output-format", "concise", "."],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "Error" not in done.stderr, done.stderr
    lines = done.stdout.splitlines()
    assert "good.py:3:5: LG101 `time.sleep` blocks the event loop; use `await asyncio.sleep(...)`" in lines
    for name in ("crlf", "form_feed_in_code", "u2028_in_string", "implicit_concatenation_4000"):
        assert sum(line.startswith(f"{name}.py:") and " LG101 " in line for line in lines) == 1, name
    for name in broken:
        assert sum(line.startswith(f"{name}.py:") and " LG001 " in line for line in lines) == 1, name
    assert sum(" LG001 " in line for line in lines) == len(broken)


def test_stdin_above_the_size_limit_is_one_lg001(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "loopguard", "check", "--no-cache", "--stdin-filename", "big.py", "-"],
        cwd=tmp_path, input=b"#" * (MAX_FILE_BYTES + 1), capture_output=True, timeout=60, check=False,
    )
    assert done.returncode == 2 and b"big.py:1:1: LG001 cannot analyse file: it is too large" in done.stdout


def test_stdin_nested_too_deeply_for_libcst_is_one_lg001(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "loopguard", "check", "--no-cache", "--stdin-filename", "deep.py", "-"],
        cwd=tmp_path, input=BROKEN["brackets_3000"][0], capture_output=True, timeout=60, check=False,
    )
    assert done.returncode == 2 and b"deep.py:1:" in done.stdout and b"nesting too deep" in done.stdout
    assert b"Traceback" not in done.stderr


@pytest.mark.parametrize(("links", "reported"), [(50, True), (3000, False)])
def test_long_alias_chains_resolve_within_a_bound_else_stay_silent(tmp_path: Path, links: int, reported: bool) -> None:
    aliases = "".join(f"t{n + 1} = t{n}\n" for n in range(links))
    source = f"import time\nt0 = time\n{aliases}\nasync def f():\n    t{links}.sleep(1)\n"
    found = check(write_bytes(tmp_path, "aliases", source.encode()), root=tmp_path)
    assert [f.code for f in found] == (["LG101"] if reported else [])  # unknown is silent, never LG001


def test_long_inheritance_chain_is_not_a_crash(tmp_path: Path) -> None:
    classes = "".join(f"class C{n + 1}(C{n}):\n    pass\n" for n in range(3000))
    source = f"import requests\nclass C0(requests.Session):\n    pass\n{classes}\nasync def f():\n    C3000().get('u')\n"
    found = check(write_bytes(tmp_path, "classes", source.encode()), root=tmp_path)
    assert [f.code for f in found if f.code == "LG001"] == []


def test_noqa_is_read_where_libcst_cannot_confirm(tmp_path: Path) -> None:
    """A coroutine libcst refuses is confirmed from ast; its ``# noqa`` comments still count."""
    refused = "('a' " + "'b' " * 4000 + ")"
    source = SLEEP + f"    x = {refused}\n    s = '# not a comment'; time.sleep(1)  # noqa: LG101\n    time.sleep(2)\n"
    found = check(write_bytes(tmp_path, "noqa", source.encode()), root=tmp_path)
    assert [(f.code, f.line, f.column) for f in found] == [("LG101", 6, 5)]


def test_the_libcst_depth_limit_follows_the_stack_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    from loopguard import sourcetext

    monkeypatch.setattr(sourcetext, "stack_limit", lambda: 1024 * 1024)
    assert sourcetext.libcst_depth_limit() == 1024 * 1024 // (6 * 1024 * 5)
    assert sourcetext.libcst_refusal("x = " + "(" * 40 + "1" + ")" * 40) is not None
    monkeypatch.setattr(sourcetext, "stack_limit", lambda: None)
    assert sourcetext.libcst_refusal("x = " + "(" * 40 + "1" + ")" * 40) is None
