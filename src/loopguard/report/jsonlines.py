"""JSON Lines: one finding per line, with exactly the keys of the ``json`` format.

Streams well into ``jq -c``, log shippers and line-oriented tools; an empty run prints nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from loopguard.models import Finding
from loopguard.report import ReportContext
from loopguard.report.json_format import finding_to_dict


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    return "".join(json.dumps(finding_to_dict(f)) + "\n" for f in findings)
