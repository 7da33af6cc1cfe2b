"""Which cache files this machine's loopguard wrote: a keyed hash (MAC) over each one.

The cache directory sits in the analysed repository, so a pull request can commit one. Its entries
can never run code (they are MessagePack), but an entry of the right shape could still change that
repository's results — "no findings" is a well-formed entry. So each file is signed with a key that
lives outside any repository, in the user's cache directory, created on first use: a committed
cache was signed with another key (or none) and is a miss. A verified file is also what this code
wrote, so its entries need no schema check, which is most of what reading a warm cache used to cost.

Where no key can be kept (no home directory, a read-only one), files are written unsigned and every
entry is checked against its schema when read, as before.
"""

from __future__ import annotations

import hmac
import os
import stat
from functools import lru_cache
from pathlib import Path

KEY_BYTES = 32
MAC_BYTES = 16
KEY_FILE = "cache-key"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def key_directory() -> Path:
    """``$XDG_CACHE_HOME/loopguard``, else ``~/.cache/loopguard``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "loopguard"


@lru_cache(maxsize=1)
def signing_key() -> bytes | None:
    """This user's key, created on first use; None when it cannot be kept safely."""
    path = key_directory() / KEY_FILE
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        return _create_key(path)
    except OSError:
        return None


def _read_key(path: Path) -> bytes | None:
    """The key in ``path`` if it is a regular file of this user that nobody else can read or
    write — never a file from a checkout (git writes them readable by all) or behind a link."""
    descriptor = os.open(path, os.O_RDONLY | _NOFOLLOW)
    with os.fdopen(descriptor, "rb") as handle:
        found = os.fstat(handle.fileno())
        private = found.st_mode & 0o077 == 0 and found.st_uid == os.geteuid()
        if not stat.S_ISREG(found.st_mode) or not private or found.st_size != KEY_BYTES:
            return None
        key = handle.read(KEY_BYTES + 1)
    return key if len(key) == KEY_BYTES else None


def _create_key(path: Path) -> bytes | None:
    """Write a new key next to ``path`` and link it into place: two runs starting at once both end
    up with the one key that won."""
    import secrets  # once per user: every other run only reads the key

    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{KEY_FILE}-{os.getpid()}-{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(secrets.token_bytes(KEY_BYTES))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
    finally:
        temporary.unlink(missing_ok=True)
    return _read_key(path)


def mac(key: bytes, name: str, payload: bytes | memoryview) -> bytes:
    """The MAC of ``payload`` stored as ``name`` (an entry moved to another name does not verify)."""
    # HMAC-SHA-256, truncated: OpenSSL's SHA-256 is faster than BLAKE2b, and a warm run signs or
    # verifies megabytes of entries
    digest = hmac.new(key, name.encode("utf-8", "surrogateescape") + b"\0", "sha256")
    digest.update(payload)
    return digest.digest()[:MAC_BYTES]


def verifies(key: bytes, name: str, payload: bytes | memoryview, signature: bytes) -> bool:
    return hmac.compare_digest(mac(key, name, payload), signature)
