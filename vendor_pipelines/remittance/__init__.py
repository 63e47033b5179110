"""Remittance parsing and deduction rules (pure: no I/O beyond the text handed in, no Dagster)."""

from __future__ import annotations

from vendor_pipelines.remittance.classify import (
    DEDUCTION_CLASSES,
    UNKNOWN,
    base_invoice_key,
    classify_line,
)
from vendor_pipelines.remittance.models import (
    RemittanceDocument,
    RemittanceLine,
    RemittanceParseError,
    RemittancePayment,
)
from vendor_pipelines.remittance.vc_export import parse_vc_payments_csv
from vendor_pipelines.remittance.x12_820 import parse_820

__all__ = [
    "DEDUCTION_CLASSES",
    "UNKNOWN",
    "RemittanceDocument",
    "RemittanceLine",
    "RemittanceParseError",
    "RemittancePayment",
    "base_invoice_key",
    "classify_line",
    "parse_820",
    "parse_remittance",
    "parse_vc_payments_csv",
]


def parse_remittance(content: bytes) -> RemittanceDocument:
    """Parse a remittance file of either format, sniffed from its content (not its name)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RemittanceParseError(None, None, None, f"file is not UTF-8 text: {exc}") from exc
    if text.lstrip().startswith("ISA"):
        return parse_820(text)
    return parse_vc_payments_csv(text)
