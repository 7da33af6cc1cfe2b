"""A file's module name, from the project's source roots and the packages it sits in.

The name must not depend on how loopguard was invoked: ``src/shop/api.py`` is ``shop.api`` whether
the run started at the project root, in ``src/``, from a parent folder or from an editor buffer.
It is what ``import`` would find with the source roots on ``sys.path``: the enclosing regular
packages (``__init__.py``) name it, and above them, inside a source root, the directories are
namespace packages (PEP 420) — but a source root itself never names anything (``src`` is not a
package of a src layout).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path

from loopguard.discovery.files import absolute

#: The directory of a src layout, found without configuration (ruff's default ``src = [".", "src"]``).
SRC_DIRECTORY = "src"


@cache
def package_parts(directory: str) -> tuple[str, ...]:
    """The dotted name of the package a directory is (empty when it has no ``__init__.py``)."""
    if not os.path.isfile(os.path.join(directory, "__init__.py")):
        return ()
    parent, name = os.path.split(directory)
    if not name:
        return ()
    return (*package_parts(parent), name) if parent != directory else (name,)


def source_roots(root: Path | str, configured: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The project's import roots, absolute: the configured ``src`` directories (relative to the
    project root), else ``src/`` (src layout) and the project root (flat layout)."""
    base = os.path.abspath(root)
    if configured:
        return tuple(
            dict.fromkeys(os.path.normpath(os.path.join(base, entry)) for entry in configured)
        )
    src = os.path.join(base, SRC_DIRECTORY)
    return (src, base) if os.path.isdir(src) else (base,)


def enclosing_root(directory: str, roots: tuple[str, ...]) -> str | None:
    """The deepest source root at or above ``directory`` (roots may nest: ``.`` holds ``src``)."""
    best = None
    for root in roots:
        if (directory == root or directory.startswith(root.rstrip(os.sep) + os.sep)) and (
            best is None or len(root) > len(best)
        ):
            best = root
    return best


def module_name(path: Path | str, roots: tuple[str, ...] = ()) -> tuple[str, str]:
    """(module, package) for a file: its stem prefixed by every enclosing package directory. A
    relative path is taken from the working directory; an absolute one must be normalised (as
    discovery makes every path it finds; ``named_module`` normalises one a user typed).

    Above the last ``__init__.py``, directories inside the deepest enclosing source root are
    namespace packages (PEP 420) and name the module too: ``src/acme/billing/api.py`` with no
    ``__init__.py`` anywhere is ``acme.billing.api``; ``src/shop/api.py`` with
    ``src/shop/__init__.py`` is ``shop.api``, never ``src.shop.api``."""
    directory, filename = os.path.split(absolute(path))
    stem = filename.rpartition(".")[0] or filename
    package = directory_package(directory, roots)
    parts = package if stem == "__init__" else (*package, stem)
    module = ".".join(parts) or stem
    return module, (module if stem == "__init__" else ".".join(package))


def named_module(path: Path | str, roots: tuple[str, ...] = ()) -> tuple[str, str]:
    """``module_name`` of a path as a user typed it (``--stdin-filename``, ``--show-settings``):
    ``/src/app/../shop/api.py`` is ``shop.api``."""
    return module_name(os.path.abspath(path), roots)


@lru_cache(maxsize=4096)
def directory_package(directory: str, roots: tuple[str, ...]) -> tuple[str, ...]:
    """The dotted parts of the package the modules of an (absolute, normalised) ``directory``
    are in, with the namespace packages above its regular ones (asked once per directory: a
    project's files share a few hundred)."""
    package = package_parts(directory)
    above = directory
    for _ in package:
        above = os.path.dirname(above)
    root = enclosing_root(above, roots)
    if root is not None and above != root:
        namespace = tuple(above[len(root.rstrip(os.sep)) + 1 :].split(os.sep))
        if all(part.isidentifier() for part in namespace):
            package = (*namespace, *package)
    return package


def top_level_names(roots: Iterable[str]) -> frozenset[str]:
    """The names the entries of the source roots give: a module, a package or a namespace folder
    (what ``import NAME`` finds with the roots on ``sys.path``)."""
    tops = set()
    for root in roots:
        try:
            entries = os.listdir(root)
        except OSError:
            continue
        for entry in entries:
            name, _, suffix = entry.partition(".")
            if name.isidentifier() and suffix in ("", "py", "pyi"):
                tops.add(name)
    return frozenset(tops)
