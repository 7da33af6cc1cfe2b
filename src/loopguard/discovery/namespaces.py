"""Import aliases for the modules under namespace folders: a monorepo's ``services/api/app``.

A service often runs with its own folder on ``sys.path``: ``services/api/app/api.py`` says
``from app.util import slow``, but loopguard names the module ``services.api.app.util`` (the
folders above ``app``, inside the source root, are namespace packages: ``modules.py``), so the
import would name no project module and the finding through ``slow`` would vanish.

The fallback: for a module under a namespace folder, an absolute import whose first part names no
top-level module of the project, but names a regular package (a directory with ``__init__.py``)
whose parent is a namespace folder inside a source root, imports that package. The package whose
folder holds the importing module wins (the deepest, as the service's own folder on ``sys.path``
would give); else the only package of the name, unless the name is a library's (the standard
library's, or one the catalogue knows: a ``tests/fixtures/requests`` is not the ``requests`` a
service imports); else the import stays unresolved (ambiguous: a wrong link is worse than none).

Module names stay as they are: the aliases only rewrite what a module imports
(``analysis.import_aliases``), so every name and cache key of a project without such folders is
unchanged, and a module whose top-level package sits right in a source root gets no aliases at
all (it imports from the source roots, as configured). The settings that name functions get the
full names too (``with_aliased_names``), so that they match what they matched before.

The packages are found on disk, not among the files a run checks, so a file checked alone, from
standard input or in the whole project imports the same modules.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import replace
from functools import cache
from pathlib import Path

from loopguard import catalogue
from loopguard.config import Config
from loopguard.discovery.files import SKIPPED_DIRECTORIES, absolute
from loopguard.discovery.modules import (
    directory_package,
    package_parts,
    source_roots,
    top_level_names,
)

#: What a module's absolute imports may stand for: (first part, the package's module name), sorted.
Aliases = tuple[tuple[str, str], ...]
#: A regular package under namespace folders: (its parent folder, its module name).
Package = tuple[str, str]

#: Namespace folders deeper than this below a source root are not searched.
MAX_NAMESPACE_DEPTH = 8
#: Beyond this many namespace folders listed, the search gives up and no alias is made: a tree
#: that big (a data folder) is not a monorepo's layout, and a partial search could make an
#: ambiguous name look unique.
MAX_NAMESPACE_FOLDERS = 4096


class ImportAliases:
    """The aliases of the modules of one project (its source ``roots``), found once per run: the
    packages are searched on disk when a module under a namespace folder first asks (most
    projects have none, and never search), and the aliases of each namespace folder worked out
    once. Not kept between runs: a package added since (the language server runs for hours)
    must count."""

    def __init__(self, roots: Iterable[str]) -> None:
        self.roots = tuple(sorted(set(roots)))
        self._packages: dict[str, tuple[Package, ...]] | None = None
        self._homes: dict[str, Aliases] = {}

    @property
    def packages(self) -> dict[str, tuple[Package, ...]]:
        if self._packages is None:
            self._packages = namespace_packages(self.roots)
        return self._packages

    def of(self, path: Path | str) -> Aliases:
        """The aliases of the module at ``path`` (absolute, or from the working directory): none
        unless it sits under a namespace folder of a source root."""
        home = namespace_home(os.path.dirname(absolute(path)), self.roots)
        if home is None:
            return ()
        found = self._homes.get(home)
        if found is None:
            found = self._homes[home] = home_aliases(self.packages, home)
        return found

    def ambiguous(self, path: Path | str) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The names that, imported by the module at ``path``, stay unresolved although packages
        have them: several packages, none holding the module (``--show-settings`` says so)."""
        home = namespace_home(os.path.dirname(absolute(path)), self.roots)
        if home is None:
            return ()
        return tuple(
            (name, tuple(module for _parent, module in packages))
            for name, packages in sorted(self.packages.items())
            if len(packages) > 1 and chosen_package(name, packages, home) is None
        )


def import_aliases(path: Path | str, roots: tuple[str, ...]) -> Aliases:
    """The aliases of one module (a run over many asks ``ImportAliases``)."""
    return ImportAliases(roots).of(path)


def with_aliased_names(config: Config) -> Config:
    """``config`` with each function or decorator it names as a service imports it
    (``app.web.route``) also named as loopguard names the module (``services.api.app.web.route``):
    the imports are rewritten to that name, and a setting must match what it matched before. A
    name of several packages is given for each: before the rewriting, it matched in every service."""
    names = (
        *config.offload_functions, *config.safe_calls, *config.loop_decorators, *config.offload_decorators,
        *(name for name, _replacement in config.blocking_calls),
    )
    roots = source_roots(config.root, config.src) if names else ()
    tops = top_level_names(roots)
    if all(name.partition(".")[0] in tops for name in names):
        return config  # each names a top-level module already: nothing to search the disk for
    packages = ImportAliases(roots).packages

    def aliased(name: str) -> tuple[str, ...]:
        top, dot, rest = name.partition(".")
        if top not in packages or top in tops:
            return (name,)
        return (name, *(f"{module}{dot}{rest}" for _parent, module in packages[top]))

    def each(given: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(full for name in given for full in aliased(name)))

    return replace(
        config,
        offload_functions=each(config.offload_functions),
        safe_calls=each(config.safe_calls),
        loop_decorators=each(config.loop_decorators),
        offload_decorators=each(config.offload_decorators),
        blocking_calls=tuple(
            dict.fromkeys((full, replacement) for name, replacement in config.blocking_calls for full in aliased(name))
        ),
    )


def namespace_home(directory: str, roots: tuple[str, ...]) -> str | None:
    """The namespace folder the modules of ``directory`` sit in (the folder above their top-level
    package, or ``directory`` itself), or None when that is a source root or outside them."""
    package = package_parts(directory)
    if len(directory_package(directory, roots)) == len(package):
        return None  # no namespace part in the module names there
    home = directory
    for _ in package:
        home = os.path.dirname(home)
    return home


def home_aliases(found: dict[str, tuple[Package, ...]], home: str) -> Aliases:
    """For the modules of namespace folder ``home``: each package name that is not ambiguous."""
    aliases = []
    for name, packages in found.items():
        chosen = chosen_package(name, packages, home)
        if chosen is not None:
            aliases.append((name, chosen))
    return tuple(sorted(aliases))


def chosen_package(name: str, packages: tuple[Package, ...], home: str) -> str | None:
    """The package ``name`` stands for in a module of ``home``: the one whose parent folder holds
    ``home`` (the deepest), else the only one — unless ``name`` is a library's: a ``requests``
    test fixture elsewhere is not the ``requests`` the module means — else none."""
    holding = [(parent, module) for parent, module in packages if is_within(home, parent)]
    if holding:
        return max(holding, key=lambda package: len(package[0]))[1]
    return packages[0][1] if len(packages) == 1 and name not in library_names() else None


@cache
def library_names() -> frozenset[str]:
    """The top-level names of the standard library and of every library the catalogue knows."""
    known = (
        *(name for rule in catalogue.RULES for name in (*rule.functions, *rule.methods)),
        *catalogue.RETURNS, *catalogue.ALIASES, *catalogue.ATTRIBUTES,
    )
    return frozenset(sys.stdlib_module_names) | {name.partition(".")[0] for name in known}


def is_within(directory: str, folder: str) -> bool:
    return directory == folder or directory.startswith(folder.rstrip(os.sep) + os.sep)


def namespace_packages(roots: tuple[str, ...]) -> dict[str, tuple[Package, ...]]:
    """Every regular package whose parent is a namespace folder inside a source root, by name
    (none when a search gave up: ``MAX_NAMESPACE_FOLDERS``)."""
    found: dict[str, list[Package]] = {}
    for root in roots:
        packages = packages_below(root, roots)
        if packages is None:
            return {}
        for package in packages:
            module = ".".join(directory_package(package, roots))
            found.setdefault(os.path.basename(package), []).append((os.path.dirname(package), module))
    return {name: tuple(sorted(set(packages))) for name, packages in found.items()}


def packages_below(root: str, roots: tuple[str, ...]) -> list[str] | None:
    """The regular packages in the namespace folders of one source root (below its own level),
    or None past ``MAX_NAMESPACE_FOLDERS`` folders. Folders a discovery walk skips, names that
    are no identifiers, symlinks and the other source roots (searched on their own) are left
    out; nothing below a regular package is a namespace folder."""
    packages = []
    stack = [(root, 0)]
    listed = 0
    while stack:
        folder, depth = stack.pop()
        listed += 1
        if listed > MAX_NAMESPACE_FOLDERS:
            return None
        for entry in sorted(subfolders(folder)):
            path = os.path.join(folder, entry)
            if entry in SKIPPED_DIRECTORIES or not entry.isidentifier() or path in roots:
                continue
            if os.path.isfile(os.path.join(path, "__init__.py")):
                if folder != root:
                    packages.append(path)
            elif depth < MAX_NAMESPACE_DEPTH:
                stack.append((path, depth + 1))
    return packages


def subfolders(folder: str) -> list[str]:
    """The directories in ``folder``, symlinks left out (a walk never follows them)."""
    try:
        with os.scandir(folder) as entries:
            return [entry.name for entry in entries if entry.is_dir(follow_symlinks=False)]
    except OSError:
        return []
