"""The exceptions runbook (`docs/runbook.md`), rendered from the exception type registry.

One source: every entry comes from `vendor_pipelines.exceptions.types`, so a new type is
documented where it is declared and the file cannot drift from the code
(`tests/foundation/test_runbook.py` compares them). Regenerate with
`vendor-pipelines runbook --out docs/runbook.md`.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from vendor_pipelines.exceptions.types import EXCEPTION_TYPES, ExceptionType

RUNBOOK_PATH = Path("docs") / "runbook.md"
REGENERATE = "vendor-pipelines runbook --out docs/runbook.md"
WIDTH = 100

OWNER_TITLES = {"operations": "Operations", "finance": "Finance"}
SEVERITY_WORDS = {
    "error": "error (its asset check turns red): fix it",
    "warn": "warn (its asset check turns amber): look at it",
    "info": "info (no asset check): recorded for the record, nothing to fix",
}
BLOCKS_WORDS = {"gl_posting": "GL posting"}
# The entry's Blocks line, by `blocks`.
BLOCKS_LINES = {"gl_posting": "GL posting of the payment it names, until it clears"}

INTRO = f"""\
<!-- Generated from vendor_pipelines/exceptions/types.py by `{REGENERATE}`.
     Edit the registry, not this file: a test fails when the two differ. -->

# Exceptions runbook

Every problem the pipelines find becomes one row in `ops.exceptions` (open ones in the view
`ops.open_exceptions`), with its type, owner, severity, the entity it is about (vendor code, PO,
ASIN, SKU, reference) and a detail saying exactly what is wrong. Both teams work the same table;
the analysts' copy (`ANALYTICS_DUCKDB_PATH`) carries `ops.exceptions` and `ops.exception_types`,
which holds this runbook's text per type.

In the Dagster UI each type is an asset check of the same name on the asset whose flow detects it
(listed per type below): green while none is open, red (error) or amber (warn) while any is, with
the open count, the owner and the first offending rows in the check's metadata. The check counts
every open exception of its type, whichever flow found it. A type whose entry says "error when"
escalates: each of its exceptions carries its own severity (`ops.exceptions.severity` is always
the effective one), and its check turns red as soon as one of them is an error. The asset
`ops/exceptions` shows the open count per owner and a table by type.

Nobody closes an exception by hand. The step that detects a type recomputes its detections every
time it runs: a cause it no longer finds resolves (`resolved_at` is set), a cause that comes back
reopens the same exception with its first sighting kept. "How it clears" below says which run
looks again and what it must no longer find."""


def render_runbook() -> str:
    """docs/runbook.md as it must be: one entry per exception type, grouped by owner."""
    by_owner: dict[str, list[ExceptionType]] = {}
    for kind in EXCEPTION_TYPES.values():
        by_owner.setdefault(kind.owner, []).append(kind)
    parts = [INTRO, "## Index", _index(by_owner)]
    for owner, kinds in by_owner.items():
        parts.append(f"## {OWNER_TITLES.get(owner, owner.title())}")
        parts.extend(_entry(kind) for kind in kinds)
    return "\n\n".join(parts) + "\n"


def _index(by_owner: dict[str, list[ExceptionType]]) -> str:
    rows = ["| type | owner | severity | blocks | in short |", "|---|---|---|---|---|"]
    for owner, kinds in by_owner.items():
        rows.extend(
            f"| [`{k.name}`](#{k.name}) | {owner} | {_severity_short(k)} | {_blocks(k, '')} "
            f"| {k.description} |"
            for k in kinds
        )
    return "\n".join(rows)


def _entry(kind: ExceptionType) -> str:
    if kind.shown_on:
        shown = ", ".join(f"`{asset}`" for asset in kind.shown_on)
        where = f"asset check `{kind.name}` on {shown}"
    else:
        where = "no asset check; rows in `ops.exceptions`"
    facts = [f"- Owner: {kind.owner}", f"- Severity: {_severity_line(kind)}"]
    if kind.blocks:
        facts.append(f"- Blocks: {_blocks(kind, '', BLOCKS_LINES)}")
    facts.append(f"- In the UI: {where}")
    sections = [
        f"### {kind.name}",
        _wrap(f"{kind.description}."),
        "\n".join(facts),
        _wrap(f"**What it means.** {kind.meaning}"),
        _wrap(f"**What it blocks.** {kind.holds}"),
        _wrap(f"**How to fix it.** {kind.fix}"),
        _wrap(f"**How it clears.** {kind.clears}"),
    ]
    return "\n\n".join(sections)


def _severity_short(kind: ExceptionType) -> str:
    return f"{kind.severity}, error when {kind.louder_when}" if kind.louder_when else kind.severity


def _severity_line(kind: ExceptionType) -> str:
    # One exception's severity is the detection's when its type escalates (store.py).
    line = SEVERITY_WORDS[kind.severity]
    if kind.louder_when:
        line += f"; error when {kind.louder_when} (its asset check turns red): fix it"
    return line


def _blocks(kind: ExceptionType, otherwise: str, words: dict[str, str] = BLOCKS_WORDS) -> str:
    return words.get(kind.blocks, kind.blocks) if kind.blocks else otherwise


# A line may not start with what markdown would read as a list item, quote or heading.
_BLOCK_START = re.compile(r"^([-+*>#]|\d+[.)])$")


def _wrap(text: str) -> str:
    """One paragraph filled to WIDTH, never breaking before a word that starts a block."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and (len(line) + 1 + len(word) <= WIDTH or _BLOCK_START.match(word)):
            line = f"{line} {word}"
        else:
            if line:
                lines.append(line)
            line = word
    lines.append(line)
    return "\n".join(lines)


# --- the console command ------------------------------------------------------------------------


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "runbook",
        help="write the exceptions runbook (docs/runbook.md) from the exception type registry",
        description=(
            "Renders one entry per exception type (meaning, owner, severity, what it blocks, "
            "how to fix it, how it clears), grouped by owner, from "
            "vendor_pipelines/exceptions/types.py. Prints it, or writes it to --out."
        ),
    )
    parser.add_argument(
        "--out", type=Path, metavar="FILE", help=f"write here (e.g. {RUNBOOK_PATH})"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="do not write: exit 1 when FILE (default docs/runbook.md) differs from the registry",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    text = render_runbook()
    if args.check:
        target = args.out or RUNBOOK_PATH
        current = target.read_text() if target.exists() else None
        if current != text:
            print(f"{target} is out of date: regenerate it with `{REGENERATE}`", file=sys.stderr)
            return 1
        print(f"{target} is up to date ({len(EXCEPTION_TYPES)} exception types)")
        return 0
    if args.out is None:
        sys.stdout.write(text)
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(f"wrote {args.out} ({len(EXCEPTION_TYPES)} exception types)")
    return 0
