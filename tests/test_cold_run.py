"""What a cold run (no cache) does differently to be cheaper, and that its answers are the same.

Workers send each file back as its cache entry (``runner._index_chunk``), and the project of a run
without a cache does not record which modules each answer read (``GlobalProject(track_reads=False)``):
only the plan cache and the language server use those.
"""

from __future__ import annotations

import itertools
import os
import pickle
from functools import partial
from pathlib import Path

import pytest
from test_transitive_order import CYCLE, answers

from loopguard import runner
from loopguard.analysis.match import Matcher
from loopguard.analysis.stages import index_source
from loopguard.analysis.summary import encode
from loopguard.analysis.transitive import CallGraph
from loopguard.cache.store import Cache, content_hash, unpack
from loopguard.cache.summaries import Indexing, from_cache
from loopguard.config import Config
from loopguard.jobs import Job
from loopguard.pool import MIN_FILES_PER_WORKER, WorkerPool, unmarshalled
from loopguard.runner import _index_chunk, build_project, index_data

HELPERS = {
    "app/__init__.py": "",
    "app/io.py": "import time\n\n\ndef pause():\n    time.sleep(1)\n",
    "app/api.py": (
        "from app.io import pause\n\n\nclass Client:\n    def get(self):\n        pause()\n\n\n"
        "async def handler(client: Client):\n    client.get()\n"
    ),
}


def graph_of(files: dict[str, str], track_reads: bool) -> CallGraph:
    indexed = []
    for path, text in files.items():
        module = path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        package = module if path.endswith("__init__.py") else module.rpartition(".")[0]
        indexed.append(index_source(text.encode(), Path(path), path, path, module, package, ["app"]))
    summaries = {i.summary.module: (i.display, i.summary) for i in indexed if i.summary is not None}
    return CallGraph(summaries, build_project(indexed, track_reads), Matcher(), 8)


def test_a_project_that_does_not_track_reads_gives_the_same_answers_and_records_nothing() -> None:
    names = ["app.a.load", "app.b.refresh", "app.c.sleepy"]
    for order in itertools.permutations(names):
        tracked = answers(graph_of(CYCLE, track_reads=True), list(order))
        untracked = answers(graph_of(CYCLE, track_reads=False), list(order))
        assert {name: found[0] for name, found in untracked.items()} == {
            name: found[0] for name, found in tracked.items()
        }
        assert tracked["app.b.refresh"][1] == {"app", "app.a", "app.b", "app.c"}
        assert all(found[1] == frozenset() for found in untracked.values())
        assert untracked["app.a.load"][0] is not None


def test_without_tracking_a_remembered_answer_is_computed_once_and_reads_nothing() -> None:
    project = graph_of(HELPERS, track_reads=False).project
    calls = []

    def compute() -> str:
        calls.append(1)
        return str(project.split("app.io.pause"))

    assert project.remembered("key", compute) == project.remembered("key", compute) == "('app.io', 'pause')"
    assert calls == [1]
    assert project.read_apart(lambda: project.split("app.io.pause")) == (("app.io", "pause"), frozenset())
    assert project.recording() is None and project.recorded(None) == frozenset()
    assert project.touched is None


def test_a_worker_sends_each_file_as_its_cache_entry_which_decodes_to_its_summary(tmp_path: Path) -> None:
    jobs = []
    for path, text in HELPERS.items():
        file = tmp_path / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text)
        module = path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        package = module if path.endswith("__init__.py") else module.rpartition(".")[0]
        jobs.append(Job(file, path, path, module, package))
    broken = tmp_path / "app" / "broken.py"
    broken.write_text("def f(:\n")
    jobs.append(Job(broken, "app/broken.py", "app/broken.py", "app.broken", "app"))
    indexing = Indexing(None, "fingerprint", frozenset({"app"}), Matcher())
    chunk = _index_chunk(jobs, indexing)
    assert chunk.__reduce__()[0] is unmarshalled  # nothing but plain values: one marshal string
    sent = pickle.loads(pickle.dumps(chunk))  # as it crosses back from a worker
    assert sent == list(chunk)
    assert [shipped[1:] for shipped in sent] == [(None, None, None)] * len(jobs)  # no cache
    for job, (entry, _digest, _record, _payload) in zip(jobs, sent):
        received = from_cache(job, entry)
        direct = index_data(job.path.read_bytes(), job, indexing.project_tops, indexing.matcher)
        assert received.error == direct.error
        if direct.summary is None:
            assert received.summary is None and received.error is not None
        else:
            assert received.summary is not None and encode(received.summary) == encode(direct.summary)


def test_with_a_cache_a_worker_sends_the_digest_and_manifest_record_made_where_it_hashed(tmp_path: Path) -> None:
    """... and the entry's bytes as it wrote them (first run) or read them (a later run whose pack
    lacks the entry): the main process keeps them for the next pack without packing the entry again."""
    file = tmp_path / "app" / "api.py"
    file.parent.mkdir(parents=True)
    file.write_text(HELPERS["app/api.py"])
    job = Job(file, "app/api.py", "app/api.py", "app.api", "app")
    indexing = Indexing(tmp_path / "cache", "fingerprint", frozenset({"app"}), Matcher())
    [(entry, digest, record, payload)] = pickle.loads(pickle.dumps(_index_chunk([job], indexing)))
    assert payload is not None and unpack(payload) == entry  # written
    [(again, _digest, _record, read)] = pickle.loads(pickle.dumps(_index_chunk([job], indexing)))
    assert again == entry and read == payload  # read back from the entry's own file
    assert digest == content_hash(file.read_bytes())
    cache = Cache(tmp_path / "cache")
    cache.remember_record(str(file), record)
    assert record is not None and cache.manifest[str(file)] == record
    fresh = Cache(tmp_path / "cache")
    fresh.manifest[str(file)] = record
    assert fresh.known_hash(str(file), os.stat(file)) == digest  # the next run reads it back


def test_a_chunk_sent_with_the_indexing_pickled_once_gives_the_same_entries(tmp_path: Path) -> None:
    """``index_stage`` pickles the ``Indexing`` (the matcher is ~110 kB) once; each worker unpickles
    it once, whatever the number of chunks it gets."""

    file = tmp_path / "app" / "api.py"
    file.parent.mkdir(parents=True)
    file.write_text(HELPERS["app/api.py"])
    jobs = [Job(file, "app/api.py", "app/api.py", "app.api", "app")]
    indexing = Indexing(None, "fingerprint", frozenset({"app"}), Matcher())
    packed = pickle.dumps(indexing, pickle.HIGHEST_PROTOCOL)
    assert runner._index_packed_chunk(jobs, packed) == _index_chunk(jobs, indexing)
    first = runner.unpacked_indexing(packed)
    assert runner.unpacked_indexing(bytes(packed)) is first  # equal bytes: not unpickled again
    assert (first.fingerprint, first.project_tops) == (indexing.fingerprint, indexing.project_tops)
    other = pickle.dumps(Indexing(None, "another", frozenset({"app"}), Matcher()), pickle.HIGHEST_PROTOCOL)
    assert runner.unpacked_indexing(other).fingerprint == "another"


def write_pid(directory: Path) -> None:
    (directory / str(os.getpid())).touch()


def pids(items: list[int]) -> list[int]:
    return [os.getpid() for _ in items]


def test_prepare_runs_ahead_in_running_workers_and_never_starts_a_pool(tmp_path: Path) -> None:
    idle = WorkerPool(2)
    idle.prepare(partial(write_pid, tmp_path))
    assert idle._executor is None and list(tmp_path.iterdir()) == []
    with WorkerPool(2) as pool:
        pool.map(pids, list(range(4 * MIN_FILES_PER_WORKER)), lambda item, reason: -1)
        pool.prepare(partial(write_pid, tmp_path))
        # started before what is asked next (the pool runs what it was given in order)
        pool.map(pids, list(range(4 * MIN_FILES_PER_WORKER)), lambda item, reason: -1)
        # the pool's own processes: on a loaded machine one of them may have mapped nothing
        workers = set(pool.executor()._processes)  # type: ignore[attr-defined]
    prepared = {int(path.name) for path in tmp_path.iterdir()}
    assert prepared and prepared <= workers and os.getpid() not in prepared


def small_async_project(root: Path, files: int) -> None:
    for number in range(files):
        (root / f"m{number}.py").write_text("import time\n\n\nasync def f():\n    time.sleep(1)\n")


@pytest.mark.parametrize(("least", "prepared"), [(runner.PREPARE_MIN_FILES, False), (100, True)])
def test_the_workers_import_the_confirm_stage_ahead_only_for_a_large_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, least: int, prepared: bool
) -> None:
    small_async_project(tmp_path, 2 * MIN_FILES_PER_WORKER + 2)
    asked: list[object] = []
    monkeypatch.setattr(runner, "PREPARE_MIN_FILES", least)
    monkeypatch.setattr(WorkerPool, "prepare", lambda pool, function: asked.append(function))
    results = runner.check_paths([tmp_path], Config(root=tmp_path), cwd=tmp_path, workers=2)
    assert sum(len(result.findings) for result in results) == 2 * MIN_FILES_PER_WORKER + 2
    assert bool(asked) is prepared
