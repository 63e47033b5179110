"""X12 820 (Payment Order / Remittance Advice) parser, as Amazon sends it (4010).

Structure per transaction set: ST, BPR (payment), TRN (trace = payment number), CUR, DTM, N1
loops (PR payer, PE payee), then ENT loops holding ENT-level ADX adjustments and RMR lines, each
RMR followed by its REF/DTM and in-loop ADX adjustments.

Arithmetic enforced, so a file either ties or is rejected whole:
* per RMR:  RMR04 = RMR05 - RMR06 + Σ ADX01 inside that RMR loop (when RMR05 is present);
* per payment: BPR02 = Σ RMR04 + Σ ENT-level ADX01.
ADX signs follow GS08: before 003050 a positive ADX *reduced* the payment, so it is negated to
the 4010 convention (negative reduces, positive increases) before any arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from vendor_pipelines.remittance.amounts import parse_money, parse_x12_date
from vendor_pipelines.remittance.models import (
    RemittanceDocument,
    RemittanceLine,
    RemittanceParseError,
    RemittancePayment,
)

ZERO = Decimal("0")
# First version where a negative ADX01 reduces the payment (sign convention flip).
ADX_SIGN_FLIP_VERSION = 3050


@dataclass(frozen=True)
class Segment:
    tag: str
    elements: list[str]  # elements[0] is the tag, so elements[2] is "XX02"
    line: int
    ordinal: int

    def get(self, position: int) -> str:
        return self.elements[position].strip() if position < len(self.elements) else ""

    def require(self, position: int) -> str:
        value = self.get(position)
        if not value:
            raise RemittanceParseError(
                self.line, self.tag, f"{self.tag}{position:02d}", "required element is empty"
            )
        return value

    def money(self, position: int, required: bool = True) -> Decimal | None:
        raw = self.require(position) if required else self.get(position)
        if not raw:
            return None
        try:
            return parse_money(raw)
        except ValueError as exc:
            raise RemittanceParseError(
                self.line, self.tag, f"{self.tag}{position:02d}", str(exc)
            ) from exc

    def x12_date(self, position: int) -> object:
        raw = self.require(position)
        try:
            return parse_x12_date(raw)
        except ValueError as exc:
            raise RemittanceParseError(
                self.line, self.tag, f"{self.tag}{position:02d}", str(exc)
            ) from exc


def split_segments(text: str) -> list[Segment]:
    """Split an interchange into segments using the delimiters declared in ISA."""
    start = text.find("ISA")
    if start < 0 or len(text) < start + 106:
        raise RemittanceParseError(1, "ISA", None, "file does not start with an ISA segment")
    element_sep = text[start + 3]
    terminator = text[start + 105]
    if terminator in "\r\n":
        # Some senders end segments with a newline only; ISA16 is then followed by it.
        terminator = "\n"
    segments: list[Segment] = []
    line = 1 + text.count("\n", 0, start)  # line number at `position`
    position = start
    while position < len(text):
        end = text.find(terminator, position)
        if end < 0:
            end = len(text)
        raw = text[position:end]
        stripped = raw.strip("\r\n\t ")
        if stripped:
            leading = raw[: raw.index(stripped[0])]
            elements = stripped.split(element_sep)
            segments.append(
                Segment(
                    elements[0].strip(), elements, line + leading.count("\n"), len(segments) + 1
                )
            )
        line += raw.count("\n") + (1 if terminator == "\n" else 0)
        position = end + 1
    return segments


def _version_number(gs08: str) -> int:
    digits = "".join(ch for ch in gs08[:6] if ch.isdigit())
    return int(digits) if digits else 4010


class _TransactionParser:
    """Builds one payment and its lines from the segments of one ST..SE set."""

    def __init__(self, version: int, first_line_no: int):
        self.flip_adx = version < ADX_SIGN_FLIP_VERSION
        self.next_line_no = first_line_no
        self.payment_fields: dict[str, object] = {}
        self.lines: list[RemittanceLine] = []
        self.rmr: dict[str, object] | None = None  # the open RMR loop
        self.rmr_adx: list[RemittanceLine] = []
        self.in_ent = False
        self.sum_rmr04 = ZERO
        self.sum_ent_adx = ZERO

    def adx_amount(self, segment: Segment) -> Decimal:
        amount = segment.money(1)
        assert amount is not None
        return -amount if self.flip_adx else amount

    def take_line_no(self) -> int:
        value = self.next_line_no
        self.next_line_no += 1
        return value

    def close_rmr(self) -> None:
        if self.rmr is None:
            return
        rmr = self.rmr
        segment: Segment = rmr["segment"]  # type: ignore[assignment]
        paid: Decimal = rmr["paid"]  # type: ignore[assignment]
        gross: Decimal | None = rmr["gross"]  # type: ignore[assignment]
        discount: Decimal = rmr["discount"]  # type: ignore[assignment]
        adjustments = sum((child.amount for child in self.rmr_adx), ZERO)
        if gross is not None:
            expected = gross - discount + adjustments
            if expected != paid:
                raise RemittanceParseError(
                    segment.line,
                    "RMR",
                    "RMR04",
                    f"amount paid {paid} != RMR05 {gross} - RMR06 {discount} + in-loop ADX "
                    f"{adjustments} = {expected}",
                )
        # The invoice line carries the cash before in-loop adjustments, so each ADX stays its
        # own remittance line and the lines of a payment still add up to BPR02.
        self.lines.append(
            RemittanceLine(
                payment_number=str(rmr["payment_number"]),
                line_no=int(rmr["line_no"]),  # type: ignore[arg-type]
                record_kind="RMR",
                reference=str(rmr["reference"]),
                amount=paid - adjustments,
                invoice_amount=gross if gross is not None else paid - adjustments + discount,
                discount_amount=discount,
                reference_qualifier=segment.get(1) or None,
                adjustment_reason=segment.get(7) or None,
                po_number=rmr.get("po_number"),  # type: ignore[arg-type]
                invoice_date=rmr.get("invoice_date"),  # type: ignore[arg-type]
                source_line=segment.line,
            )
        )
        self.lines.extend(self.rmr_adx)
        self.sum_rmr04 += paid
        self.rmr = None
        self.rmr_adx = []

    def feed(self, segment: Segment) -> None:
        tag = segment.tag
        if tag == "BPR":
            amount = segment.money(2)
            assert amount is not None
            flag = segment.get(3) or "C"
            if flag not in ("C", "D"):
                raise RemittanceParseError(
                    segment.line, "BPR", "BPR03", f"credit/debit flag must be C or D, got {flag!r}"
                )
            self.payment_fields.update(
                amount=amount if flag == "C" else -amount,
                method=segment.get(4) or None,
                bpr_line=segment.line,
                handling=segment.get(1),
            )
            if len(segment.elements) > 16 and segment.get(16):
                self.payment_fields["date"] = segment.x12_date(16)
        elif tag == "TRN":
            self.payment_fields["payment_number"] = segment.require(2)
        elif tag == "CUR":
            self.payment_fields["currency"] = segment.get(2) or "USD"
        elif tag == "DTM" and self.rmr is None and not self.in_ent:
            self.payment_fields.setdefault("date", segment.x12_date(2))
        elif tag == "N1" and not self.in_ent:
            if segment.get(1) == "PR":
                self.payment_fields["payer"] = segment.get(2) or None
            elif segment.get(1) == "PE":
                self.payment_fields["payee_id"] = segment.get(4) or segment.get(2) or None
        elif tag == "ENT":
            self.close_rmr()
            self.in_ent = True
        elif tag == "RMR":
            self._start_rmr(segment)
        elif tag == "REF" and self.rmr is not None:
            if segment.get(1) == "PO":
                self.rmr["po_number"] = segment.get(2) or None
        elif tag == "DTM" and self.rmr is not None:
            if segment.get(1) == "003":
                self.rmr["invoice_date"] = segment.x12_date(2)
        elif tag == "ADX":
            self._adx(segment)

    def _start_rmr(self, segment: Segment) -> None:
        self.close_rmr()
        if "payment_number" not in self.payment_fields:
            raise RemittanceParseError(segment.line, "RMR", None, "RMR before TRN payment number")
        paid = segment.money(4)
        assert paid is not None
        self.rmr = {
            "segment": segment,
            "payment_number": self.payment_fields["payment_number"],
            "line_no": self.take_line_no(),
            "reference": segment.require(2),
            "paid": paid,
            "gross": segment.money(5, required=False),
            "discount": segment.money(6, required=False) or ZERO,
        }

    def _adx(self, segment: Segment) -> None:
        if "payment_number" not in self.payment_fields:
            raise RemittanceParseError(segment.line, "ADX", None, "ADX before TRN payment number")
        amount = self.adx_amount(segment)
        parent = self.rmr
        reference = segment.get(4) or (str(parent["reference"]) if parent else "")
        if not reference:
            raise RemittanceParseError(
                segment.line, "ADX", "ADX04", "ENT-level adjustment without a reference id"
            )
        line = RemittanceLine(
            payment_number=str(self.payment_fields["payment_number"]),
            line_no=0,  # assigned below, after the parent RMR took its number
            record_kind="ADX_RMR" if parent else "ADX_ENT",
            reference=reference,
            amount=amount,
            invoice_amount=amount,
            reference_qualifier=segment.get(3) or None,
            adjustment_reason=segment.get(2) or None,
            parent_line_no=int(parent["line_no"]) if parent else None,  # type: ignore[arg-type]
            po_number=parent.get("po_number") if parent else None,  # type: ignore[arg-type]
            source_line=segment.line,
        )
        line = _with_line_no(line, self.take_line_no())
        if parent is not None:
            self.rmr_adx.append(line)
        else:
            self.lines.append(line)
            self.sum_ent_adx += amount

    def finish(self, se: Segment) -> RemittancePayment:
        self.close_rmr()
        for key, field_name, tag in (
            ("amount", "BPR02", "BPR"),
            ("payment_number", "TRN02", "TRN"),
            ("date", "BPR16", "BPR"),
        ):
            if key not in self.payment_fields:
                raise RemittanceParseError(se.line, tag, field_name, f"missing {tag} {field_name}")
        total: Decimal = self.payment_fields["amount"]  # type: ignore[assignment]
        expected = self.sum_rmr04 + self.sum_ent_adx
        if total != expected:
            raise RemittanceParseError(
                int(self.payment_fields["bpr_line"]),  # type: ignore[arg-type]
                "BPR",
                "BPR02",
                f"payment total {total} != sum of RMR04 {self.sum_rmr04} + ENT-level ADX "
                f"{self.sum_ent_adx} = {expected}",
            )
        return RemittancePayment(
            payment_number=str(self.payment_fields["payment_number"]),
            payment_date=self.payment_fields["date"],  # type: ignore[arg-type]
            amount=total,
            currency=str(self.payment_fields.get("currency", "USD")),
            payment_method=self.payment_fields.get("method"),  # type: ignore[arg-type]
            payer_name=self.payment_fields.get("payer"),  # type: ignore[arg-type]
            payee_id=self.payment_fields.get("payee_id"),  # type: ignore[arg-type]
            source_line=int(self.payment_fields["bpr_line"]),  # type: ignore[arg-type]
        )


def _with_line_no(line: RemittanceLine, line_no: int) -> RemittanceLine:
    return replace(line, line_no=line_no)


def parse_820(text: str) -> RemittanceDocument:
    """Parse a whole 820 interchange; any error rejects the whole file."""
    segments = split_segments(text)
    document = RemittanceDocument(source_format="x12_820")
    version = 4010
    transaction: _TransactionParser | None = None
    st_segment: Segment | None = None
    for segment in segments:
        if segment.tag == "GS":
            gs08 = segment.require(8)
            version = _version_number(gs08)
            document.x12_version = gs08
        elif segment.tag == "ST":
            if segment.get(1) != "820":
                raise RemittanceParseError(
                    segment.line,
                    "ST",
                    "ST01",
                    f"expected transaction set 820, got {segment.get(1)}",
                )
            transaction = _TransactionParser(version, len(document.lines) + 1)
            st_segment = segment
        elif segment.tag == "SE":
            if transaction is None or st_segment is None:
                raise RemittanceParseError(segment.line, "SE", None, "SE without ST")
            count = segment.ordinal - st_segment.ordinal + 1
            if segment.get(1) != str(count):
                raise RemittanceParseError(
                    segment.line, "SE", "SE01", f"segment count {segment.get(1)} != {count}"
                )
            payment = transaction.finish(segment)
            if any(p.payment_number == payment.payment_number for p in document.payments):
                raise RemittanceParseError(
                    segment.line, "TRN", "TRN02", f"duplicate payment {payment.payment_number}"
                )
            document.payments.append(payment)
            document.lines.extend(transaction.lines)
            transaction = None
        elif segment.tag in ("ISA", "IEA", "GE"):
            continue
        elif transaction is None:
            raise RemittanceParseError(
                segment.line, segment.tag, None, "segment outside an ST..SE transaction set"
            )
        else:
            transaction.feed(segment)
    if transaction is not None:
        raise RemittanceParseError(None, "SE", None, "transaction set not closed by SE")
    if not document.payments:
        raise RemittanceParseError(None, "ST", None, "no 820 transaction set in file")
    document.lines.sort(key=lambda line: line.line_no)
    return document
