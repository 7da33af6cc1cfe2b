"""CPU-heavy calls (LG9xx): off by default, select ``LG9`` (or a code) to turn them on.

They do no I/O, but a slow key-derivation function or compressing a large payload holds the loop
just the same. Whether it matters depends on the input size and the cost settings, which a linter
cannot see, hence opt-in.
"""

from loopguard.models import Rule

_DOMAIN = "cpu-heavy"
_PROCESS_POOL = {
    "asyncio": "`await loop.run_in_executor(process_pool, f, ...)` "
    "(or `await asyncio.to_thread(f, ...)`: these release the GIL)",
    "anyio": "`await anyio.to_thread.run_sync(f, ...)` (they release the GIL), "
    "or `anyio.to_process.run_sync`",
    "trio": "`await trio.to_thread.run_sync(f, ...)` (they release the GIL)",
}

RULES = (
    Rule(
        code="LG901",
        name="password-hashing",
        thread_fix=False,
        domain=_DOMAIN,
        summary="Deliberately slow password hashing: `bcrypt.hashpw/checkpw/kdf`, `hashlib.pbkdf2_hmac/"
        "scrypt`, argon2-cffi `PasswordHasher.hash/verify`.",
        functions=("bcrypt.hashpw", "bcrypt.checkpw", "bcrypt.kdf", "hashlib.pbkdf2_hmac", "hashlib.scrypt"),
        methods=("argon2.PasswordHasher.hash", "argon2.PasswordHasher.verify"),
        instead=_PROCESS_POOL,
        why="Password hashes are tuned to take 50-500 ms of CPU per call; every login stalls the loop "
        "for that long.",
        example=(
            "import bcrypt\n\n\n"
            "async def login(user, password: str):\n"
            "    return bcrypt.checkpw(password.encode(), user.hash)"
        ),
        use_instead=(
            "import asyncio\n\n"
            "import bcrypt\n\n\n"
            "async def login(user, password: str):\n"
            "    return await asyncio.to_thread(bcrypt.checkpw, password.encode(), user.hash)"
        ),
        example_config=(
            "[tool.loopguard]\n"
            'select = ["LG", "LG901"]'
        ),
        fix_safety="No automatic fix: moving the call to a thread is safe but only worth it for real costs.",
        default_enabled=False,
    ),
    Rule(
        code="LG902",
        name="bulk-compression",
        thread_fix=False,
        domain=_DOMAIN,
        summary="One-shot compression and decompression: `zlib/gzip/bz2/lzma.compress` and `.decompress`.",
        functions=tuple(
            f"{module}.{f}" for module in ("zlib", "gzip", "bz2", "lzma") for f in ("compress", "decompress")
        ),
        instead=_PROCESS_POOL,
        why="Compressing megabytes takes tens to hundreds of milliseconds of CPU.",
        example=(
            "import gzip\n\n\n"
            "async def archive(payload: bytes):\n"
            "    return gzip.compress(payload)"
        ),
        use_instead=(
            "import asyncio\n"
            "import gzip\n\n\n"
            "async def archive(payload: bytes):\n"
            "    return await asyncio.to_thread(gzip.compress, payload)"
        ),
        example_config=(
            "[tool.loopguard]\n"
            'select = ["LG", "LG902"]'
        ),
        fix_safety="No automatic fix: moving the call to a thread is safe but only worth it for large data.",
        default_enabled=False,
    ),
)

ALIASES = {"argon2._password_hasher.PasswordHasher": "argon2.PasswordHasher"}
