"""``index_module(..., arguments_read=False)``: the calls' arguments are read against the module's
names only for the calls the summary keeps (``index.unread_arguments``), and the summary is the
one the index with every argument read gives."""

from __future__ import annotations

import ast

import pytest

from loopguard.analysis.index import index_module, unread_arguments
from loopguard.analysis.summary import encode, summarize
from loopguard.models import PASSED

SOURCE = """\
import dataclasses
import os
import subprocess
from app import settings
from app.kinds import Kind

MODE = "fast"
TIMEOUT = 5
FLAG = os.WNOHANG | os.WUNTRACED


@dataclasses.dataclass(frozen=True)
class Plan:
    endpoint: str
    sync: bool = False


PLANS = {"a": Plan("a"), "b": Plan("b", sync=True)}


class Client:
    def run(self, mode):
        pass


def helper(path, count: int, mode=MODE):
    subprocess.run(path, timeout=TIMEOUT, mode=MODE)
    os.waitpid(count, FLAG)
    settings.load(MODE, settings.NAME, Kind.FAST.value)
    os.open(count, list(path))
    client = Client()
    client.run(MODE)
    helper(PLANS["a"], count)
    [os.open(name, TIMEOUT) for name in path]


async def handler(path: str):
    subprocess.run(path, timeout=TIMEOUT)
    settings.load(MODE)
    Client().run(MODE)
"""


def summaries(source: str, wanted: object = None) -> tuple[object, object]:
    keep = (lambda key: True) if wanted is None else wanted
    read = summarize(index_module(ast.parse(source), "app.api", "app"), {"app"}, keep)  # type: ignore[arg-type]
    unread_index = index_module(ast.parse(source), "app.api", "app", arguments_read=False)
    unread = summarize(unread_index, {"app"}, keep)  # type: ignore[arg-type]
    return encode(read), encode(unread)


@pytest.mark.parametrize(
    "change",
    [
        "",
        "MODE = 'slow'",  # a constant bound twice: not a literal
        "from elsewhere import *",  # a star import after the constants may rebind them
        "del TIMEOUT",
        "PLANS = {}",  # a table bound twice: its entries give no fields
        "Client = dict",  # the receiver's class bound twice
    ],
)
def test_the_summary_is_the_one_of_every_argument_read(change: str) -> None:
    read, unread = summaries(SOURCE + change + "\n")
    assert unread == read


def test_a_summary_keeping_only_some_calls_reads_theirs() -> None:
    read, unread = summaries(SOURCE, lambda key: key.startswith("subprocess."))
    assert unread == read


def test_the_arguments_are_left_unread_until_a_call_is_kept() -> None:
    read = index_module(ast.parse(SOURCE), "app.api", "app")
    unread = index_module(ast.parse(SOURCE), "app.api", "app", arguments_read=False)
    assert read.unread is None and unread.unread is not None
    run = next(number for number, call in enumerate(read.calls) if call.func == ("attr", ("name", "subprocess"), "run"))
    assert dict(read.calls[run].literals)["timeout"] == 5
    assert dict(unread.calls[run].literals)["timeout"] == (PASSED, "TIMEOUT")  # as the walk left it
    call = unread.calls[run]
    assert unread_arguments(unread, call.literals, call.scope) == read.calls[run].literals
    # an index whose arguments are read gives them back as they are
    assert unread_arguments(read, read.calls[run].literals, call.scope) == read.calls[run].literals
    # the module's names are worked out either way: the module exports them
    assert unread.constants == read.constants
