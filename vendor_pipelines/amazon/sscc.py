"""SSCC-18 (Serial Shipping Container Code): GS1 mod-10 check digit, weights 3/1 from the right.

Amazon ASNs identify cartons and pallets by SSCC (`containerIdentificationType = SSCC`). Labels
print the AI "(00)" before the 18 digits; `is_valid_sscc` accepts that 20-digit form too.
"""

from __future__ import annotations


def sscc_check_digit(first17: str) -> int:
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("an SSCC body is exactly 17 digits")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(first17)))
    return (10 - total % 10) % 10


def make_sscc(extension: int, company_prefix: str, serial: int) -> str:
    """Build a valid SSCC-18 from an extension digit, GS1 company prefix and serial number."""
    serial_width = 16 - len(company_prefix)
    if not (7 <= len(company_prefix) <= 10) or not company_prefix.isdigit():
        raise ValueError("GS1 company prefix must be 7-10 digits")
    if not 0 <= extension <= 9 or not 0 <= serial < 10**serial_width:
        raise ValueError("extension must be 0-9 and serial must fit the remaining digits")
    body = f"{extension}{company_prefix}{serial:0{serial_width}d}"
    return body + str(sscc_check_digit(body))


def is_valid_sscc(value: str) -> bool:
    text = (value or "").strip()
    if len(text) == 20 and text.startswith("00"):
        text = text[2:]
    if len(text) != 18 or not text.isdigit():
        return False
    return sscc_check_digit(text[:17]) == int(text[17])
