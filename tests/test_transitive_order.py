"""A transitive answer is a function of the call graph alone.

Whatever the order in which files are checked, what a warm cache skipped or how the functions call
each other in cycles, a coroutine's call of a helper gets the same finding: the SHORTEST chain down
to a blocking call, within ``max-depth`` hops, ties broken by call order in each body. Chains of
thousands of functions and a full mesh of calls are answered without recursion, in one pass.
"""

from __future__ import annotations

import itertools
import json
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import findings_of

from loopguard.analysis.match import Matcher
from loopguard.analysis.stages import index_source
from loopguard.analysis.transitive import CallGraph
from loopguard.cli import cli
from loopguard.config import Config
from loopguard.runner import build_project

Finding = tuple[str, int, str, tuple[str, ...]]

# load() and refresh() call each other; only load() reaches a blocking call (through c.sleepy).
# Asked about load() first, the old search memoised "refresh() does not block" while load() was on
# its path, so a project run (a.py is planned first) missed handle_refresh, which a run of b.py
# alone reports.
CYCLE = {
    "app/__init__.py": "",
    "app/a.py": """from app import b
from app.c import sleepy


def load():
    b.refresh()
    sleepy()


async def handle_load():
    load()
""",
    "app/b.py": """from app import a


def refresh():
    a.load()


async def handle_refresh():
    refresh()
""",
    "app/c.py": "import time\n\n\ndef sleepy():\n    time.sleep(1)\n",
}
HANDLE_LOAD = ("app/a.py", 11, "LG101", ("load()", "sleepy()", "time.sleep"))
HANDLE_REFRESH = ("app/b.py", 9, "LG101", ("refresh()", "load()", "sleepy()", "time.sleep"))


def run(*args: str) -> list[Finding]:
    """A CLI run (cached unless ``--no-cache`` is given): (path, line, code, chain calls)."""
    arguments = ["check", "--output-format", "json", *args]
    result = CliRunner().invoke(cli, arguments, catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return sorted(
        (f["path"], f["line"], f["code"], tuple(hop["call"] for hop in f["chain"]))
        for f in json.loads(result.stdout)
    )


def edit(path: Path, *replacements: tuple[str, str]) -> None:
    text = path.read_text()
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new, 1)
    path.write_text(text)


def expected_for(target: str) -> list[Finding]:
    return [f for f in (HANDLE_LOAD, HANDLE_REFRESH) if target == "app" or f[0] == target]


def test_a_cycle_gives_the_same_findings_in_a_project_run_and_in_one_file_runs(project) -> None:
    project(CYCLE)
    assert run("--no-cache", "app") == [HANDLE_LOAD, HANDLE_REFRESH]
    assert run("--no-cache", "app/a.py") == [HANDLE_LOAD]
    assert run("--no-cache", "app/b.py") == [HANDLE_REFRESH]
    assert run("--no-cache", "app/b.py", "app/a.py") == [HANDLE_LOAD, HANDLE_REFRESH]


@pytest.mark.parametrize("order", list(itertools.permutations(["app/a.py", "app/b.py", "app"])))
def test_a_cycle_gives_the_same_findings_warm_or_cold_in_every_order(project, order) -> None:
    root = project(CYCLE)
    for target in (*order, *order):  # the second pass is warm for every target
        assert run(target) == expected_for(target), (order, target)
    shutil.rmtree(root / ".loopguard_cache")
    assert run("app") == run("app") == run("--no-cache", "app")


def test_editing_a_module_of_the_cycle_changes_the_finding_on_a_warm_run(project) -> None:
    root = project(CYCLE)
    assert run("app") == [HANDLE_LOAD, HANDLE_REFRESH]
    # refresh() now sleeps itself: load() has two 2-hop chains and call order picks refresh();
    # a.py is unchanged, but its plan depended on b.py
    sleeps = ("    a.load()\n", "    a.load()\n    time.sleep(1)\n")
    edit(root / "app/b.py", sleeps, ("from", "import time\n\nfrom"))
    assert run("app/a.py") == [("app/a.py", 11, "LG101", ("load()", "refresh()", "time.sleep"))]
    assert run("app") == [
        ("app/a.py", 11, "LG101", ("load()", "refresh()", "time.sleep")),
        ("app/b.py", 12, "LG101", ("refresh()", "time.sleep")),
    ]
    assert run("app") == run("--no-cache", "app")
    # neither calls anything blocking any more: a cycle with no chain reports nothing
    (root / "app/a.py").write_text(CYCLE["app/a.py"].replace("    sleepy()\n", ""))
    (root / "app/b.py").write_text(CYCLE["app/b.py"])
    assert run("app") == [] == run("--no-cache", "app")
    # the "does not block" answer of load() depended on b.py too
    sleeps = ("    a.load()\n", "    a.load()\n    c.sleepy()\n")
    edit(root / "app/b.py", sleeps, ("import a\n", "import a, c\n"))
    chain = ("load()", "refresh()", "sleepy()", "time.sleep")
    assert run("app/a.py") == [("app/a.py", 10, "LG101", chain)]
    assert run("app") == run("--no-cache", "app")


def test_a_module_read_only_to_resolve_the_last_call_of_the_chain_is_a_dependency(project) -> None:
    root = project({
        "app/__init__.py": "",
        "app/db.py": "from sqlalchemy.orm import sessionmaker\n\nSessionLocal = sessionmaker()\n",
        "app/store.py": (
            "from app.db import SessionLocal\n\n\ndef save():\n"
            "    with SessionLocal() as session:\n        session.commit()\n"
        ),
        "app/service.py": "from app.store import save\n\n\ndef load():\n    save()\n",
        "app/api.py": "from app.service import load\n\n\nasync def handler():\n    load()\n",
    })
    chain = ("load()", "save()", "sqlalchemy.orm.Session.commit")
    assert run("app/api.py") == [("app/api.py", 5, "LG401", chain)]
    to_async = ("sqlalchemy.orm import", "sqlalchemy.ext.asyncio import async_")
    edit(root / "app/db.py", to_async, ("= ", "= async_"))
    assert run("app/api.py") == [] == run("--no-cache", "app/api.py")


SHORTEST = {
    "app/__init__.py": "",
    "app/helpers.py": """import time


def deep3():
    time.sleep(1)


def deep2():
    deep3()


def deep1():
    deep2()


def near():
    time.sleep(1)


def entry():
    deep1()
    near()


def far3():
    time.sleep(1)


def far2():
    far3()


def far():
    far2()


def mid():
    far()
    near()


def top():
    mid()
""",
    "app/api.py": """from app.helpers import entry, mid, top


async def first_callee_is_longer():
    entry()


async def within_max_depth_through_the_second_callee():
    top()


async def mid_itself():
    mid()
""",
}


def test_the_shortest_witness_is_reported_not_the_first_found(project) -> None:
    project({**SHORTEST, "pyproject.toml": "[tool.loopguard]\nmax-depth = 4\n"})
    assert run("--no-cache", "app") == [
        ("app/api.py", 5, "LG101", ("entry()", "near()", "time.sleep")),
        # mid()'s first chain (through far(), 4 hops) would make top() 5 hops: beyond max-depth 4
        ("app/api.py", 9, "LG101", ("top()", "mid()", "near()", "time.sleep")),
        ("app/api.py", 13, "LG101", ("mid()", "near()", "time.sleep")),
    ]
    assert run("app") == run("app") == run("--no-cache", "app")


def test_ties_are_broken_by_call_order_in_the_body(project) -> None:
    project({
        "app/__init__.py": "",
        "app/helpers.py": (
            "import os\nimport time\n\n\ndef nap():\n    time.sleep(1)\n\n\ndef shell():\n"
            "    os.system('x')\n\n\ndef both():\n    shell()\n    nap()\n"
        ),
        "app/api.py": "from app.helpers import both\n\n\nasync def handler():\n    both()\n",
    })
    chain = ("both()", "shell()", "os.system")
    assert run("--no-cache", "app") == [("app/api.py", 5, "LG602", chain)]


CHAIN_OF_FOUR = {
    "app/__init__.py": "",
    "app/helpers.py": (
        "import time\n\n\ndef h3():\n    time.sleep(1)\n\n\ndef h2():\n    h3()\n\n\n"
        "def h1():\n    h2()\n\n\ndef h0():\n    h1()\n"
    ),
    "app/api.py": (
        "from app.helpers import h0, h1\n\n\nasync def exactly_max_depth():\n    h1()\n\n\n"
        "async def one_more():\n    h0()\n"
    ),
}


def test_a_chain_of_exactly_max_depth_hops_is_reported_and_one_more_is_not(project) -> None:
    root = project({**CHAIN_OF_FOUR, "pyproject.toml": "[tool.loopguard]\nmax-depth = 3\n"})
    chain = ("h1()", "h2()", "h3()", "time.sleep")
    assert run("--no-cache", "app") == [("app/api.py", 5, "LG101", chain)]
    (root / "pyproject.toml").write_text("[tool.loopguard]\nmax-depth = 4\n")
    assert run("--no-cache", "app") == [
        ("app/api.py", 5, "LG101", ("h1()", "h2()", "h3()", "time.sleep")),
        ("app/api.py", 9, "LG101", ("h0()", "h1()", "h2()", "h3()", "time.sleep")),
    ]


def chain_in_one_module(length: int) -> dict[str, str]:
    """f0 calls f1 ... calls f{length - 1}, which sleeps."""
    lines = ["import time", ""]
    for number in range(length - 1):
        lines += [f"def f{number}():", f"    f{number + 1}()", ""]
    lines += [f"def f{length - 1}():", "    time.sleep(1)", ""]
    return {"app/__init__.py": "", "app/chain.py": "\n".join(lines)}


def chain_over_modules(length: int, per_module: int) -> dict[str, str]:
    files = {"app/__init__.py": ""}
    for first in range(0, length, per_module):
        following = first + per_module
        imported = f"from app.m{following} import f{following}" if following < length else ""
        lines = ["import time", imported, ""]
        for number in range(first, first + per_module):
            body = f"f{number + 1}()" if number < length - 1 else "time.sleep(1)"
            lines += [f"def f{number}():", f"    {body}", ""]
        files[f"app/m{first}.py"] = "\n".join(lines)
    return files


def chain_caller(module_of: dict[int, str]) -> str:
    imports = "".join(f"from {module} import f{number}\n" for number, module in module_of.items())
    calls = "".join(f"    f{number}()\n" for number in module_of)
    return f"{imports}\n\nasync def handler():\n{calls}"


def chain_findings(root: Path, first_line: int) -> list[tuple[int, int]]:
    found = findings_of(root / "app", config=Config(root=root), cwd=root)
    assert {f.code for f in found} == {"LG101"}
    return [(f.line - first_line, len(f.chain)) for f in found]


@pytest.mark.parametrize("spread", [False, True], ids=["one module", "20 functions a module"])
def test_a_chain_of_2000_functions_reports_only_the_calls_within_max_depth(project, spread) -> None:
    numbers = (0, 1000, 1991, 1992, 1998, 1999)
    if spread:
        files = chain_over_modules(2000, 20)
        module_of = {n: f"app.m{n - n % 20}" for n in numbers}
    else:
        files = chain_in_one_module(2000)
        module_of = {n: "app.chain" for n in numbers}
    root = project({**files, "app/api.py": chain_caller(module_of)})
    # line of each call in handler() - line of the first; chain = the coroutine's hop + the helper's
    # f1992 is 8 hops from time.sleep (f1992 ... f1999): max-depth 8; f1991 is 9
    assert chain_findings(root, first_line=len(numbers) + 4) == [(3, 9), (4, 3), (5, 2)]


def test_a_mesh_of_300_functions_reports_the_shortest_chain(project) -> None:
    lines = ["import time", ""]
    for number in range(300):
        lines.append(f"def f{number}():")
        lines += [f"    f{other}()" for other in range(300) if other != number]
        if number == 150:
            lines.append("    time.sleep(1)")
        lines.append("")
    root = project({
        "app/__init__.py": "",
        "app/mesh.py": "\n".join(lines),
        "app/api.py": (
            "from app.mesh import f0, f150, f299\n\n\nasync def handler():\n"
            "    f0()\n    f150()\n    f299()\n"
        ),
    })
    found = findings_of(root / "app", config=Config(root=root), cwd=root)
    assert [(f.line, f.code, [h.call for h in f.chain]) for f in found] == [
        (5, "LG101", ["f0()", "f150()", "time.sleep"]),
        (6, "LG101", ["f150()", "time.sleep"]),
        (7, "LG101", ["f299()", "f150()", "time.sleep"]),
    ]


def graph_of(files: dict[str, str], max_depth: int = 8) -> CallGraph:
    """The call graph of in-memory modules (no run: its answers are asked for directly)."""
    indexed = []
    for path, text in files.items():
        module = path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        package = module if path.endswith("__init__.py") else module.rpartition(".")[0]
        data = text.encode()
        indexed.append(index_source(data, Path(path), path, path, module, package, ["app"]))
    summaries = {i.summary.module: (i.display, i.summary) for i in indexed if i.summary is not None}
    return CallGraph(summaries, build_project(indexed), Matcher(), max_depth)


def answers(graph: CallGraph, order: list[str]) -> dict[str, tuple[object, frozenset[str]]]:
    """For each function asked about in ``order``: its witness and the modules it depended on."""
    found = {}
    for qualname in order:
        outer = graph.project.recording()
        witness = graph.blocking(qualname)
        found[qualname] = (witness, graph.project.recorded(outer))
    return found


def test_answers_and_dependencies_do_not_depend_on_the_order_of_questions() -> None:
    names = ["app.a.load", "app.b.refresh", "app.c.sleepy"]
    results = [answers(graph_of(CYCLE), list(order)) for order in itertools.permutations(names)]
    assert all(result == results[0] for result in results)
    # b.py reads a.py through the package (`from app import a`): app/__init__.py counts too
    assert results[0]["app.b.refresh"][1] == {"app", "app.a", "app.b", "app.c"}
    assert results[0]["app.c.sleepy"][1] == {"app.c"}  # a blocking call in the body: that body only


def test_a_chain_far_beyond_the_recursion_limit_is_answered_iteratively() -> None:
    graph = graph_of(chain_in_one_module(5000), max_depth=10_000)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)
    try:
        outer = graph.project.recording()
        witness = graph.blocking("app.chain.f0")
        depends = graph.project.recorded(outer)
    finally:
        sys.setrecursionlimit(limit)
    assert witness is not None and len(witness.hops) == 5000
    assert witness.hops[-1].call == "time.sleep"
    assert depends == {"app.chain"}
