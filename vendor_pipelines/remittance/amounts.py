"""Money and date parsing shared by the remittance parsers."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

_MONEY = re.compile(r"^[+-]?\d+(\.\d+)?$")
_DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d", "%d-%b-%Y", "%m/%d/%y", "%Y%m%d", "%d/%m/%Y")


def parse_money(raw: str) -> Decimal:
    """Parse `$1,234.50`, `(1,234.50)`, `-12.3`, `1234` into a Decimal.

    Raises ValueError with the raw text when it is not an amount; the caller adds the location.
    Vendor Central exports carry currency symbols, thousands separators and accounting-style
    parentheses for negatives, so all three are accepted; anything else is an error rather than
    a silent zero.
    """
    text = raw.strip()
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative = True
        text = text[1:-1].strip()
    text = text.replace("$", "").replace(",", "").replace(" ", "")
    if text[:1] in "+-" and text:
        negative = negative != (text[0] == "-")
        text = text[1:]
    if not _MONEY.match(text):
        raise ValueError(f"not an amount: {raw!r}")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards this
        raise ValueError(f"not an amount: {raw!r}") from exc
    return -value if negative else value


def parse_date(raw: str) -> date:
    text = raw.strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {raw!r}")


def parse_x12_date(raw: str) -> date:
    """X12 dates are CCYYMMDD (4010) or YYMMDD (older syntaxes)."""
    text = raw.strip()
    if re.fullmatch(r"\d{8}", text):
        return datetime.strptime(text, "%Y%m%d").date()
    if re.fullmatch(r"\d{6}", text):
        return datetime.strptime(text, "%y%m%d").date()
    raise ValueError(f"not a CCYYMMDD date: {raw!r}")
