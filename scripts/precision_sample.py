#!/usr/bin/env python3
"""Draw the seeded random sample of findings that docs/real-world.md judges by hand.

Usage::

    python scripts/precision_sample.py FINDINGS.json --size 50 [--seed 2026] [--out sample.md]

``FINDINGS.json`` is the output of ``loopguard check --no-cache --output-format json`` on a real
code base. The sample is ``random.Random(seed).sample`` over the findings in the JSON's order
(sorted by path, line, column — the output contract), so anyone can redraw it. Each sampled finding
is written with every hop of its chain, and a blank verdict column to fill in: REAL (blocks the loop
on a path that runs there), NEGLIGIBLE (real but trivially cheap or once), FALSE (cannot block as
reported). Standard library only.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path


def draw(findings: list[dict[str, object]], size: int, seed: int) -> list[tuple[int, dict[str, object]]]:
    """``size`` findings (all of them when there are fewer), with their index in the input."""
    chosen = random.Random(seed).sample(range(len(findings)), min(size, len(findings)))
    return [(index, findings[index]) for index in sorted(chosen)]


def render(sample: list[tuple[int, dict[str, object]]], source: str, total: int, seed: int) -> str:
    codes = Counter(str(finding["code"]) for _, finding in sample)
    lines = [
        (
            f"Sample of {len(sample)} of {total} findings in `{source}`, seed {seed}"
            f" ({', '.join(f'{code}: {count}' for code, count in sorted(codes.items()))})."
        ),
        "",
        "| # | finding | verdict | reason |",
        "|---|---|---|---|",
    ]
    chains = []
    for number, (index, finding) in enumerate(sample, start=1):
        where = f"{finding['path']}:{finding['line']}"
        lines.append(f"| {number} | {finding['code']} `{where}` {finding['message']} | | |")
        chain = finding.get("chain") or []
        if chain:
            hops = [f"  - {hop['path']}:{hop['line']} in `{hop['function']}`: `{hop['call']}`" for hop in chain]
            chains.append(f"- {number} (finding {index}):\n" + "\n".join(hops))
    if chains:
        lines += ["", "Chains:", "", *chains]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("findings", type=Path, help="loopguard's JSON output")
    parser.add_argument("--size", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, help="write the table here (default: stdout)")
    args = parser.parse_args(argv)
    try:
        findings = json.loads(args.findings.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"precision_sample: {args.findings}: {error}", file=sys.stderr)
        return 2
    if not isinstance(findings, list):
        print(f"precision_sample: {args.findings}: not a JSON array of findings", file=sys.stderr)
        return 2
    text = render(draw(findings, args.size, args.seed), str(args.findings), len(findings), args.seed)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
