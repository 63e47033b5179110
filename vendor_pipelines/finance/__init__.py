"""Finance warehouse helpers: raw DDL, remittance loading, NetSuite body builders, publishing.

Pure library code over a DuckDB connection handed in by the caller; no Dagster, no HTTP.
"""

from __future__ import annotations

from vendor_pipelines.finance.load import (
    LoadResult,
    content_hash,
    load_remittance_bytes,
    load_remittance_file,
)
from vendor_pipelines.finance.netsuite_bodies import (
    CustomerPaymentBody,
    JournalEntryBody,
    UnpostableSettlementError,
    build_customer_payment,
    build_journal_entry,
    journal_external_id,
    payment_external_id,
    to_payload,
)
from vendor_pipelines.finance.publish import PublishResult, publish_analytics
from vendor_pipelines.finance.schema import RAW_TABLES

__all__ = [
    "RAW_TABLES",
    "CustomerPaymentBody",
    "JournalEntryBody",
    "LoadResult",
    "PublishResult",
    "UnpostableSettlementError",
    "build_customer_payment",
    "build_journal_entry",
    "content_hash",
    "journal_external_id",
    "load_remittance_bytes",
    "load_remittance_file",
    "payment_external_id",
    "publish_analytics",
    "to_payload",
]
