"""What ``self.x`` holds while ``__init__`` runs (init_flow.py, self_sets.py): the single-file
cases are tests/fixtures/precision_init_flow.py; here, the ways an attribute may change that are
not a plain call or assignment between the store and the call."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import lines_reported

HEADER = """\
import threading

_lock = threading.RLock()


def register(callback):
    with _lock:
        pass


def keep(instance):
    return instance


class Logging:
    def __init__(self, callbacks=None):
        self.callbacks = callbacks
"""

PROGRAM = HEADER + """\
{between}        self.process()

    def process(self):
        self._process(self.callbacks)

    def _process(self, callbacks):
        if callbacks is None:
            return
        register(callbacks)

    @property
    def audited(self):
        self.callbacks = ["audit"]
        return True


async def handler():
    Logging()
"""


def lines_reported_with(tmp_path: Path, between: str) -> list[int]:
    return lines_reported(tmp_path, PROGRAM.format(between=between))


def test_nothing_between_the_store_and_the_call_keeps_the_default(tmp_path: Path) -> None:
    assert lines_reported_with(tmp_path, "") == []


@pytest.mark.parametrize(
    "between",
    [
        "        print(self.audited)\n",  # a property getter of the class assigns it
        "        other = self\n        other.callbacks = ['x']\n",  # the receiver under another name
        "        for _ in range(2):\n            keep(self)\n",  # passed on in a loop
        "        del self.callbacks\n        self.callbacks = ['x']\n",  # assigned again
    ],
)
def test_an_attribute_that_may_change_between_is_unknown(tmp_path: Path, between: str) -> None:
    assert lines_reported_with(tmp_path, between) == [len(PROGRAM.format(between=between).splitlines())]


NESTED = HEADER + """\
{call}

    def process(self, _=None):
        if self.callbacks is None:
            return
        register(self.callbacks)

    def reset(self):
        self.callbacks = ["x"]


async def handler():
    Logging()
"""


@pytest.mark.parametrize(
    ("call", "reported"),
    [
        ("        self.process()", []),
        ("        self.process(self.reset())", [30]),  # the call in its arguments runs first
        ("        self.process(keep(self))", [30]),  # the receiver passed on, in its arguments
    ],
)
def test_a_call_in_the_arguments_of_a_call_on_self_runs_first(tmp_path: Path, call: str, reported: list[int]) -> None:
    assert lines_reported(tmp_path, NESTED.format(call=call)) == reported
