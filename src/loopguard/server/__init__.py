"""``loopguard server``: a language server for editors (LSP over standard input and output).

It needs pygls, an optional dependency (``pip install 'loopguard-lint[server]'``): this module
checks for it before importing the server, so that a missing pygls is one clear message.
"""

from __future__ import annotations

from loopguard.console import EXIT_ERROR, fail

INSTALL_HINT = "pip install 'loopguard-lint[server]'"


def main() -> int:
    """Serve until the client exits; exit status 2 with a message when pygls is missing."""
    try:
        import lsprotocol  # noqa: F401 - only whether they can be imported
        import pygls  # noqa: F401
    except ImportError as error:
        fail(
            f"`loopguard server` needs pygls, which cannot be imported ({error});"
            f" install it with: {INSTALL_HINT}"
        )
        return EXIT_ERROR
    from loopguard.server.lsp import serve

    return serve()
