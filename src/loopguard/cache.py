"""A persistent, content-addressed store of per-file results.

Entries are keyed by a hash of what determines them — the file's bytes, its module name, the
settings that change analysis, and loopguard's version — so an entry can never be stale: a changed
input is a different key. A manifest maps each path to its last (mtime, size, content hash), so an
unchanged file is recognised from one ``stat`` without being read, and a *pack* holds every entry
the last run used in one file, so a warm run reads one file instead of thousands. A corrupt or unreadable entry is a
miss, never an error; writes go to a temporary file and are renamed into place, so a run that is
killed, or two runs at once, cannot leave half an entry behind.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from loopguard import __version__

CACHE_DIRECTORY = ".loopguard_cache"
FORMAT = "2"  # bump when the pickled layout changes
_GITIGNORE = "# created by loopguard\n*\n"
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# loopguard cache: see https://bford.info/cachedir/\n"


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A hash of loopguard's own source, catalogue included: results change when it does, even
    between two builds of the same version."""
    digest = hashlib.blake2b(digest_size=16)
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def entry_key(*parts: str) -> str:
    """The key of an entry: a hash of everything the entry depends on, plus loopguard itself."""
    text = "\0".join((FORMAT, __version__, code_digest(), *parts))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


class Cache:
    """``use_pack=False`` for worker processes: they read and write single entries only."""

    def __init__(self, directory: Path, use_pack: bool = True) -> None:
        self.directory = directory
        self.manifest_path = directory / f"manifest-{FORMAT}.pickle"
        self.pack_path = directory / f"pack-{FORMAT}.pickle"
        self._manifest: dict[str, tuple[int, int, str]] | None = None
        self._manifest_dirty = False
        self.use_pack = use_pack
        self._prepared = False
        self._pack: dict[str, Any] | None = None
        self.used: dict[str, Any] = {}  # what this run read or wrote: the next pack

    # -- manifest: path -> (mtime_ns, size, content hash) -----------------------------------------
    @property
    def manifest(self) -> dict[str, tuple[int, int, str]]:
        if self._manifest is None:
            loaded = self._read(self.manifest_path)
            self._manifest = loaded if isinstance(loaded, dict) else {}
        return self._manifest

    def known_hash(self, path: str, stat: os.stat_result) -> str | None:
        """The content hash recorded for ``path`` if the file looks unchanged since."""
        recorded = self.manifest.get(path)
        if recorded is not None and recorded[0] == stat.st_mtime_ns and recorded[1] == stat.st_size:
            return recorded[2]
        return None

    def remember_hash(self, path: str, stat: os.stat_result, digest: str) -> None:
        self.manifest[path] = (stat.st_mtime_ns, stat.st_size, digest)
        self._manifest_dirty = True

    # -- entries ----------------------------------------------------------------------------------
    def _entry_path(self, key: str) -> Path:
        return self.directory / "entries" / key[:2] / key

    @property
    def pack(self) -> dict[str, Any]:
        if self._pack is None:
            loaded = self._read(self.pack_path)
            self._pack = loaded if isinstance(loaded, dict) else {}
        return self._pack

    def get(self, key: str) -> Any | None:
        value = self.pack.get(key) if self.use_pack else None
        if value is None:
            value = self._read(self._entry_path(key))
        if value is not None:
            self.used[key] = value
        return value

    def put(self, key: str, value: Any) -> None:
        self._write(self._entry_path(key), value)
        self.used[key] = value

    def note(self, key: str, value: Any) -> None:
        """Record an entry another process wrote, so it goes into the pack."""
        self.used[key] = value

    def get_alone(self, key: str) -> Any | None:
        """An entry kept out of the pack (the whole run's result)."""
        return self._read(self._entry_path(key))

    def put_alone(self, key: str, value: Any) -> None:
        self._write(self._entry_path(key), value)

    def save(self) -> None:
        if self._manifest_dirty and self._manifest is not None:
            self._write(self.manifest_path, self.manifest)
            self._manifest_dirty = False
        if self.use_pack and self.used:
            # Rewriting the pack costs as much as reading it, so a few new entries stay in their
            # own files until enough have gathered. A run over part of the project (pre-commit)
            # adds to the pack; a run over most of it replaces the pack, which drops the entries
            # of files that changed or went away.
            missing = sum(1 for key in self.used if key not in self.pack)
            if missing > len(self.used) // 20 or not self.pack:
                partial = len(self.used) < len(self.pack) // 2
                self._write(self.pack_path, {**self.pack, **self.used} if partial else self.used)

    # -- files ------------------------------------------------------------------------------------
    @staticmethod
    def _read(path: Path) -> Any | None:
        try:
            with open(path, "rb") as handle:
                return pickle.load(handle)
        except Exception:  # noqa: BLE001 - a missing or corrupt entry is a miss
            return None

    def _prepare(self) -> None:
        if self._prepared:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        for name, text in ((".gitignore", _GITIGNORE), ("CACHEDIR.TAG", _TAG)):
            marker = self.directory / name
            if not marker.exists():
                marker.write_text(text, encoding="utf-8")
        self._prepared = True

    def _write(self, path: Path, value: Any) -> None:
        try:
            self._prepare()
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(handle, "wb") as out:
                pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except OSError:
            pass  # a read-only or full disk makes the run slower, not wrong
