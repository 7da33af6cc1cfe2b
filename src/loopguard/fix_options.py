"""The fix flags of ``loopguard check`` (``--fix``, ``--diff``, ``--unsafe-fixes``, ``--show-fixes``).

Apart from ``fix_command.py`` so that a run that fixes nothing (most runs: an editor's, a
pre-commit hook's) does not import the fixing machinery to build its options.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class FixOptions:
    fix: bool = False
    diff: bool = False
    unsafe: bool = False
    show_fixes: bool = False
    #: when the run started: a file modified since was changed while it was being checked
    started_ns: int = field(default_factory=time.time_ns)

    @property
    def applies(self) -> bool:
        return self.fix or self.diff
