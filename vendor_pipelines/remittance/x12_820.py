"""X12 820 (Payment Order / Remittance Advice) parser, as Amazon sends it (4010).

Envelope, checked strictly before any content: one ISA (fixed width, 106 characters, declaring
the delimiters) .. IEA, holding GS .. GE groups of ST .. SE sets. ISA13 = IEA02, GS06 = GE02,
ST02 = SE02, SE01 = number of segments ST..SE, GE01 = number of sets in the group, IEA01 =
number of groups. A file that ends before its IEA, or whose last segment lacks its terminator,
is rejected as *truncated*, naming the line, segment and (where it applies) element of the cut.

Structure per transaction set: ST, BPR (payment), TRN (trace = payment number), CUR, DTM, N1
loops (PR payer, PE payee), then ENT loops holding ENT-level ADX adjustments and RMR lines, each
RMR followed by its REF/DTM and in-loop ADX adjustments. ENT04 (with ENT02 entity code and ENT03
qualifier) names the vendor code of every line of its loop; lines outside an ENT with an id
carry the payee's N1*PE id instead. Each line's lineage (original invoice, the line it follows)
is decoded by `lineage.line_lineage`.

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
from vendor_pipelines.remittance.lineage import Lineage, line_lineage
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


ISA_LENGTH = 106  # the ISA is fixed width: 3 + 16 separators + 86 data characters + terminator
ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)  # ISA01..ISA16


def _truncated(
    line: int | None, segment: str | None, field: str | None, reason: str
) -> RemittanceParseError:
    return RemittanceParseError(line, segment, field, f"truncated: {reason}")


def _isa_delimiters(text: str, start: int, line: int) -> tuple[str, str]:
    """Element separator and segment terminator, read from the fixed-width ISA at `start`.

    A file that ends inside the ISA is truncated; an ISA whose elements are not their fixed
    width is malformed (its terminator would be read from the wrong place).
    """
    isa = text[start : start + ISA_LENGTH]
    if len(isa) < 4:
        raise _truncated(
            line,
            "ISA",
            None,
            f"the file ends after {len(isa)} characters of the ISA segment, "
            f"which is {ISA_LENGTH} characters long",
        )
    separator = isa[3]
    position = 3  # where the separator before the next element sits
    for index, width in enumerate(ISA_WIDTHS, start=1):
        field = f"ISA{index:02d}"
        element = isa[position + 1 : position + 1 + width]
        if separator in element:
            found = element.index(separator)
            raise RemittanceParseError(
                line,
                "ISA",
                field,
                f"{field} is {found} characters; the ISA is fixed width and {field} takes {width}",
            )
        if len(element) < width:
            raise _truncated(
                line,
                "ISA",
                field,
                f"the file ends at {field} after {len(isa)} characters; "
                f"an ISA segment is {ISA_LENGTH} characters long",
            )
        position += 1 + width
        if index < len(ISA_WIDTHS) and position < len(isa) and isa[position] != separator:
            raise RemittanceParseError(
                line,
                "ISA",
                field,
                f"{field} is longer than {width} characters; the ISA is fixed width",
            )
    if len(isa) < ISA_LENGTH:
        raise _truncated(
            line, "ISA", "ISA16", f"the ISA segment has no terminator after {len(isa)} characters"
        )
    terminator = isa[ISA_LENGTH - 1]
    if terminator in "\r\n":
        # Some senders end segments with a newline only; ISA16 is then followed by it.
        terminator = "\n"
    return separator, terminator


def split_segments(text: str) -> list[Segment]:
    """Split an interchange into segments using the delimiters declared in ISA.

    A last segment without its terminator means the file was cut: it is rejected as truncated,
    naming the element the cut falls in.
    """
    start = text.find("ISA")
    if start < 0 or text[:start].strip("\ufeff\r\n\t "):
        raise RemittanceParseError(1, "ISA", None, "file does not start with an ISA segment")
    line = 1 + text.count("\n", 0, start)  # line number at `position`
    element_sep, terminator = _isa_delimiters(text, start, line)
    segments: list[Segment] = []
    position = start
    while position < len(text):
        end = text.find(terminator, position)
        raw = text[position:] if end < 0 else text[position:end]
        stripped = raw.strip("\r\n\t ")
        if stripped:
            leading = raw[: raw.index(stripped[0])]
            elements = stripped.split(element_sep)
            segment = Segment(
                elements[0].strip(), elements, line + leading.count("\n"), len(segments) + 1
            )
            if end < 0:
                raise _cut_segment(segment, terminator)
            segments.append(segment)
        if end < 0:
            break
        line += raw.count("\n") + (1 if terminator == "\n" else 0)
        position = end + 1
    return segments


def _cut_segment(segment: Segment, terminator: str) -> RemittanceParseError:
    shown = "newline" if terminator == "\n" else repr(terminator)
    if len(segment.elements) < 2:
        return _truncated(
            segment.line,
            segment.tag,
            None,
            f"the file ends inside segment {segment.tag!r}, which has no terminator {shown}",
        )
    field = f"{segment.tag}{len(segment.elements) - 1:02d}"
    return _truncated(
        segment.line,
        segment.tag,
        field,
        f"the file ends inside {field}: the last segment {segment.tag} has no terminator {shown}",
    )


def _same_number(left: str, right: str) -> bool:
    """Control numbers of numeric type (ISA13, GS06) compare by value, others as text."""
    if left.isdigit() and right.isdigit():
        return int(left) == int(right)
    return left == right


def _count(segment: Segment, position: int) -> int:
    raw = segment.require(position)
    if not raw.isdigit():
        raise RemittanceParseError(
            segment.line, segment.tag, f"{segment.tag}{position:02d}", f"not a count: {raw!r}"
        )
    return int(raw)


@dataclass(frozen=True)
class TransactionSet:
    """One ST..SE set whose envelope checked out; `body` is what lies between ST and SE."""

    st: Segment
    body: list[Segment]
    se: Segment
    version: str  # GS08 of its group


def check_envelopes(segments: list[Segment]) -> list[TransactionSet]:
    """Validate ISA/GS/ST..SE/GE/IEA nesting, control numbers and counts; return the sets.

    ISA13 = IEA02, GS06 = GE02, ST02 = SE02; SE01 = segments ST..SE; GE01 = sets in the group;
    IEA01 = groups in the interchange. A file that ends before its IEA is truncated.
    """
    isa = segments[0]
    sets: list[TransactionSet] = []
    gs: Segment | None = None
    group_sets: dict[str, Segment] = {}  # ST02 -> ST, within the open group
    group_count = 0
    st: Segment | None = None
    body: list[Segment] = []
    iea: Segment | None = None
    for segment in segments[1:]:
        tag = segment.tag
        if iea is not None:
            raise RemittanceParseError(
                segment.line,
                tag,
                None,
                f"segment after IEA closed the interchange at line {iea.line}",
            )
        if st is not None:
            if tag == "SE":
                assert gs is not None
                _check_se(st, segment)
                sets.append(TransactionSet(st, body, segment, gs.require(8)))
                st, body = None, []
            elif tag in ("ISA", "GS", "ST", "GE", "IEA"):
                raise RemittanceParseError(
                    segment.line,
                    tag,
                    None,
                    f"{tag} inside transaction set {st.get(2)} opened at "
                    f"line {st.line}, before its SE",
                )
            else:
                body.append(segment)
            continue
        if tag == "GS":
            if gs is not None:
                raise RemittanceParseError(
                    segment.line,
                    "GS",
                    None,
                    f"GS before GE closed the group opened at line {gs.line}",
                )
            segment.require(6)
            segment.require(8)
            gs, group_sets = segment, {}
            group_count += 1
        elif tag == "ST":
            if gs is None:
                raise RemittanceParseError(
                    segment.line, "ST", None, "ST outside a GS..GE functional group"
                )
            control = segment.require(2)
            if control in group_sets:
                raise RemittanceParseError(
                    segment.line,
                    "ST",
                    "ST02",
                    f"transaction set control number {control} "
                    f"repeats the ST02 at line {group_sets[control].line} in the same group",
                )
            group_sets[control] = segment
            st = segment
        elif tag == "SE":
            raise RemittanceParseError(segment.line, "SE", None, "SE without ST")
        elif tag == "GE":
            if gs is None:
                raise RemittanceParseError(segment.line, "GE", None, "GE without GS")
            _check_trailer(
                segment,
                ("transaction sets", f"ST..SE sets in the group opened at line {gs.line}"),
                len(group_sets),
                (gs, 6, "group"),
            )
            gs = None
        elif tag == "IEA":
            if gs is not None:
                raise RemittanceParseError(
                    segment.line,
                    "IEA",
                    None,
                    f"IEA before GE closed the group opened at line {gs.line}",
                )
            _check_trailer(
                segment,
                ("functional groups", "GS..GE groups in the interchange"),
                group_count,
                (isa, 13, "interchange"),
            )
            iea = segment
        elif tag == "ISA":
            raise RemittanceParseError(
                segment.line, "ISA", None, "second ISA before IEA closed the interchange"
            )
        else:
            raise RemittanceParseError(
                segment.line, tag, None, "segment outside an ST..SE transaction set"
            )
    if iea is None:
        last = segments[-1]
        if st is not None:
            where = f"inside transaction set {st.get(2)} opened at line {st.line}"
            missing = "SE, GE and IEA"
        elif gs is not None:
            where = f"inside the group opened at line {gs.line}"
            missing = "GE and IEA"
        else:
            where, missing = "before the end of the interchange", "IEA"
        raise _truncated(
            last.line,
            last.tag,
            None,
            f"the file ends after segment {last.tag} (line {last.line}) {where}; {missing} missing",
        )
    return sets


def _check_trailer(
    trailer: Segment,
    counts: tuple[str, str],
    counted: int,
    control: tuple[Segment, int, str],
) -> None:
    """The checks of a GE or IEA: its 01 is the number of what it closes (`counts`: what the
    number is of, what was found), `counted` found; its 02 is the control number of its header
    (`control`: the header, its element with the number, the number's name)."""
    declared = _count(trailer, 1)
    if declared != counted:
        raise RemittanceParseError(
            trailer.line,
            trailer.tag,
            f"{trailer.tag}01",
            f"number of {counts[0]} {declared} != {counted} {counts[1]}",
        )
    header, position, name = control
    if not _same_number(trailer.require(2), header.require(position)):
        raise RemittanceParseError(
            trailer.line,
            trailer.tag,
            f"{trailer.tag}02",
            f"{name} control number {trailer.get(2)} != "
            f"{header.tag}{position:02d} {header.get(position)}",
        )


def _check_se(st: Segment, se: Segment) -> None:
    count = se.ordinal - st.ordinal + 1
    if se.get(1) != str(count):
        raise RemittanceParseError(se.line, "SE", "SE01", f"segment count {se.get(1)} != {count}")
    if se.require(2) != st.get(2):
        raise RemittanceParseError(
            se.line,
            "SE",
            "SE02",
            f"transaction set control number {se.get(2)} != ST02 {st.get(2)}",
        )


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
        self.ent_vendor: str | None = None  # ENT04 of the open ENT loop
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
                vendor_code=rmr.get("vendor_code"),  # type: ignore[arg-type]
                source_line=segment.line,
                **_lineage(line_lineage(str(rmr["reference"]))),
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
            self.payment_fields["trn_line"] = segment.line
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
            # ENT02 entity identifier code, ENT03 id code qualifier, ENT04 the id: the vendor
            # code of every line in this loop. An ENT without ENT04 leaves its lines to the payee.
            self.close_rmr()
            self.in_ent = True
            self.ent_vendor = segment.get(4) or None
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
            "vendor_code": self.ent_vendor,
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
            vendor_code=self.ent_vendor,
            source_line=segment.line,
            **_lineage(
                line_lineage(
                    reference, parent_reference=str(parent["reference"]) if parent else None
                )
            ),
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
        payee: str | None = self.payment_fields.get("payee_id")  # type: ignore[assignment]
        self.lines = [
            line if line.vendor_code is not None else replace(line, vendor_code=payee)
            for line in self.lines
        ]
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


def _lineage(lineage: Lineage) -> dict[str, str | None]:
    return {"original_invoice": lineage.original_invoice, "links_to": lineage.links_to}


def parse_820(text: str) -> RemittanceDocument:
    """Parse a whole 820 interchange; any error rejects the whole file.

    The envelope (delimiters, nesting, control numbers, counts, truncation) is checked over the
    whole file first, so a file cut short is reported as truncated rather than by whatever
    arithmetic its missing part breaks.
    """
    segments = split_segments(text)
    transaction_sets = check_envelopes(segments)
    document = RemittanceDocument(source_format="x12_820")
    for transaction_set in transaction_sets:
        st = transaction_set.st
        if st.get(1) != "820":
            raise RemittanceParseError(
                st.line, "ST", "ST01", f"expected transaction set 820, got {st.get(1)}"
            )
        document.x12_version = document.x12_version or transaction_set.version
        parser = _TransactionParser(
            _version_number(transaction_set.version), len(document.lines) + 1
        )
        for segment in transaction_set.body:
            parser.feed(segment)
        payment = parser.finish(transaction_set.se)
        if any(p.payment_number == payment.payment_number for p in document.payments):
            raise RemittanceParseError(
                int(parser.payment_fields["trn_line"]),  # type: ignore[call-overload]
                "TRN",
                "TRN02",
                f"duplicate payment {payment.payment_number}",
            )
        document.payments.append(payment)
        document.lines.extend(parser.lines)
    if not document.payments:
        raise RemittanceParseError(None, "ST", None, "no 820 transaction set in file")
    document.lines.sort(key=lambda line: line.line_no)
    return document
