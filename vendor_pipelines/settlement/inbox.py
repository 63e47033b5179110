"""The remittance inbox: which files are there and what identifies each one.

The sensor calls this without touching the warehouse; a file's identity is the sha256 of its
bytes, so the same file dropped twice (or renamed) maps to the same run key and is loaded once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

REMITTANCE_SUFFIXES = (".820", ".edi", ".x12", ".txt", ".csv")


@dataclass(frozen=True)
class InboxFile:
    path: Path
    content_hash: str
    modified: float


def inbox_files(inbox: Path, modified_after: float = 0.0) -> list[InboxFile]:
    """Remittance files modified after `modified_after` (oldest first)."""
    if not inbox.exists():
        return []
    found = []
    for path in inbox.iterdir():
        if not path.is_file() or path.name.startswith("."):
            continue
        if path.suffix.lower() not in REMITTANCE_SUFFIXES:
            continue
        modified = path.stat().st_mtime
        if modified <= modified_after:
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        found.append(InboxFile(path, digest, modified))
    return sorted(found, key=lambda f: (f.modified, f.path.name))
