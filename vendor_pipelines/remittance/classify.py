"""Line-id decoding and deduction classification.

The rules live in one place, the finance-owned dbt seed `deduction_rules.csv`, which the
warehouse applies set-based (`int_remittance_lines_classified`). This module applies the *same*
seed to single lines so parsers, tests and the sandbox agree with the warehouse; it is not used
on the bulk path. Patterns are written in the regex subset shared by Python `re` and RE2
(DuckDB), and a rule matches when every non-empty pattern matches and the sign agrees; the
lowest priority wins; no match is `UNKNOWN`, which blocks GL posting.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

RULES_PATH = Path(__file__).resolve().parents[2] / "dbt_finance" / "seeds" / "deduction_rules.csv"

UNKNOWN = "UNKNOWN"
DEDUCTION_CLASSES = (
    "INVOICE_PAYMENT",
    "SHORTAGE",
    "SHORTAGE_REVERSAL",
    "CHARGEBACK",
    "COOP",
    "DAMAGE_ALLOWANCE",
    "FREIGHT_ALLOWANCE",
    "PROMOTION",
    "PRICE_PROTECTION",
    "PRICE_CLAIM",
    "PRICE_CLAIM_REVERSAL",
    "RETURNS",
    "PROVISION",
    "PROVISION_REVERSAL",
    "ADVERTISING",
    "TERMS_DISCOUNT",
    UNKNOWN,
)

# Shortage chains: <invoice>SC, <invoice>SCR, <invoice>SCRSC, ... The base must end in a digit
# so an invoice number that merely ends in letters is not cut.
_SHORTAGE_CHAIN = re.compile(r"^(.*[0-9])(?:SCR|SC)+$")


@dataclass(frozen=True)
class DeductionRule:
    rule_id: str
    priority: int
    reference_pattern: re.Pattern[str] | None
    description_pattern: re.Pattern[str] | None
    reason_pattern: re.Pattern[str] | None
    amount_sign: str
    class_code: str

    def matches(self, reference: str, description: str, reason: str, amount: Decimal) -> bool:
        if self.amount_sign == "+" and not amount > 0:
            return False
        if self.amount_sign == "-" and not amount < 0:
            return False
        return all(
            pattern is None or pattern.search(value) is not None
            for pattern, value in (
                (self.reference_pattern, reference),
                (self.description_pattern, description),
                (self.reason_pattern, reason),
            )
        )


def _compile(text: str) -> re.Pattern[str] | None:
    return re.compile(text) if text else None


@cache
def load_rules(path: Path = RULES_PATH) -> tuple[DeductionRule, ...]:
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    rules = [
        DeductionRule(
            rule_id=row["rule_id"],
            priority=int(row["priority"]),
            reference_pattern=_compile(row["reference_pattern"]),
            description_pattern=_compile(row["description_pattern"]),
            reason_pattern=_compile(row["reason_pattern"]),
            amount_sign=row["amount_sign"].strip(),
            class_code=row["class_code"],
        )
        for row in rows
    ]
    return tuple(sorted(rules, key=lambda rule: rule.priority))


def classify_line(
    reference: str,
    amount: Decimal,
    description: str | None = None,
    adjustment_reason: str | None = None,
) -> str:
    """Class code of one remittance line (same semantics as the warehouse model)."""
    for rule in load_rules():
        if rule.matches(reference, description or "", adjustment_reason or "", amount):
            return rule.class_code
    return UNKNOWN


def base_invoice_key(reference: str) -> str:
    """The invoice a line belongs to: shortage suffix chains stripped, `_` resubmissions as `-`.

    Mirrors the SQL in `int_remittance_lines_classified`; NetSuite tranids are normalised the
    same way, so a resubmitted `INV_1001` still finds invoice `INV-1001`.
    """
    text = reference.strip().upper()
    match = _SHORTAGE_CHAIN.match(text)
    if match:
        text = match.group(1)
    return text.replace("_", "-")
