"""Pandera schema of `raw.remittance_lines`, for the lead's asset check. Its columns' nullability
comes from the table's definition (`finance/schema.py::remittance_line_columns`), the record kinds
from the parser's `RecordKind`.

Use: `REMITTANCE_LINE_SCHEMA.validate(conn.sql("select * from raw.remittance_lines where
settlement_date = ?").df(), lazy=True)` and report `error.failure_cases` on failure.
"""

from __future__ import annotations

import typing

import pandera.pandas as pa

from vendor_pipelines.finance.schema import remittance_line_columns
from vendor_pipelines.remittance.models import RecordKind

RECORD_KINDS = list(typing.get_args(RecordKind))

# What each checked column must hold: (dtype, checks, coerce). Whether it may be null is the
# table's own answer (NOT NULL in raw.remittance_lines, from the parser's RemittanceLine).
_CHECKED: dict[str, tuple[typing.Any, list[pa.Check], bool]] = {
    "file_hash": (str, [pa.Check.str_matches(r"^[0-9a-f]{64}$")], False),
    "payment_number": (str, [pa.Check.str_length(min_value=1)], False),
    "settlement_date": ("datetime64[ns]", [], True),
    "line_no": (int, [pa.Check.ge(1)], True),
    "record_kind": (str, [pa.Check.isin(RECORD_KINDS)], False),
    "reference": (str, [pa.Check.str_length(min_value=1)], False),
    "amount": (float, [], True),
    "invoice_amount": (float, [], True),
    "discount_amount": (float, [pa.Check.ge(0)], True),
    "withholding_amount": (float, [], True),
    "adjustment_reason": (str, [pa.Check.str_matches(r"^[0-9A-Z]{2}$")], False),
    "parent_line_no": (float, [], True),
}
_NULLABLE = {column.name: not column.not_null for column in remittance_line_columns()}

REMITTANCE_LINE_SCHEMA = pa.DataFrameSchema(
    {
        name: pa.Column(dtype, checks, nullable=_NULLABLE[name], coerce=coerce)
        for name, (dtype, checks, coerce) in _CHECKED.items()
    },
    unique=["file_hash", "line_no"],
    strict=False,  # other raw columns are free text (descriptions, PO numbers)
    name="remittance_lines",
)
