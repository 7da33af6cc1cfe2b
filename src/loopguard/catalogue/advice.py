"""Replacement texts shared by many catalogue entries (not a domain: it has no rules).

"Run it in a worker thread" reads differently per library, and anyio's and trio's ``run_sync`` take
no keyword arguments for the function, so the advice says so once, here.
"""

from __future__ import annotations

#: anyio's and trio's ``run_sync`` pass no keyword arguments to the function.
_KEYWORDS = " (keywords via `functools.partial`)"


def to_thread(
    function: str = "{api}", *, asyncio: str = "", anyio: str = "", trio: str = ""
) -> dict[str, str]:
    """``instead`` for a call best moved to a thread, after a native replacement when there is one."""

    def join(native: str, offload: str) -> str:
        return f"{native}, or {offload}" if native else offload

    return {
        "asyncio": join(asyncio, in_a_thread("asyncio", function)),
        "anyio": join(anyio, in_a_thread("anyio", function) + _KEYWORDS),
        "trio": join(trio, in_a_thread("trio", function) + _KEYWORDS),
    }


def in_a_thread(library: str, function: str) -> str:
    """The call that runs ``function`` in a worker thread under ``library``: what a rule suggests
    for an API best moved to a thread, and the confirm stage for a blocking project helper. It is
    code, so it is quoted: the prose around it (", or ...") then stays outside the backticks."""
    offload = "asyncio.to_thread" if library == "asyncio" else f"{library}.to_thread.run_sync"
    return f"`await {offload}({function}, ...)`"


def methods(owner: str, *names: str) -> tuple[str, ...]:
    """``Type.method`` patterns for several methods of one type."""
    return tuple(f"{owner}.{name}" for name in names)


def asyncio_library(text: str, function: str = "{api}", *, anyio: str = "", trio: str = "") -> dict[str, str]:
    """``instead`` for a replacement that is an asyncio library (aiosqlite, redis.asyncio ...): it also
    serves anyio on its asyncio backend, but never trio, where the call belongs in a thread."""
    return {
        "asyncio": text,
        "anyio": anyio or f"{text} (anyio's asyncio backend), or {in_a_thread('anyio', function)}",
        "trio": trio or in_a_thread("trio", function) + _KEYWORDS,
    }
