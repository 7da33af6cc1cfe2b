"""A persistent, content-addressed store of per-file results.

Entries are keyed by a hash of what determines them — the file's bytes, its module name, the
settings that change analysis, and loopguard's version — so an entry can never be stale: a changed
input is a different key. A manifest maps each path to its last (mtime, size, content hash), so an
unchanged file is recognised from one ``stat`` without being read. A corrupt or unreadable entry is a
miss, never an error; writes go to a temporary file and are renamed into place, so a run that is
killed, or two runs at once, cannot leave half an entry behind.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from loopguard import __version__

CACHE_DIRECTORY = ".loopguard_cache"
FORMAT = "1"  # bump when the pickled layout changes
_GITIGNORE = "# created by loopguard\n*\n"
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# loopguard cache: see https://bford.info/cachedir/\n"


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def entry_key(*parts: str) -> str:
    """The key of an entry: a hash of everything the entry depends on, plus the version."""
    text = "\0".join((FORMAT, __version__, *parts))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


class Cache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.manifest_path = directory / f"manifest-{FORMAT}.pickle"
        self.manifest: dict[str, tuple[int, int, str]] = self._load_manifest()
        self._manifest_dirty = False
        self._prepared = False

    # -- manifest: path -> (mtime_ns, size, content hash) -----------------------------------------
    def _load_manifest(self) -> dict[str, tuple[int, int, str]]:
        loaded = self._read(self.manifest_path)
        return loaded if isinstance(loaded, dict) else {}

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

    def get(self, key: str) -> Any | None:
        return self._read(self._entry_path(key))

    def put(self, key: str, value: Any) -> None:
        self._write(self._entry_path(key), value)

    def save(self) -> None:
        if self._manifest_dirty:
            self._write(self.manifest_path, self.manifest)
            self._manifest_dirty = False

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
