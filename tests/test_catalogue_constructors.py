"""Constructors that do I/O only for some arguments (catalogue ``Rule.non_waiting`` with
``left_out``): ``ftplib.FTP()`` stores its arguments, ``ftplib.FTP(host)`` connects. The fixture
``catalogue_constructors.py`` checks the entries end to end; these pin the condition itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import findings_of

from loopguard.models import NOT_LITERAL, PASSED, Literal, NonWaiting

HOST = NonWaiting(0, "host", "", left_out=True)


@pytest.mark.parametrize(
    ("literals", "holds"),
    [
        ((), True),  # FTP()
        (((0, ""),), True),  # FTP("")
        ((("host", ""),), True),  # FTP(host="")
        ((("timeout", 5),), True),  # FTP(timeout=5)
        (((0, "ftp.example.com"),), False),  # FTP("ftp.example.com")
        (((0, (PASSED, "host")),), False),  # FTP(host) with the caller's variable
        ((("#", 1),), False),  # FTP(self.host): a positional argument that is not a literal
        ((("host", NOT_LITERAL),), False),  # FTP(host=self.host)
        ((("*", NOT_LITERAL),), False),  # FTP(*args) / FTP(**options): may give a host
    ],
)
def test_left_out_argument_counts_as_its_default(literals: tuple[Literal, ...], holds: bool) -> None:
    assert HOST.holds(literals) is holds


def test_without_left_out_a_missing_argument_is_not_the_default() -> None:
    delay = NonWaiting(3, "delay", True)
    assert not delay.holds(())  # FileHandler(path) opens the file
    assert delay.holds((("delay", True),))
    assert delay.holds(((3, True),))


@pytest.mark.parametrize(
    ("literals", "holds"),
    [
        ((), False),  # KafkaProducer(): asks the brokers
        ((("api_version", None),), False),
        ((("api_version", NOT_LITERAL),), True),  # api_version=(3, 7, 0)
        ((("api_version", (PASSED, "version")),), True),
        ((("api_version", "3.7"),), True),
        ((("*", NOT_LITERAL),), False),  # **config: unknown
    ],
)
def test_given_holds_for_any_value_but_none(literals: tuple[Literal, ...], holds: bool) -> None:
    assert NonWaiting(-1, "api_version", None, given=True).holds(literals) is holds


def test_none_matches_a_condition_on_none(tmp_path: Path) -> None:
    """``ElementTree(root, None)`` parses nothing, as ``ElementTree(root)`` does."""
    source = tmp_path / "tree.py"
    source.write_text(
        "import xml.etree.ElementTree as ET\n\n\n"
        "async def build(root, path):\n"
        "    ET.ElementTree(root, None)\n"
        "    ET.ElementTree(root, file=None)\n"
        "    ET.ElementTree(root, path)\n",
        encoding="utf-8",
    )
    assert [(f.line, f.code) for f in findings_of(source)] == [(7, "LG707")]
