"""Line lineage: which vendor invoice a remittance line settles, and which earlier line it follows.

Decoded structurally, from the line identifier and from where the line sits in the file, never
from a deduction class (vendor-finance-edi.md §1.4):

* shortage chain `<invoice>SC`, `<invoice>SCR`, `<invoice>SCRSC`, ... (the base ends in a digit):
  `original_invoice` = the base invoice key; `links_to` = the id this step follows, i.e. the
  chain minus its last step, where a step is a claim `SC` or a reversal `R` of the claim before
  it (`INV1SCR` -> `INV1SC`, `INV1SCRSC` -> `INV1SCR`); none for the first claim `INV1SC`;
* provision `YYMMDD_PROVISION_FOR_RECEIVABLES` (also `..._AGED_RECEIVABLE`, ...) and its reversal
  with an `R` or `-R` suffix: no invoice (a holdback has no invoice copy); the reversal
  `links_to` the provision id without the suffix;
* an ADX inside an RMR loop: `original_invoice` = base key of the parent RMR's reference;
* a Vendor Central line with "Original Invoice Number" filled: the base key of that value;
* anything else (chargebacks, agreement invoices, price protection, ads, ENT-level ADX, plain
  invoice payments): neither. The warehouse sets `original_invoice` of a plain invoice payment
  itself, after classification.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Shortage chains: <invoice>SC, <invoice>SCR, <invoice>SCRSC, ... The base must end in a digit
# so an invoice number that merely ends in letters is not cut. A chain is a run of steps: `SC`
# (a claim) and `R` (the reversal of the step before it, only ever after an `SC`), so it splits
# into steps in exactly one way.
_SHORTAGE_CHAIN = re.compile(r"^(.*[0-9])((?:SCR|SC)+)$")
_CHAIN_STEP = re.compile(r"SC|R")
# YYMMDD_PROVISION_FOR_[words_]RECEIVABLE[S], optionally followed by the reversal suffix R / -R.
_PROVISION = re.compile(
    r"^(?P<provision>[0-9]{6}_PROVISION_FOR_(?:[A-Z]+_)*RECEIVABLES?)(?P<reversal>-?R)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Lineage:
    """What a line id says about its place: the invoice it belongs to, the line it follows."""

    original_invoice: str | None = None
    links_to: str | None = None


def shortage_chain(reference: str) -> tuple[str, tuple[str, ...]] | None:
    """Split a shortage chain into its base (as written) and its steps, or None.

    `INV-1SCRSC` -> `("INV-1", ("SC", "R", "SC"))`; steps upper-cased, in file order.
    """
    text = reference.strip()
    match = _SHORTAGE_CHAIN.match(text.upper())
    if match is None:
        return None
    base = text[: len(match.group(1))]
    return base, tuple(_CHAIN_STEP.findall(match.group(2)))


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


def provision_id(reference: str) -> tuple[str, bool] | None:
    """`(provision id as written, is_reversal)` for a provision line id, else None."""
    match = _PROVISION.match(reference.strip())
    if match is None:
        return None
    return match.group("provision"), match.group("reversal") is not None


def decode_reference(reference: str) -> Lineage:
    """Lineage read from the line id alone (shortage chains and provisions; else nothing)."""
    chain = shortage_chain(reference)
    if chain is not None:
        _, steps = chain
        text = reference.strip()
        links_to = text[: len(text) - len(steps[-1])] if len(steps) >= 2 else None
        return Lineage(original_invoice=base_invoice_key(text), links_to=links_to)
    provision = provision_id(reference)
    if provision is not None:
        provision_ref, is_reversal = provision
        return Lineage(original_invoice=None, links_to=provision_ref if is_reversal else None)
    return Lineage()


def line_lineage(
    reference: str,
    *,
    parent_reference: str | None = None,
    original_invoice_number: str | None = None,
) -> Lineage:
    """Lineage of one line from its id, its parent RMR (in-loop ADX) and the export's column.

    Precedence for `original_invoice`, most structural first:
    1. a shortage chain names its invoice in the id itself, and the id is what Amazon matches
       its claims on, so it wins over anything else the file says;
    2. a provision (or its reversal) is a holdback with no invoice behind it, so it never gets
       one, not even from the "Original Invoice Number" column (which, if filled, can only name
       the provision);
    3. an ADX inside an RMR loop adjusts the invoice of that RMR;
    4. the Vendor Central "Original Invoice Number" column, when filled;
    5. otherwise none.
    `links_to` comes from the id alone (rules 1 and 2).
    """
    decoded = decode_reference(reference)
    if decoded.original_invoice is not None or provision_id(reference) is not None:
        return decoded
    if parent_reference and parent_reference.strip():
        return Lineage(base_invoice_key(parent_reference), decoded.links_to)
    if original_invoice_number and original_invoice_number.strip():
        return Lineage(base_invoice_key(original_invoice_number), decoded.links_to)
    return decoded
