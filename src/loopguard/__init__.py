"""loopguard: find calls that block the event loop, and say what to use instead."""

__version__ = "0.1.0"
