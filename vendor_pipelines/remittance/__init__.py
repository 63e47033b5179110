"""Remittance parsing and line lineage (pure: no I/O beyond the bytes handed in, no Dagster).

Deduction classes are not decided here: the finance-owned dbt seed and macro are the only
implementation (`finance.classification` runs them outside the warehouse)."""

from __future__ import annotations

import codecs

from vendor_pipelines.remittance.lineage import Lineage, base_invoice_key, line_lineage
from vendor_pipelines.remittance.models import (
    RemittanceDocument,
    RemittanceLine,
    RemittanceParseError,
    RemittancePayment,
)
from vendor_pipelines.remittance.vc_export import parse_vc_payments_csv
from vendor_pipelines.remittance.x12_820 import parse_820

__all__ = [
    "ENCODINGS_TRIED",
    "Lineage",
    "RemittanceDocument",
    "RemittanceLine",
    "RemittanceParseError",
    "RemittancePayment",
    "base_invoice_key",
    "decode_remittance_bytes",
    "line_lineage",
    "parse_820",
    "parse_remittance",
    "parse_vc_payments_csv",
]

ENCODINGS_TRIED = "UTF-8, UTF-8 with BOM, UTF-16 LE with BOM, UTF-16 BE with BOM"


def _not_text(line: int | None, detail: str) -> RemittanceParseError:
    return RemittanceParseError(
        line,
        None,
        None,
        f"file is not text in a supported encoding (tried {ENCODINGS_TRIED}): {detail}",
    )


def decode_remittance_bytes(content: bytes) -> str:
    """The file's text, its encoding read from its byte-order mark (none = UTF-8).

    UTF-16 is accepted only with its BOM (Excel's "Unicode text" save writes one): without it
    the bytes would be guessed, and a guessed encoding can load the wrong amounts. Text holding
    NUL characters (binary data, BOM-less UTF-16) is refused rather than parsed.
    """
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "UTF-16 LE" if content.startswith(codecs.BOM_UTF16_LE) else "UTF-16 BE"
        codec = "utf-16-le" if encoding == "UTF-16 LE" else "utf-16-be"
        try:
            text = content[2:].decode(codec)
        except UnicodeDecodeError as exc:
            raise _not_text(None, f"invalid {encoding} at byte {exc.start + 2}") from exc
    else:
        body = content[3:] if content.startswith(codecs.BOM_UTF8) else content
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = body[: exc.start].count(b"\n") + 1
            raise _not_text(line, f"invalid UTF-8 byte 0x{body[exc.start]:02x}") from exc
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise _not_text(line, "NUL character (binary data, or UTF-16 without a byte-order mark)")
    return text


def parse_remittance(content: bytes) -> RemittanceDocument:
    """Parse a remittance file of either format, sniffed from its content (not its name)."""
    text = decode_remittance_bytes(content)
    if text.lstrip().startswith("ISA"):
        return parse_820(text)
    return parse_vc_payments_csv(text)
