"""A persistent, content-addressed store of per-file results.

Entries are keyed by a hash of what determines them — the file's bytes, its module name, the
settings that change analysis, and loopguard's version — so an entry can never be stale: a changed
input is a different key. A manifest maps each path to what ``stat`` said when its content hash was
taken, so an unchanged file is recognised without being read, and a *pack* holds every entry the
last run used in one file, so a warm run reads one file instead of thousands. The pack maps each key
to the entry's own MessagePack bytes, unpacked only when the entry is asked for: a run after one
edit asks for every summary but uses little of most (``cache.lazy``), and unpacking the whole pack
of homeassistant (57 MB) took 0.35 s where reading its map of bytes takes 0.03 s.

The cache directory sits in the analysed repository, so everything in it is untrusted:

* entries are MessagePack (plain data: its reader cannot build anything else); each file is signed
  with this user's key (``cache.signing``), so a file this machine did not write is a miss; where no
  key can be kept, every entry is checked against its schema on the way in (``cache.schema``). A
  missing, corrupt, truncated, foreign or wrong-shaped entry is a miss, never an error;
* nothing is followed through a symbolic link: a cache directory that is a link is not used, and
  files are opened with ``O_NOFOLLOW`` inside directories checked with ``lstat``;
* writes go to a temporary file renamed into place, so a run that is killed, or ten runs at once,
  cannot leave half an entry behind.

A directory that cannot be used (a file, a link, read-only) makes the run slower, never wrong: one
warning, then no cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import stat as stat_module
import struct
import sys
import tempfile
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import msgpack

from loopguard import __version__
from loopguard.cache.schema import MANIFEST, MANIFEST_RECORD, PACK, BadEntry, Schema
from loopguard.cache.signing import mac, signing_key, verifies
from loopguard.safeio import read_descriptor

CACHE_DIRECTORY = ".loopguard_cache"
FORMAT = "6"  # bump when the layout of an entry or file changes
_GITIGNORE = "# created by loopguard\n*\n"
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# loopguard cache: see https://bford.info/cachedir/\n"
#: A file modified this close to the moment its hash was taken may change again within the
#: file system's timestamp granularity without ``stat`` noticing (git's "racily clean" entries):
#: its recorded hash is only trusted after the content is hashed again.
RACY_WINDOW_NS = 2_000_000_000
#: Entries larger than this are not read (a cache file is a few kB; the pack a few tens of MB).
MAX_ENTRY_BYTES = 512 * 1024 * 1024
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def content_hash(data: bytes) -> str:
    # SHA-256 (truncated to 16 bytes): OpenSSL's runs two to three times faster than BLAKE2b here,
    # and a warm run hashes megabytes (every entry's signature too: cache.signing)
    return hashlib.sha256(data).digest()[:16].hex()


PACKAGE = Path(__file__).resolve().parents[1]  # ``loopguard/``: this module is in ``loopguard/cache/``


def package_sources() -> list[Path]:
    """Every module of the ``loopguard`` package, catalogue and analysis included."""
    return sorted(PACKAGE.rglob("*.py"))


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A hash of loopguard's own source, catalogue included: results change when it does, even
    between two builds of the same version."""
    digest = hashlib.sha256()
    for path in package_sources():
        digest.update(path.relative_to(PACKAGE).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.digest()[:16].hex()


def entry_key(*parts: str) -> str:
    """The key of an entry: a hash of everything the entry depends on, plus loopguard itself."""
    text = "\0".join((FORMAT, __version__, code_digest(), *parts))
    return hashlib.sha256(text.encode()).digest()[:16].hex()


def warn_on_stderr(message: str) -> None:
    print(f"loopguard: warning: {message}", file=sys.stderr)


def stat_record(stat: os.stat_result, digest: str, now_ns: int) -> bytes | None:
    """What git's index keys a file on — mtime, ctime, size, inode — and whether the hash can be
    trusted on ``stat`` alone next time (not when the file was modified just before it was hashed);
    None for what a record cannot hold (a time past the year 2262)."""
    trusted = stat.st_mtime_ns < now_ns - RACY_WINDOW_NS and stat.st_ctime_ns < now_ns - RACY_WINDOW_NS
    try:
        return MANIFEST_RECORD.pack(
            stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino, bytes.fromhex(digest), trusted
        )
    except (struct.error, ValueError):
        return None


class Cache:
    """``use_pack=False`` for worker processes: they read and write single entries only.
    ``warn`` is told, once, when the directory cannot be used (workers pass None: the main
    process meets the same problem and says it)."""

    def __init__(
        self, directory: Path, use_pack: bool = True, warn: Callable[[str], None] | None = warn_on_stderr
    ) -> None:
        self.directory = directory
        self.manifest_path = directory / f"manifest-{FORMAT}.msgpack"
        self.pack_path = directory / f"pack-{FORMAT}.msgpack"
        self.use_pack = use_pack
        self.warn = warn
        self.disabled = False
        self._safe_directories: set[str] = set()
        self._manifest: dict[str, bytes] | None = None
        self._manifest_dirty = False
        self._pack: dict[str, bytes] | None = None
        self._pack_signed = False  # verified as this user's: its entries need no schema check
        #: what this run read or wrote, each entry's packed bytes: the next pack
        self.used: dict[str, bytes] = {}
        self._check_directory()

    def _disable(self, reason: str) -> None:
        if not self.disabled and self.warn is not None:
            self.warn(f"not using the cache: {reason}")
        self.disabled = True

    def _check_directory(self) -> None:
        try:
            found = os.lstat(self.directory)
        except FileNotFoundError:
            return  # created on the first write
        except OSError as error:
            self._disable(f"{self.directory}: {error.strerror or error}")
            return
        if stat_module.S_ISLNK(found.st_mode):
            self._disable(f"{self.directory} is a symbolic link")
        elif not stat_module.S_ISDIR(found.st_mode):
            self._disable(f"{self.directory} is not a directory")

    # -- manifest: path -> packed (mtime_ns, ctime_ns, size, inode, content hash, trusted) ---------
    @property
    def manifest(self) -> dict[str, bytes]:
        if self._manifest is None:
            self._manifest = self._load_checked(self.manifest_path, MANIFEST) or {}
        return self._manifest

    def recorded_hash(self, path: str) -> str | None:
        """The content hash last recorded for ``path`` (this run's, once the file is indexed)."""
        recorded = self.manifest.get(path)
        return MANIFEST_RECORD.unpack(recorded)[4].hex() if recorded is not None else None

    def known_hash(self, path: str, stat: os.stat_result) -> str | None:
        """The content hash recorded for ``path`` if the file is unchanged since (None: changed or new).

        ``stat`` alone decides when mtime, ctime, size and inode all match and the entry was not
        racily clean; otherwise the file is hashed again and compared."""
        recorded = self.manifest.get(path)
        if recorded is None:
            return None
        mtime, ctime, size, inode, raw_digest, trusted = MANIFEST_RECORD.unpack(recorded)
        if (mtime, ctime, size, inode) != (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino):
            return None
        digest: str = raw_digest.hex()
        if trusted:
            return digest
        try:
            with open(path, "rb") as handle:
                data = handle.read(size + 1)
        except OSError:
            return None
        if content_hash(data) != digest:
            return None
        self.remember_hash(path, stat, digest)  # trusted from now on, once old enough
        return digest

    def remember_hash(self, path: str, stat: os.stat_result, digest: str) -> None:
        self.remember_record(path, stat_record(stat, digest, time.time_ns()))

    def remember_record(self, path: str, record: bytes | None) -> None:
        """``remember_hash`` with the record ``stat_record`` made where the file was hashed (a
        worker process)."""
        if record is not None:  # otherwise the file is hashed again next time
            self.manifest[path] = record
            self._manifest_dirty = True

    # -- entries ----------------------------------------------------------------------------------
    def _entry_path(self, key: str) -> Path:
        return self.directory / "entries" / key[:2] / key

    @property
    def pack(self) -> dict[str, bytes]:
        """key -> the entry's packed bytes (unpacked by ``get``, or read in part by ``get_signed``)."""
        if self._pack is None:
            loaded = self._load(self.pack_path) if self.use_pack else None
            if loaded is not None:
                value, self._pack_signed = loaded
                self._pack = (value if self._pack_signed else convert(value, PACK)) or {}
            else:
                self._pack = {}
        return self._pack

    def get(self, key: str, schema: Schema) -> Any | None:
        """The entry ``key`` converted by ``schema``; None when missing or of the wrong shape."""
        payload = self.pack.get(key) if self.use_pack else None
        value = None
        if payload is not None:
            raw = unpack(payload)
            value = raw if self._pack_signed else convert(raw, schema)
        if value is None:
            stored = self._payload(self._entry_path(key))
            payload, signed = (bytes(stored[0]), stored[1]) if stored is not None else (None, False)
            raw = unpack(payload) if payload is not None else None
            value = raw if signed else convert(raw, schema)
        if value is not None and payload is not None:
            self.used[key] = payload
        return value

    def get_signed(self, key: str, read: Callable[[bytes], Any | None]) -> Any | None:
        """The entry ``key`` as ``read`` makes it of its packed bytes, when this user's key signed
        them — the pack's or the entry's own file (so nothing needs checking: ``cache.lazy`` reads
        part of it); None otherwise."""
        if signing_key() is None:
            return None
        pack = self.pack if self.use_pack else {}
        payload = pack.get(key) if self._pack_signed else None
        if payload is None:
            stored = self._payload(self._entry_path(key))
            payload = bytes(stored[0]) if stored is not None and stored[1] else None
        if payload is None:
            return None
        found = read(payload)
        if found is not None and self.use_pack:
            self.used[key] = payload
        return found

    def put(self, key: str, value: object) -> None:
        self.used[key] = self._write(self._entry_path(key), value)

    def take_used(self) -> dict[str, bytes]:
        """What this run read or wrote so far, the record starting again empty (a forked planner
        sends its own back: ``runner.fork_planning``)."""
        used, self.used = self.used, {}
        return used

    def note(self, key: str, payload: bytes) -> None:
        """Record an entry another process wrote or read (its packed bytes, as that process's
        ``used`` holds them), so it goes into the pack."""
        self.used[key] = payload

    def get_alone(self, key: str, schema: Schema) -> Any | None:
        """An entry kept out of the pack (the whole run's result)."""
        return self._load_checked(self._entry_path(key), schema)

    def put_alone(self, key: str, value: object) -> None:
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
                self._drop_older_formats()

    def _drop_older_formats(self) -> None:
        """Remove the pack and manifest an older loopguard wrote (another ``FORMAT``): never read
        again, homeassistant's pack alone is 57 MB. Links are removed, never followed."""
        if self.disabled or not self._is_safe_directory(self.directory):
            return
        current = {self.pack_path.name, self.manifest_path.name}
        for pattern in ("pack-*.msgpack", "manifest-*.msgpack", "pack-*.pickle", "manifest-*.pickle"):
            for path in self.directory.glob(pattern):
                if path.name not in current:
                    with contextlib.suppress(OSError):
                        path.unlink()

    # -- files ------------------------------------------------------------------------------------
    def _is_safe_directory(self, directory: Path) -> bool:
        """Whether ``directory`` and every directory between it and the cache root are real
        directories, not links (checked once per run)."""
        key = str(directory)
        if key in self._safe_directories:
            return True
        if directory != self.directory and not self._is_safe_directory(directory.parent):
            return False
        try:
            found = os.lstat(directory)
        except OSError:
            return False
        if not stat_module.S_ISDIR(found.st_mode):
            return False
        self._safe_directories.add(key)
        return True

    def _load_checked(self, path: Path, schema: Schema) -> Any | None:
        """The data in ``path`` if this user's key signed it, else if it fits ``schema``."""
        loaded = self._load(path)
        if loaded is None:
            return None
        value, signed = loaded
        return value if signed else convert(value, schema)

    def _load(self, path: Path) -> tuple[Any, bool] | None:
        """The data in ``path`` and whether this user's key signed it (None when missing, unreadable,
        not MessagePack, behind a link, or signed by another key). The payload is verified and
        unpacked where it lies in the file's bytes (``pair_in_place``): the pack is 57 MB for
        homeassistant, and a copy of it cost 0.03 s."""
        stored = self._payload(path)
        if stored is None:
            return None
        payload, signed = stored
        value = unpack(payload)
        return None if value is None else (value, signed)

    def _payload(self, path: Path) -> tuple[bytes | memoryview, bool] | None:
        """``_load``'s data still packed: a view of the file's bytes when the file is what
        ``_write`` writes."""
        data = self._read(path)
        if data is None:
            return None
        in_place = pair_in_place(data)
        return verified(path.name, in_place) if in_place is not None else unsigned(path.name, unpack(data))

    def _read(self, path: Path) -> bytes | None:
        """The bytes of ``path``: None when missing, unreadable, too large or behind a link."""
        if self.disabled or not self._is_safe_directory(path.parent):
            return None
        try:
            descriptor = os.open(path, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            return None
        try:
            found = os.fstat(descriptor)
            if not stat_module.S_ISREG(found.st_mode) or found.st_size > MAX_ENTRY_BYTES:
                return None
            return read_bounded(descriptor, found.st_size)
        except OSError:
            return None
        finally:
            os.close(descriptor)

    def _prepare(self, directory: Path) -> bool:
        """Make ``directory`` (inside the cache) and the cache's markers; False when unsafe."""
        if self.disabled:
            return False
        if not self._is_safe_directory(self.directory):
            self.directory.mkdir(parents=True, exist_ok=True)
            self._check_directory()
            if self.disabled or not self._is_safe_directory(self.directory):
                return False
            for name, text in ((".gitignore", _GITIGNORE), ("CACHEDIR.TAG", _TAG)):
                self._replace(self.directory / name, text.encode())
        if not self._is_safe_directory(directory):
            directory.mkdir(parents=True, exist_ok=True)
        return self._is_safe_directory(directory)

    def _replace(self, path: Path, data: bytes) -> None:
        """Write ``path`` through a temporary file renamed over it: a link there is replaced, not
        followed.

        What was there is unlinked first: ext4 (``auto_da_alloc``, on by default) writes a file's
        data to disk before a rename that replaces another file may complete — 1–1.5 ms per entry
        here, against 0.06 ms for a rename to a free name. A run after one edit rewrites the plans
        of every file that read the edited module (132 in homeassistant: ~0.15 s). A cache entry
        needs no such care: one lost or torn by a crash fails its signature or its schema and is
        a miss, and a reader that comes between the unlink and the rename misses too."""
        handle, temporary = temporary_file(path.parent)
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(handle, view) :]
            finally:
                os.close(handle)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def _write(self, path: Path, value: object) -> bytes:
        """Write ``value``; its packed bytes (the payload signed in the file)."""
        payload = packed(value)
        key = signing_key()
        data = msgpack.packb((mac(key, path.name, payload) if key is not None else b"", payload))
        try:
            if self._prepare(path.parent):
                self._replace(path, data)
        except OSError as error:
            self._disable(f"cannot write to {self.directory}: {error.strerror or error}")
        return payload


#: this process's temporary files, numbered (``temporary_file``)
_TEMPORARY_SERIAL = itertools.count()
_TEMPORARY_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_BINARY", 0)


def temporary_file(directory: Path) -> tuple[int, str]:
    """A new file in ``directory``, open for writing, and its name: one named after this process
    and a counter (``mkstemp`` draws a random name for each file: 15 % of a populating run's
    planning on homeassistant, one entry file per plan); created exclusively and not through a
    link, with ``mkstemp``'s mode, and a random name after all when that one is taken."""
    name = os.path.join(directory, f".tmp-{os.getpid()}-{next(_TEMPORARY_SERIAL)}")
    try:
        return os.open(name, _TEMPORARY_FLAGS, 0o600), name
    except FileExistsError:
        return tempfile.mkstemp(dir=directory, prefix=".tmp-")


def read_bounded(descriptor: int, size: int) -> bytes | None:
    """What is left to read in ``descriptor``, whose size ``fstat`` said was ``size``
    (``safeio.read_descriptor``); None past ``MAX_ENTRY_BYTES``."""
    data = read_descriptor(descriptor, size, MAX_ENTRY_BYTES)
    return None if len(data) > MAX_ENTRY_BYTES else data


def packed(value: object) -> bytes:
    found: bytes = msgpack.packb(value, use_bin_type=True)
    return found


def refuse_extension(code: int, data: bytes) -> None:
    raise BadEntry("MessagePack extension types are never written")


def unpack(data: bytes | memoryview) -> Any:
    """Plain data from MessagePack: arrays as tuples, maps with string keys; None when it is not."""
    try:
        return msgpack.unpackb(
            data, use_list=False, raw=False, strict_map_key=True, ext_hook=refuse_extension
        )
    except Exception:  # noqa: BLE001 - whatever the bytes are, they are not an entry
        return None


#: MessagePack's bin formats: the first byte -> how many bytes after it give the length
_BIN_LENGTH_BYTES = {0xC4: 1, 0xC5: 2, 0xC6: 4}


def pair_in_place(data: bytes) -> tuple[bytes, memoryview] | None:
    """A file's ``(signature, payload)`` pair as ``_write`` packs it (an array of two bins), the
    payload a view of ``data`` rather than a copy; None for anything else (read the ordinary way)."""
    if data[:1] != b"\x92":
        return None
    view, at, found = memoryview(data), 1, []
    for _item in range(2):
        width = _BIN_LENGTH_BYTES.get(data[at]) if at < len(data) else None
        if width is None:
            return None
        start = at + 1 + width
        end = start + int.from_bytes(data[at + 1 : start], "big")
        if end > len(data):
            return None
        found.append(view[start:end])
        at = end
    if at != len(data):
        return None
    return bytes(found[0]), found[1]


def signature_and_payload(stored: Any) -> tuple[bytes, bytes] | None:
    """A file's ``(signature, payload)`` pair; None when it is not one."""
    if not (isinstance(stored, tuple) and len(stored) == 2):
        return None
    signature, payload = stored
    if not (isinstance(signature, bytes) and isinstance(payload, bytes)):
        return None
    return signature, payload


#: An entry's packed bytes, or a view of them where they lie in a file's bytes
Payload = TypeVar("Payload", bytes, memoryview)


def unsigned(name: str, stored: Any) -> tuple[bytes, bool] | None:
    """The payload of a file's ``(signature, payload)`` pair, still packed, and whether this user's
    key signed it. With a key, a signature that does not verify (another machine's cache, a
    committed one, an edited file) is a miss; without one, nothing is trusted and the caller checks
    the schema."""
    return verified(name, signature_and_payload(stored))


def verified(name: str, pair: tuple[bytes, Payload] | None) -> tuple[Payload, bool] | None:
    """``unsigned`` of a pair already taken apart."""
    if pair is None:
        return None
    signature, payload = pair
    key = signing_key()
    if key is not None and not verifies(key, name, payload, signature):
        return None
    return payload, key is not None


def convert(value: Any, schema: Schema) -> Any | None:
    """``value`` when it fits ``schema``; None when it is missing or does not fit."""
    if value is None:
        return None
    try:
        schema(value)
    except (BadEntry, RecursionError):
        return None
    return value
