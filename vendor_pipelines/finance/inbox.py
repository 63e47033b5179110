"""The remittance inbox: what is in it, what is refused, and when a file is ready to be taken.

A file's identity is the sha256 of its bytes, never its name or times: the same file dropped
twice (or renamed) maps to the same run key and is loaded once, and a file moved in with an old
modification time (`mv`, `cp -p`, `rsync -t`, SFTP keeping times) is as new as any other.

Looking at the inbox (`scan_inbox`) only reads directory entries and `lstat`s them: it never
follows a link, never opens a pipe or a device, and never reads a file above the size limit.
Entries the pipeline will not load are *refused* with the reason (`Refusal`), never skipped
silently, so finance sees them as exceptions. Names are shown through `display_name`, never raw:
a name is bytes chosen by whoever dropped the file and may hold newlines, terminal escapes or
markdown.

`InboxWatch` is the inbox sensor's memory between two looks (its cursor): which files it has
already asked to load, which are still settling, and which refusals it had reviewed.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

REMITTANCE_SUFFIXES = (".820", ".edi", ".x12", ".txt", ".csv")
# Names that say "not finished" or "not for you": dot-files (rsync's and many SFTP servers'
# in-flight copies, editors' swap files, .DS_Store), Office lock files, and download/upload
# temporaries. Such a file is refused, not loaded: its final name will come when it is complete.
TEMPORARY_PREFIXES = (".", "~$")
TEMPORARY_SUFFIXES = (
    ".part",
    ".partial",
    ".filepart",
    ".tmp",
    ".temp",
    ".crdownload",
    ".download",
    ".swp",
    "~",
)
DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024

RefusalKind = Literal[
    "symlink", "not_a_file", "temporary", "unsupported_type", "too_large", "unreadable"
]
REFUSED = "remittance_file_refused"
TOO_LARGE = "remittance_file_too_large"


# --- names --------------------------------------------------------------------------------------

# Kept as they are: letters and digits of any script, and punctuation that means nothing to a
# terminal or to markdown in the middle of a name. Everything else is written as a \x / \u
# escape, the backslash included, so the shown name is one line, unambiguous, and inert in logs,
# run tags, metadata and the markdown tables of the UI.
_PLAIN_PUNCTUATION = frozenset(" .-+=,()")


def display_name(name: str) -> str:
    """The name as it may be shown anywhere: `remit\\x0a\\x1b[31m.csv` for a hostile one.

    `name` is what the file system gave (undecodable bytes arrive as lone surrogates, escaped
    like any other character). Ordinary names (`payments-2026-03-07_v2.csv`) are unchanged.
    """
    shown = []
    for index, char in enumerate(name):
        if char.isalnum() or char in _PLAIN_PUNCTUATION:
            shown.append(char)
        elif char == "_" and _between_alnum(name, index):
            # `_` inside a word is never markdown emphasis; at a word's edge it can be.
            shown.append(char)
        else:
            shown.append(_escape(char))
    return "".join(shown)


def _between_alnum(name: str, index: int) -> bool:
    return 0 < index < len(name) - 1 and name[index - 1].isalnum() and name[index + 1].isalnum()


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def one_line(text: str) -> str:
    """Free text (a parse error quoting the file) with control and format characters escaped."""
    return "".join(
        _escape(char) if char == "\\" or unicodedata.category(char) in _UNPRINTABLE else char
        for char in text
    )


_UNPRINTABLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def name_key(name: str) -> str:
    """A short, stable key for a name (cursor entries, exception keys): never shown."""
    return hashlib.sha256(os.fsencode(name)).hexdigest()[:16]


# --- looking at the inbox -----------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """Why an inbox entry is not loaded, in words finance can act on (without the name)."""

    kind: RefusalKind
    reason: str

    @property
    def exception_type(self) -> str:
        return TOO_LARGE if self.kind == "too_large" else REFUSED


@dataclass(frozen=True)
class InboxEntry:
    """One directory entry of the inbox as `lstat` saw it; `refusal` is None for a candidate."""

    path: Path
    size: int
    # Device, inode, size, mtime and ctime: any write, truncation, rename-over or `touch`
    # changes it (ctime cannot be set back by cp -p or rsync -t, unlike mtime).
    signature: str
    changed_ns: int  # ctime: set when the file arrived (moved or copied in) or last changed
    refusal: Refusal | None = None

    @property
    def raw_name(self) -> str:
        return self.path.name

    @property
    def name(self) -> str:
        return display_name(self.path.name)

    @property
    def key(self) -> str:
        return name_key(self.path.name)

    @property
    def refusal_key(self) -> str:
        """The exception's entity key: one open exception per (reason kind, name)."""
        assert self.refusal is not None
        return self.refusal_key_for(self.refusal)

    def refusal_key_for(self, refusal: Refusal) -> str:
        return f"{refusal.kind}:{self.key}"

    @property
    def taken_key(self) -> str:
        return _digest(f"{self.key}|{self.signature}")

    def describe_refusal(self) -> str:
        assert self.refusal is not None
        return f"{self.name}: {self.refusal.reason}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _signature(status: os.stat_result) -> str:
    return (
        f"{status.st_dev}:{status.st_ino}:{status.st_size}:"
        f"{status.st_mtime_ns}:{status.st_ctime_ns}"
    )


def file_size(size: int) -> str:
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


def _refusal(
    entry: os.DirEntry[str], status: os.stat_result, max_file_bytes: int
) -> Refusal | None:
    name = entry.name
    if stat.S_ISLNK(status.st_mode):
        return Refusal(
            "symlink",
            "is a symbolic link; the inbox never follows links: copy or move the file itself in",
        )
    if not stat.S_ISREG(status.st_mode):
        what = "a folder" if stat.S_ISDIR(status.st_mode) else "not a regular file"
        return Refusal(
            "not_a_file", f"is {what}; only files placed directly in the inbox are loaded"
        )
    lowered = name.lower()
    if lowered.startswith(TEMPORARY_PREFIXES) or lowered.endswith(TEMPORARY_SUFFIXES):
        return Refusal(
            "temporary",
            "is a hidden or temporary file (a name starting with '.' or '~$', or ending in "
            ".part, .tmp and the like); it is not loaded: give it its final name once it is "
            "complete, or remove it",
        )
    if Path(lowered).suffix not in REMITTANCE_SUFFIXES:
        return Refusal(
            "unsupported_type",
            f"is not a remittance file type ({', '.join(REMITTANCE_SUFFIXES)}); it is not loaded",
        )
    if status.st_size > max_file_bytes:
        return Refusal(
            "too_large",
            f"is {file_size(status.st_size)} ({status.st_size} bytes), above the "
            f"{file_size(max_file_bytes)} limit (REMITTANCE_MAX_FILE_BYTES={max_file_bytes}); "
            "it was not read",
        )
    if not os.access(entry.path, os.R_OK, follow_symlinks=False):
        return Refusal("unreadable", "cannot be read by the pipeline (permission denied)")
    return None


def scan_inbox(inbox: Path, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> list[InboxEntry]:
    """Every entry of the inbox, candidates and refusals, by name (nothing is read)."""
    if not inbox.is_dir():
        return []
    entries = []
    with os.scandir(inbox) as listing:
        for entry in listing:
            try:
                status = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue  # gone between the listing and the look: nothing left to load
            entries.append(
                InboxEntry(
                    Path(entry.path),
                    status.st_size,
                    _signature(status),
                    status.st_ctime_ns,
                    _refusal(entry, status, max_file_bytes),
                )
            )
    return sorted(entries, key=lambda e: os.fsencode(e.raw_name))


class InboxFileRefused(Exception):
    """Raised when reading a file shows it must be refused (it became a link, grew too large)."""

    def __init__(self, refusal: Refusal):
        super().__init__(refusal.reason)
        self.refusal = refusal


class InboxFileChanged(Exception):
    """The file changed while it was read: it is still being written."""


def read_inbox_file(
    path: Path, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES, signature: str | None = None
) -> bytes:
    """The file's bytes, read without following a link and never past the size limit.

    With `signature` (from the look that judged the file stable), a file that differs from it,
    or changes while being read, raises `InboxFileChanged`: its bytes are not a settled file.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        if os.path.islink(path):
            raise InboxFileRefused(
                Refusal("symlink", "is a symbolic link; the inbox never follows links")
            ) from error
        if isinstance(error, PermissionError):
            raise InboxFileRefused(
                Refusal("unreadable", "cannot be read by the pipeline (permission denied)")
            ) from error
        raise
    with os.fdopen(descriptor, "rb") as handle:
        before = os.fstat(descriptor)
        if not stat.S_ISREG(before.st_mode):
            raise InboxFileRefused(Refusal("not_a_file", "is not a regular file"))
        if signature is not None and _signature(before) != signature:
            raise InboxFileChanged(str(path))
        content = handle.read(max_file_bytes + 1)
        if len(content) > max_file_bytes:
            raise InboxFileRefused(
                Refusal(
                    "too_large",
                    f"is larger than the {file_size(max_file_bytes)} limit "
                    f"(REMITTANCE_MAX_FILE_BYTES={max_file_bytes}); it was not loaded",
                )
            )
        if _signature(os.fstat(descriptor)) != _signature(before):
            raise InboxFileChanged(str(path))
    return content


def content_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


# --- the sensor's memory ------------------------------------------------------------------------

CURSOR_VERSION = 2
# Beyond this many files taken and still in the inbox, the oldest records are dropped: those
# files are read and hashed again at each look and re-requested under their unchanged run key,
# which Dagster skips. Correct, only slower; loaded files should be archived out of the inbox.
MAX_TAKEN_RECORDS = 5000


@dataclass
class InboxLook:
    """What one look at the inbox found: files now settled, and whether refusals changed."""

    settled: list[InboxEntry]
    refusals: list[InboxEntry]
    refusals_changed: bool
    settling: int


@dataclass
class InboxWatch:
    """The inbox sensor's cursor: compact, bounded, and never needed for correctness.

    * `taken`: (name, signature) digests of files already requested. A file whose signature is
      unchanged is not read again; any change to it (new bytes, rename, replacement) makes a
      new signature, so it is read, hashed and requested again by content.
    * `settling`: name digest -> (signature digest, first seen at) of files not yet stable.
    * `reviewed`: the refusals the last inbox review run was requested for.

    Only entries still in the inbox are kept, so the cursor grows with the inbox, not with
    history. Losing it (reset, new version) costs one re-read of the inbox: every file is
    requested again under the same `remittance:<sha256>` run key and Dagster skips those it ran.
    """

    taken: list[str] = field(default_factory=list)
    settling: dict[str, tuple[str, float]] = field(default_factory=dict)
    reviewed: list[str] = field(default_factory=list)

    @classmethod
    def from_cursor(cls, cursor: str | None) -> InboxWatch:
        # Earlier versions kept the newest mtime seen (a bare number): that is exactly the
        # knowledge that lost files, so it is dropped and the inbox is looked at afresh.
        try:
            data = json.loads(cursor) if cursor else None
        except ValueError:
            data = None
        if not isinstance(data, dict) or data.get("v") != CURSOR_VERSION:
            return cls()
        return cls(
            taken=list(data.get("taken", [])),
            settling={k: (v[0], float(v[1])) for k, v in data.get("settling", {}).items()},
            reviewed=list(data.get("reviewed", [])),
        )

    def to_cursor(self) -> str:
        return json.dumps(
            {
                "v": CURSOR_VERSION,
                "taken": self.taken[-MAX_TAKEN_RECORDS:],
                "settling": {
                    k: [sig, round(since, 3)] for k, (sig, since) in self.settling.items()
                },
                "reviewed": sorted(self.reviewed),
            },
            separators=(",", ":"),
        )

    def look(self, entries: Iterable[InboxEntry], now: float, stable_seconds: float) -> InboxLook:
        """Compare this look with the last ones; update the memory to what is there now.

        An entry is settled once its signature is unchanged across two looks at least
        `stable_seconds` apart (both looks by this process's clock, so a writer's or file
        server's clock never matters, nor does the file's mtime).
        """
        entries = list(entries)
        present_taken = {e.taken_key for e in entries}
        taken = [key for key in self.taken if key in present_taken]
        taken_set = set(taken)
        settling: dict[str, tuple[str, float]] = {}
        settled: list[InboxEntry] = []
        refusals: list[InboxEntry] = []
        waiting = 0
        for entry in entries:
            if entry.refusal is None and entry.taken_key in taken_set:
                continue
            signature = _digest(entry.signature)
            previous = self.settling.get(entry.key)
            if previous is None or previous[0] != signature:
                settling[entry.key] = (signature, now)
            elif now - previous[1] >= stable_seconds:
                # Kept until taken: a settled file not read in this look is taken at the next.
                settling[entry.key] = previous
                (settled if entry.refusal is None else refusals).append(entry)
                continue
            else:
                settling[entry.key] = previous
            waiting += entry.refusal is None
        # A refusal counts once settled; one that disappeared (removed, renamed to its final
        # name) needs a review too, so its exception resolves.
        present = {e.refusal_key for e in entries if e.refusal is not None}
        reviewed = {key for key in self.reviewed if key in present}
        reviewed |= {e.refusal_key for e in refusals}
        changed = reviewed != set(self.reviewed)
        self.taken, self.settling, self.reviewed = taken, settling, sorted(reviewed)
        return InboxLook(settled, refusals, changed, waiting)

    def mark_taken(self, entry: InboxEntry) -> None:
        self.settling.pop(entry.key, None)
        self.taken.append(entry.taken_key)

    def wait_again(self, entry: InboxEntry, now: float) -> None:
        """The file changed while it was read: it starts settling again."""
        self.settling[entry.key] = ("changed", now)
