"""A project kept warm between keystrokes: the language server's analysis, without the protocol.

``loopguard check --stdin-filename PATH -`` reads the modules an editor buffer imports from disk
(or the on-disk cache) on every run. A language server lives as long as the editor, so it keeps
those modules' summaries in memory: a change re-indexes the buffer alone and re-uses every other
summary while its file is unchanged (judged by ``stat``, as the cache's manifest does). Modules
open in the editor are read from their unsaved text, so a helper edited in one tab changes the
findings of a coroutine in another.

What a buffer is checked against is exactly what the CLI's standard-input run uses: the buffer, the
project modules it imports (transitively), the project's settings. The findings are the same too:
``tests/test_server_warm.py`` compares them with ``loopguard check --stdin-filename``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from loopguard.analysis.project import GlobalProject
from loopguard.analysis.stages import Indexed, make_settings
from loopguard.cache.store import CACHE_DIRECTORY, Cache, content_hash
from loopguard.cache.summaries import Indexing, cached_jobs
from loopguard.context import follow_imports, import_roots, project_tops
from loopguard.discovery.files import relative_to_root
from loopguard.discovery.projects import Project, excluded_by
from loopguard.jobs import Job, StdinSource, stdin_source
from loopguard.models import FileResult, Finding
from loopguard.noqa import apply_noqa, noqa_context, source_reader
from loopguard.runner import (
    Run,
    build_project,
    collector_paused,
    index_data,
    index_job,
    index_stdin,
    project_modules,
    project_stage,
)
from loopguard.server.spans import SpanMemo

#: What says a file on disk is unchanged since it was indexed: (mtime_ns, size, inode).
Stamp = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class BufferCheck:
    """The findings of one buffer, and the files its answer depended on (other buffers are
    re-checked when one of those changes)."""

    findings: tuple[Finding, ...]
    depends_on: frozenset[str]
    seconds: float
    error: bool = False


#: A module as imported: (absolute path, module name, package).
ModuleKey = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class Context:
    """The modules a buffer's imports led to, and the version of each module read on the way."""

    imports: tuple[str, str, frozenset[str]]
    modules: list[Indexed]
    read: list[tuple[ModuleKey, object]]


def version_of(path: str, buffers: Mapping[str, bytes]) -> object:
    """What says a module is unchanged: its open buffer's text hash, else its file's stamp."""
    text = buffers.get(path)
    return content_hash(text) if text is not None else stamp_of(Path(path))


def stamp_of(path: Path) -> Stamp | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_mtime_ns, found.st_size, found.st_ino)


class WarmProject:
    """One project's settings and the summaries of the modules read so far.

    ``buffers`` (absolute path -> text) are the documents open in the editor: a module imported by
    the checked buffer is read from there when it is open."""

    def __init__(self, project: Project, use_disk_cache: bool = True) -> None:
        self.project = project
        self.settings = make_settings(project.config)
        self.fingerprint = project.config.fingerprint()
        cache_directory = project.root / CACHE_DIRECTORY
        # read, never written: the CLI owns the cache; it only makes the first open fast
        self.disk_cache = (
            Cache(cache_directory, warn=None)
            if use_disk_cache and cache_directory.is_dir()
            else None
        )
        self.tops: frozenset[str] | None = None
        #: (absolute path, module, package) -> (stamp or content hash, summary)
        self.modules: dict[ModuleKey, tuple[object, Indexed]] = {}
        self.contexts: dict[str, Context] = {}  # buffer path -> what its imports led to last time
        #: the context, the buffer's module and the project of the last check (``project_of``)
        self.last_project: tuple[list[Indexed], str, GlobalProject] | None = None
        self.spans = SpanMemo()  # libcst's answer per coroutine of the checked buffers
        self.noqa = noqa_context(project.config)

    def excludes(self, path: Path) -> bool:
        """Whether the configuration excludes the file (``--force-exclude``: no diagnostics)."""
        return excluded_by(self.project, path)

    def check(
        self, path: Path, text: bytes, buffers: Mapping[str, bytes] | None = None
    ) -> BufferCheck:
        """The findings of the buffer ``text`` standing for the file ``path``."""
        started = time.perf_counter()
        stdin = stdin_source(text, path, self.project.roots)
        roots = sorted({*import_roots([(stdin.path, stdin.module)]), *self.project.roots})
        indexing = Indexing(
            None, self.fingerprint, self.use_tops(project_tops(roots)), self.settings.matcher
        )
        with collector_paused():
            result, context = self.check_source(stdin, indexing, roots, buffers or {})
        result = self.without_silenced(result, path, text)
        depends = frozenset(os.path.abspath(item.path) for item in context)
        return BufferCheck(result.findings, depends, time.perf_counter() - started, result.error)

    def without_silenced(self, result: FileResult, path: Path, text: bytes) -> FileResult:
        """The suppress stage, as ``check`` runs it: the ``# noqa`` comments of the unsaved text."""
        relative = relative_to_root(path, self.project.root)
        read_text = source_reader({}, {result.path: text})
        return apply_noqa([result], read_text, lambda shown: relative, self.noqa)[0]

    def use_tops(self, tops: frozenset[str]) -> frozenset[str]:
        """Summaries depend on the project's top-level names: a new top-level package (or one
        removed) makes them stale."""
        if tops != self.tops:
            self.modules.clear()
            self.contexts.clear()
            self.tops = tops
        return tops

    def check_source(
        self,
        stdin: StdinSource,
        indexing: Indexing,
        roots: Sequence[str],
        buffers: Mapping[str, bytes],
    ) -> tuple[FileResult, list[Indexed]]:
        buffer = index_stdin(stdin, self.project.root, indexing.project_tops, self.settings.matcher)
        if buffer.error is not None:
            return buffer.error, []
        context = self.context_of(buffer, indexing, roots, buffers)
        run = Run([], self.settings, None, indexing, list(roots), lambda done: None, [])
        plans, failed = project_stage(run, [buffer], context, self.project_of(buffer, context))
        if failed:
            return failed[buffer.display], context
        if not plans:
            return FileResult(buffer.display), context
        return self.spans.confirm_file(plans[0]), context

    def context_of(
        self,
        buffer: Indexed,
        indexing: Indexing,
        roots: Sequence[str],
        buffers: Mapping[str, bytes],
    ) -> list[Indexed]:
        """The project modules the buffer imports, transitively (``follow_imports``). While the
        buffer imports the same names and none of those modules changed, the last answer is the
        answer: following the imports again would ask the disk for every imported name."""
        if buffer.summary is None:
            return []
        imports = (str(buffer.path), buffer.summary.module, frozenset(buffer.summary.imports))
        last = self.contexts.get(str(buffer.path))
        if last is not None and last.imports == imports and self.unchanged(last.read, buffers):
            return last.modules
        read: list[tuple[ModuleKey, object]] = []
        context = follow_imports(
            [buffer],
            lambda jobs: self.index_context(jobs, indexing, buffers, read),
            roots,
            indexing.project_tops,
        )
        self.contexts[str(buffer.path)] = Context(imports, context, read)
        return context

    def project_of(self, buffer: Indexed, context: list[Indexed]) -> GlobalProject:
        """The project of the buffer and its context modules. While the context is the one of the
        last check (``context_of`` gave the same list back: the same modules, unchanged), the last
        check's project is kept, less what it knew of the buffer's module: every call target and
        deferred value resolved in the other modules stays resolved (``GlobalProject.renew``)."""
        module = buffer.summary.module if buffer.summary is not None else ""
        last = self.last_project
        if last is not None and last[0] is context and last[1] == module:
            project = last[2]
            project.renew(module, project_modules([buffer, *context]))
        else:
            project = build_project([buffer, *context])
        self.last_project = (context, module, project)
        return project

    def unchanged(self, read: list[tuple[ModuleKey, object]], buffers: Mapping[str, bytes]) -> bool:
        return all(
            version is not None and version_of(key[0], buffers) == version for key, version in read
        )

    def forget_contexts(self) -> None:
        """A file was created, saved or deleted: a name may now resolve to another module."""
        self.contexts.clear()

    def index_context(
        self,
        jobs: list[Job],
        indexing: Indexing,
        buffers: Mapping[str, bytes],
        read: list[tuple[ModuleKey, object]],
    ) -> list[Indexed]:
        """The summaries of imported modules: from memory while unchanged, else from an open
        buffer, the disk cache, or the file. Each module read, and its version, goes to ``read``."""
        found: list[Indexed] = []
        from_disk: list[tuple[Job, Stamp | None]] = []
        for job in jobs:
            key = (os.path.abspath(job.path), job.module, job.package)
            text = buffers.get(key[0])
            version = version_of(key[0], buffers)
            read.append((key, version))
            known = self.modules.get(key)
            if known is not None and known[0] == version and version is not None:
                found.append(known[1])
            elif text is not None:
                found.append(
                    self.remember(
                        key, version, index_data(text, job, indexing.project_tops, indexing.matcher)
                    )
                )
            else:
                from_disk.append((job, version if isinstance(version, tuple) else None))
        return found + self.index_files(from_disk, indexing)

    def index_files(
        self, jobs: list[tuple[Job, Stamp | None]], indexing: Indexing
    ) -> list[Indexed]:
        stamps = {job.path: stamp for job, stamp in jobs}
        todo = [job for job, _ in jobs]
        hits: list[Indexed] = []
        if self.disk_cache is not None and todo:
            hits, todo = cached_jobs(todo, indexing, self.disk_cache)
        fresh = [index_job(job, indexing, None).indexed for job in todo]
        jobs_by_path = {job.path: job for job, _ in jobs}
        for item in (*hits, *fresh):
            job = jobs_by_path[item.path]
            stamp = stamps.get(item.path)
            if stamp is not None:
                self.remember((os.path.abspath(job.path), job.module, job.package), stamp, item)
        return hits + fresh

    def remember(self, key: ModuleKey, version: object, item: Indexed) -> Indexed:
        self.modules[key] = (version, item)
        return item
