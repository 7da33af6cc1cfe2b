"""An enum member's value in a guard, across modules: through an import and a re-export, followed
when the enum's module changes (a warm cache gives what a cold run gives), and unknown in a module
that binds the class's name again."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from loopguard.cli import cli

KINDS = '''
import enum


class Kind(enum.Enum):
    GOOGLE = "google_kms"
    CYBERARK = "cyberark"
'''
INITIALIZE = '''
def initialize(kind):
    if kind == Kind.GOOGLE.value:
        return open("/etc/google.json").read()
    return None
'''
SECRETS = "\nfrom app import Kind\n\n" + INITIALIZE
API = '''
from app.secrets import initialize
from app import Kind


async def handler():
    initialize("cyberark")
    initialize("google_kms")
    initialize(Kind.CYBERARK.value)
    initialize(Kind.GOOGLE.value)
'''
REBOUND = "\nfrom app.kinds import Kind\n\n" + INITIALIZE + '''

async def handler():
    initialize("cyberark")


Kind = None
'''


def check(*args: str) -> list[tuple[str, int, str]]:
    result = CliRunner().invoke(cli, ["check", "--output-format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    return [(f["path"], f["line"], f["code"]) for f in json.loads(result.stdout)]


def test_a_member_imported_through_a_reexport_decides_the_guard(project) -> None:
    root: Path = project({
        "app/__init__.py": "from app.kinds import Kind\n", "app/kinds.py": KINDS,
        "app/secrets.py": SECRETS, "app/api.py": API,
    })
    assert check() == [("app/api.py", 8, "LG501"), ("app/api.py", 10, "LG501")] == check("--no-cache")
    (root / "app/kinds.py").write_text(KINDS.replace('GOOGLE = "google_kms"', 'GOOGLE = "cyberark"'))
    changed = [("app/api.py", 7, "LG501"), ("app/api.py", 9, "LG501"), ("app/api.py", 10, "LG501")]
    assert check() == changed == check("--no-cache")


def test_a_class_bound_again_in_the_module_leaves_the_guard_unknown(project) -> None:
    project({"app/__init__.py": "", "app/kinds.py": KINDS, "app/rebound.py": REBOUND})
    assert check() == [("app/rebound.py", 12, "LG501")]


STAR_FIRST = "\nfrom app.other import *\nfrom app.kinds import Kind\n\n" + INITIALIZE + '''

async def handler():
    initialize("cyberark")
    initialize(Kind.CYBERARK.value)
'''


def test_a_star_import_before_the_class_is_imported_cannot_rebind_it(project) -> None:
    star_last = STAR_FIRST.replace("from app.other import *\n", "").replace(
        "\n\ndef initialize", "from app.other import *\n\n\ndef initialize"
    )
    project({"app/__init__.py": "", "app/kinds.py": KINDS, "app/other.py": "X = 1\n",
             "app/first.py": STAR_FIRST, "app/last.py": star_last})
    assert check() == [("app/last.py", 13, "LG501"), ("app/last.py", 14, "LG501")]
