"""Checked paths -> the projects they belong to: root, configuration and source roots.

The project of a path comes from the path, never from the working directory, so that the same file
gives the same findings from the root, a parent folder, a subfolder, the pre-commit hook and an
editor buffer. It is the directory of the nearest configuration file at or above the path
(``loopguard.toml``, or ``pyproject.toml`` with a ``[tool.loopguard]`` table); ``--config`` fixes
one for every path. Without any configuration, the nearest ``pyproject.toml`` (a project that does
not configure loopguard) marks the root, else the working directory when the path is inside it,
else the path's own directory.

When the paths of one run belong to different projects, each project is checked on its own, with
its own settings, and the results are put together (ruff resolves settings per file; analysing a
project as a whole is what lets its modules see each other).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from loopguard.config import Config, config_in, load_config
from loopguard.discovery.files import Discovery, absolute, discover, is_excluded, relative_to_root
from loopguard.discovery.modules import source_roots


@dataclass(frozen=True, slots=True)
class Project:
    """One project of a run: its settings (root included) and its source roots (absolute)."""

    config: Config
    roots: tuple[str, ...]

    @property
    def root(self) -> Path:
        return self.config.root


def make_project(config: Config) -> Project:
    return Project(config, source_roots(config.root, config.src))


class ProjectFinder:
    """Finds and loads the project of each path once per run (configuration files are read once,
    and each directory is asked once)."""

    def __init__(
        self, cwd: Path, explicit: Path | None, adjust: Callable[[Config], Config]
    ) -> None:
        self.cwd = cwd
        self.adjust = adjust  # the command line's codes on top of each configuration
        self.explicit = (
            make_project(adjust(load_config(explicit, cwd))) if explicit is not None else None
        )
        self.by_directory: dict[str, Path | None] = {}
        self.by_source: dict[Path, Project] = {}
        self.without_config: dict[Path, Project] = {}
        self.unconfigured_roots: dict[Path, Path] = {}
        self.by_file_directory: dict[str, Project | None] = {}
        self.listed_without_config: set[str] = set()  # known from the walk: nothing to ask the disk

    def learn(self, found: Discovery) -> None:
        """What the walk saw: a directory it listed with no file named like a configuration has none."""
        self.listed_without_config |= found.walked - found.configured

    def project_for(self, path: Path | str) -> Project:
        """The project of a file or directory (which need not exist: an editor's unsaved buffer)."""
        full = Path(os.path.abspath(path))
        return self.project_of_directory(full if full.is_dir() else full.parent)

    def project_of_directory(self, start: Path) -> Project:
        if self.explicit is not None:
            return self.explicit
        source = self.nearest_config(start)
        if source is None:
            return self.default_project(start)
        if source not in self.by_source:
            self.by_source[source] = make_project(self.adjust(load_config(source, source.parent)))
        return self.by_source[source]

    def configured_project_of_file(self, path: str) -> Project | None:
        """The project of a discovered file (an absolute path) when a configuration file is above
        it, else None (it stays in the project of the path it was found under); asked once per
        directory."""
        directory = os.path.dirname(path)
        if directory not in self.by_file_directory:
            configured = (
                self.explicit is not None or self.nearest_config(Path(directory)) is not None
            )
            self.by_file_directory[directory] = (
                self.project_of_directory(Path(directory)) if configured else None
            )
        return self.by_file_directory[directory]

    def nearest_config(self, directory: Path) -> Path | None:
        key = str(directory)
        if key not in self.by_directory:
            found = None if key in self.listed_without_config else config_in(directory)
            if found is None and directory.parent != directory:
                found = self.nearest_config(directory.parent)
            self.by_directory[key] = found
        return self.by_directory[key]

    def default_project(self, start: Path) -> Project:
        if start not in self.unconfigured_roots:
            self.unconfigured_roots[start] = unconfigured_root(start, self.cwd)
        root = self.unconfigured_roots[start]
        if root not in self.without_config:
            self.without_config[root] = make_project(self.adjust(Config(root=root)))
        return self.without_config[root]


def unconfigured_root(start: Path, cwd: Path) -> Path:
    """The root of a project without loopguard configuration: the nearest ``pyproject.toml``'s
    directory, else the working directory when ``start`` is inside it, else ``start``."""
    for directory in (start, *start.parents):
        if (directory / "pyproject.toml").is_file():
            return directory
    return cwd if start == cwd or cwd in start.parents else start


@dataclass(frozen=True, slots=True)
class ProjectFiles:
    """The files of one project to check in this run."""

    project: Project
    files: tuple[Path, ...]
    walked: frozenset[str] = frozenset()  # directories listed in full (imports.module_file)


def discover_projects(
    paths: tuple[str, ...],
    finder: ProjectFinder,
    force_exclude: bool,
    find_files: Callable[..., Discovery] = discover,
) -> tuple[list[ProjectFiles], Discovery]:
    """The files to check, by project, and the whole discovery (missing paths, problems).

    Each path is walked with the settings of its project. A walked file below a configuration of
    its own (a nested project) belongs to that project and obeys its ``exclude`` too, so that it is
    checked the same as when it is named directly."""
    groups: dict[int, tuple[Project, list[str]]] = {}
    for raw in paths:
        project = finder.project_for(raw)
        groups.setdefault(id(project), (project, []))[1].append(raw)
    named = {absolute(raw) for raw in paths}
    # grouped by identity: the finder hands out one Project per configuration, and hashing a whole
    # Config per file would cost more than the walk
    by_project: dict[int, tuple[Project, list[Path]]] = {}
    seen: set[str] = set()
    found_parts: list[Discovery] = []
    for project, group in groups.values():
        config = project.config
        found = find_files(
            tuple(group), project.root, config.exclude, force_exclude, config.respect_gitignore
        )
        found_parts.append(found)
        finder.learn(found)
        for file in found.files:
            key = absolute(file)
            owner = finder.configured_project_of_file(key) or project
            if key in seen or (
                owner is not project and key not in named and excluded_by(owner, file)
            ):
                continue
            seen.add(key)
            by_project.setdefault(id(owner), (owner, []))[1].append(file)
    discovery = merged(found_parts, [file for _, files in by_project.values() for file in files])
    return [
        ProjectFiles(project, tuple(files), discovery.walked)
        for project, files in by_project.values()
    ], discovery


def merged(parts: list[Discovery], files: list[Path]) -> Discovery:
    """One discovery of every project's: the files as grouped, every missing path and problem."""
    return Discovery(
        tuple(files),
        tuple(missing for part in parts for missing in part.missing),
        frozenset(directory for part in parts for directory in part.walked),
        tuple(problem for part in parts for problem in part.problems),
        frozenset(directory for part in parts for directory in part.configured),
    )


def excluded_by(project: Project, file: Path) -> bool:
    return bool(project.config.exclude) and is_excluded(
        relative_to_root(file, project.root), project.config.exclude
    )
