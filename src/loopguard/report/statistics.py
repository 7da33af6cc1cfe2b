"""``--statistics``: the number of findings per code, as a table or as ruff's JSON array.

ruff's JSON is ``[{"code", "name", "count", "fixable", "fixable_count"}]``, most frequent first, so
a script written for ruff's statistics reads ours unchanged; ``fixable_count`` counts the findings
that ``--fix`` alone fixes (a safe fix), ``fixable`` says whether there is one.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from loopguard.models import SAFE, Finding

# The formats --statistics can be printed in (ruff refuses the others, and so do we).
STATISTICS_FORMATS = ("text", "concise", "full", "json")


def statistics_rows(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """One row per code: most frequent first, then by code."""
    counts = Counter(f.code for f in findings)
    fixable = Counter(f.code for f in findings if f.fix is not None and f.fix.applicability == SAFE)
    names = {f.code: f.name for f in findings}
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [
        {"code": code, "name": names[code], "count": count, "fixable": fixable[code] > 0,
         "fixable_count": fixable[code]}
        for code, count in ordered
    ]


def render_table(findings: Sequence[Finding]) -> str:
    """ruff's table: count, code and name per code, tab-separated; then the blocking calls that
    several findings go through (their ``root``), most first: one fix each clears them all."""
    rows = statistics_rows(findings)
    width = len(str(max((row["count"] for row in rows), default=0)))
    table = "".join(f"{row['count']:>{width}}\t{row['code']}\t{row['name']}\n" for row in rows)
    roots = [(root, count) for root, count in Counter(f.root for f in findings if f.root).most_common(10) if count > 1]
    if roots:
        table += "\nShared causes (findings that go through one blocking call):\n"
        table += "".join(f"{count:>{width}}\t{root}\n" for root, count in roots)
    return table


def render_json(findings: Sequence[Finding]) -> str:
    return json.dumps(statistics_rows(findings), indent=2) + "\n"


def render_statistics(findings: Sequence[Finding], output_format: str) -> str:
    return render_json(findings) if output_format == "json" else render_table(findings)
