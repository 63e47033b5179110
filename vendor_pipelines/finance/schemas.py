"""Pandera schema of `raw.remittance_lines`, for the lead's asset check.

Use: `REMITTANCE_LINE_SCHEMA.validate(conn.sql("select * from raw.remittance_lines where
settlement_date = ?").df(), lazy=True)` and report `error.failure_cases` on failure.
"""

from __future__ import annotations

import pandera.pandas as pa

RECORD_KINDS = ["RMR", "ADX_RMR", "ADX_ENT", "CSV"]

REMITTANCE_LINE_SCHEMA = pa.DataFrameSchema(
    {
        "file_hash": pa.Column(str, pa.Check.str_matches(r"^[0-9a-f]{64}$")),
        "payment_number": pa.Column(str, pa.Check.str_length(min_value=1)),
        "settlement_date": pa.Column("datetime64[ns]", coerce=True),
        "line_no": pa.Column(int, pa.Check.ge(1), coerce=True),
        "record_kind": pa.Column(str, pa.Check.isin(RECORD_KINDS)),
        "reference": pa.Column(str, pa.Check.str_length(min_value=1)),
        "amount": pa.Column(float, coerce=True),
        "invoice_amount": pa.Column(float, nullable=True, coerce=True),
        "discount_amount": pa.Column(float, pa.Check.ge(0), coerce=True),
        "withholding_amount": pa.Column(float, coerce=True),
        "adjustment_reason": pa.Column(str, pa.Check.str_matches(r"^[0-9A-Z]{2}$"), nullable=True),
        "parent_line_no": pa.Column(float, nullable=True, coerce=True),
    },
    unique=["file_hash", "line_no"],
    strict=False,  # other raw columns are free text (descriptions, PO numbers)
    name="remittance_lines",
)
