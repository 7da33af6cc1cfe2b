"""What the language server remembers between requests, apart from the protocol itself: the
projects of the open files (settings resolved per file, as the CLI does), their warm indexes, and
the last findings of each open document (for hovers, code actions and re-checks)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from loopguard.catalogue import ALL_RULES
from loopguard.config import Config, unknown_code_warnings
from loopguard.discovery.projects import ProjectFinder
from loopguard.models import Finding
from loopguard.server.warm import WarmProject

#: The files whose change can change any project's settings.
CONFIG_FILES = frozenset({"pyproject.toml", "loopguard.toml"})


@dataclass(frozen=True, slots=True)
class Checked:
    """The last check of a document: the text it saw (its lines place the findings), the findings,
    and the files it read (a change in one of them re-checks this document)."""

    version: int | None
    lines: tuple[str, ...]
    findings: tuple[Finding, ...]
    depends_on: frozenset[str]

    def at(self, line: int, character: int) -> list[Finding]:
        """The findings whose range holds the 0-based position (in characters)."""
        here = (line + 1, character + 1)
        return [
            f for f in self.findings if (f.line, f.column) <= here <= (f.end_line, f.end_column)
        ]

    def on_lines(self, first: int, last: int, now: Sequence[str]) -> list[Finding]:
        """The findings that start on one of the 0-based lines ``first`` to ``last`` and whose line
        reads as it did when checked, in the document's lines ``now``. Between a change and its
        check (the debounce; Eglot asks for code actions right after sending a change) a finding
        whose line changed or moved has nothing to act on: a noqa comment would land on whatever
        line is there now."""
        return [
            f
            for f in self.findings
            if first + 1 <= f.line <= last + 1
            and f.line <= min(len(now), len(self.lines))
            and now[f.line - 1] == self.lines[f.line - 1]
        ]


class Session:
    """Projects and their warm state, per workspace folder (the working directory a CLI run in that
    folder would have: it decides the root of a project without configuration)."""

    def __init__(self, folders: Iterable[Path], fallback: Path, log: Callable[[str], None]) -> None:
        self.folders = sorted(
            {folder.resolve() for folder in folders}, key=lambda p: len(p.parts), reverse=True
        )
        self.fallback = fallback
        self.log = log
        self.finders: dict[Path, ProjectFinder] = {}
        self.warm: dict[int, WarmProject] = {}
        self.checked: dict[str, Checked] = {}
        self.open_uris: set[str] = set()  # the open documents (checked as they change)
        self.open_paths: dict[str, str] = {}  # absolute path -> URI, of the open files

    def folder_of(self, path: Path) -> Path:
        """The innermost workspace folder holding ``path`` (else the server's working directory)."""
        return next(
            (folder for folder in self.folders if folder == path or folder in path.parents),
            self.fallback,
        )

    def project_for(self, path: Path) -> WarmProject:
        """The warm project of a file; ``ConfigError`` when its configuration is wrong."""
        folder = self.folder_of(path)
        if folder not in self.finders:
            self.finders[folder] = ProjectFinder(folder, None, self.warn_unknown_codes)
        project = self.finders[folder].project_for(path)
        key = id(project)  # the finder hands out one Project per configuration file
        if key not in self.warm or self.warm[key].project is not project:
            self.warm[key] = WarmProject(project)
        return self.warm[key]

    def warn_unknown_codes(self, config: Config) -> Config:
        for message in unknown_code_warnings(config, ALL_RULES):
            self.log(f"warning: {message}")
        return config

    def opened(self, uri: str, path: Path | None) -> None:
        self.open_uris.add(uri)
        if path is not None:
            self.open_paths[str(path)] = uri

    def closed(self, uri: str) -> None:
        self.open_uris.discard(uri)
        self.checked.pop(uri, None)
        self.open_paths = {path: known for path, known in self.open_paths.items() if known != uri}

    def forget_settings(self) -> None:
        """A configuration file changed: settings are read again, summaries made again."""
        self.finders.clear()
        self.warm.clear()

    def files_changed(self) -> None:
        """A file was saved, created or deleted: imports are followed again (a name may now
        resolve to a new module); unchanged summaries stay."""
        for warm in self.warm.values():
            warm.forget_contexts()

    def dependents(self, path: str, changed_uri: str) -> list[str]:
        """The other documents whose last check read ``path``."""
        return [
            uri
            for uri, checked in self.checked.items()
            if uri != changed_uri and path in checked.depends_on
        ]
