"""``--show-files`` and ``--show-settings``: what a run would check, and with which settings.

As in ruff, they answer "why is this file (not) checked, and how?" without checking anything:
``--show-files`` lists the files, ``--show-settings`` prints for the first of them (or the
``--stdin-filename`` buffer) the project root, the configuration file, the source roots, the module
name the file gets (with its import aliases: ``discovery.namespaces``) and every effective setting.
"""

from __future__ import annotations

import json
import os
from dataclasses import fields
from pathlib import Path
from typing import Any

import click

from loopguard.config import Config
from loopguard.console import EXIT_CLEAN, EXIT_ERROR, fail
from loopguard.context import project_tops
from loopguard.discovery.files import Discovery
from loopguard.discovery.modules import named_module
from loopguard.discovery.namespaces import ImportAliases
from loopguard.discovery.projects import Project, ProjectFiles, ProjectFinder
from loopguard.jobs import display_path
from loopguard.report import escape_controls


def show_files(found: Discovery, cwd: Path) -> int:
    """Every file the run would check, one per line, sorted (relative to the working directory)."""
    for name in sorted(display_path(file, cwd) for file in found.files):
        click.echo(escape_controls(name))
    return EXIT_CLEAN


def show_settings(
    groups: list[ProjectFiles], named: Path | None, finder: ProjectFinder, cwd: Path
) -> int:
    """The resolved settings of the buffer's file, else of the first file to check."""
    if named is not None:
        path, project = named, finder.project_for(named)
    else:
        first = next(((group.project, group.files[0]) for group in groups if group.files), None)
        if first is None:
            fail("--show-settings: no Python file to show the settings of")
            return EXIT_ERROR
        project, path = first
    for line in settings_text(path, project, cwd):
        click.echo(escape_controls(line))
    return EXIT_CLEAN


def settings_text(path: Path, project: Project, cwd: Path) -> list[str]:
    module, package = named_module(path, project.roots)
    config = project.config
    lines = [
        f"Resolved settings for: {display_path(path, cwd)}",
        f"Settings path: {config.source if config.source is not None else '(none: defaults)'}",
        f"Project root: {project.root}",
        "Source roots:",
        *(f"  {root}" for root in project.roots),
        f"Module: {module}",
        f"Package: {package}",
        *alias_lines(path, project.roots),
        "",
        "[tool.loopguard]  # effective, command-line flags included",
        *(f"{key} = {value}" for key, value in setting_values(config)),
    ]
    return lines


def alias_lines(path: Path, roots: tuple[str, ...]) -> list[str]:
    """The import aliases of a module under namespace folders, and the names left unresolved as
    ambiguous (docs/configuration.md, "Module names"); nothing for most modules."""
    tops, found, full = project_tops(roots), ImportAliases(roots), os.path.abspath(path)
    aliases = [f"  {name} -> {module}" for name, module in found.of(full) if name not in tops]
    ambiguous = [f"  {name}: {', '.join(modules)}" for name, modules in found.ambiguous(full) if name not in tops]
    lines = ["Import aliases (a package under namespace folders):", *aliases] if aliases else []
    if ambiguous:
        lines += ["Ambiguous imports (left unresolved; `src` can name the folder to import from):", *ambiguous]
    return lines


def setting_values(config: Config) -> list[tuple[str, str]]:
    """Each setting as its configuration key and a TOML-like value."""
    shown = []
    for field in fields(config):
        if field.name in ("root", "source"):
            continue
        value: Any = getattr(config, field.name)
        if field.name in ("per_file_ignores", "blocking_calls"):
            value = {key: list(item) if isinstance(item, tuple) else item for key, item in value}
        elif isinstance(value, tuple):
            value = list(value)
        shown.append((field.name.replace("_", "-"), json.dumps(value)))
    return shown
