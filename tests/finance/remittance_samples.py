# ruff: noqa: E501 -- EDI segments and CSV rows are data, kept one per line as a file has them
"""One Amazon payment written by hand three ways: an EDI 820 and both Vendor Central export
shapes (payment header + lines, lines only). Amounts are hand-computed:

    INV-5001  1000.00 gross - 20.00 terms discount               =  980.00 paid
    INV-5002   500.00 gross - 30.00 price claim (ADX 01 in loop) =  470.00 paid
    INV-5001SC shortage claim                                    =  -45.00
    INV-4999SCR reversal of an earlier claim on INV-4999         =   15.00
    6268-1234567890 co-op agreement invoice                      = -100.00
    240101_PROVISION_FOR_RECEIVABLES and its reversal            = -200.00 + 200.00
    CB777 freight deducted at ENT level (ADX 54)                 =  -12.34
    payment                                                      = 1307.66
"""

from __future__ import annotations

from decimal import Decimal

PAYMENT_NUMBER = "PAY-77"
TOTAL = Decimal("1307.66")

# (reference, amount, class, original_invoice, links_to), in file order
EXPECTED_ITEMS = [
    ("CB777", "-12.34", "FREIGHT_ALLOWANCE", None, None),
    ("INV-5001", "1000.00", "INVOICE_PAYMENT", "INV-5001", None),
    ("INV-5001", "-20.00", "TERMS_DISCOUNT", "INV-5001", None),
    ("INV-5002", "500.00", "INVOICE_PAYMENT", "INV-5002", None),
    ("INV-5002", "-30.00", "PRICE_CLAIM", "INV-5002", None),
    ("INV-5001SC", "-45.00", "SHORTAGE", "INV-5001", None),
    ("INV-4999SCR", "15.00", "SHORTAGE_REVERSAL", "INV-4999", "INV-4999SC"),
    ("6268-1234567890", "-100.00", "COOP", None, None),
    ("240101_PROVISION_FOR_RECEIVABLES", "-200.00", "PROVISION", None, None),
    (
        "240101_PROVISION_FOR_RECEIVABLESR",
        "200.00",
        "PROVISION_REVERSAL",
        None,
        "240101_PROVISION_FOR_RECEIVABLES",
    ),
]


def _segments(body: list[str]) -> list[str]:
    count = len(body) + 2  # ST and SE
    return [
        "ISA*00*          *00*          *ZZ*AMAZON         *ZZ*ACMEHOME       *261102*1200*U*00401*000000077*0*P*>",
        "GS*RA*AMAZON*ACMEHOME*20261102*1200*77*X*004010",
        "ST*820*0001",
        *body,
        f"SE*{count}*0001",
        "GE*1*77",
        "IEA*1*000000077",
    ]


X12_820 = (
    "~\n".join(
        _segments(
            [
                "BPR*C*1307.66*C*ACH*CCP*01*011000015*DA*123456*1234567890**01*021000021*DA*987654*20261102",
                f"TRN*1*{PAYMENT_NUMBER}*1234567890",
                "CUR*PR*USD",
                "N1*PR*AMAZON.COM SERVICES LLC",
                "N1*PE*ACME HOME GOODS*92*ACME1",
                "ENT*1*2L*92*ACME1",
                "ADX*-12.34*54*CM*CB777",
                "RMR*IV*INV-5001**980.00*1000.00*20.00",
                "REF*PO*PO-1",
                "DTM*003*20261001",
                "RMR*IV*INV-5002**470.00*500.00",
                "REF*PO*PO-2",
                "ADX*-30.00*01",
                "RMR*IV*INV-5001SC**-45.00",
                "RMR*IV*INV-4999SCR**15.00",
                "RMR*IV*6268-1234567890**-100.00",
                "RMR*IV*240101_PROVISION_FOR_RECEIVABLES**-200.00",
                "RMR*IV*240101_PROVISION_FOR_RECEIVABLESR**200.00",
            ]
        )
    )
    + "~\n"
)

LINE_HEADER = (
    "Payment Number,Invoice Number,Invoice Date,Transaction type,Transaction Description,"
    "Reference Details,Original Invoice Number,Invoice Amount,Invoice Currency,"
    "Withholding Amount,Terms Discount Taken,Amount Paid,Remaining Amount"
)
LINE_ROWS = [
    f"{PAYMENT_NUMBER},CB777,11/02/2026,Others,Freight allowance,,,-12.34,USD,0,0,-12.34,0",
    f'{PAYMENT_NUMBER},INV-5001,10/01/2026,Invoice,Payments,PO-1,,"$1,000.00",USD,0,20.00,980.00,0',
    f"{PAYMENT_NUMBER},INV-5002,10/01/2026,Invoice,Payments,PO-2,,500.00,USD,0,0,500.00,0",
    f"{PAYMENT_NUMBER},INV-5002,10/01/2026,Financial Debit Note Invoice,Price variance,,INV-5002,(30.00),USD,0,0,(30.00),0",
    f"{PAYMENT_NUMBER},INV-5001SC,10/28/2026,Invoice,Shortage claim,,INV-5001,-45.00,USD,0,0,-45.00,0",
    f"{PAYMENT_NUMBER},INV-4999SCR,10/28/2026,Invoice,Shortage claim reversal,,INV-4999,15.00,USD,0,0,15.00,0",
    f"{PAYMENT_NUMBER},6268-1234567890,10/15/2026,Others,Co-op,,,-100.00,USD,0,0,-100.00,0",
    f"{PAYMENT_NUMBER},240101_PROVISION_FOR_RECEIVABLES,11/01/2026,Provision deduction,Provision for to be billed receivable,,,-200.00,USD,0,0,-200.00,0",
    f"{PAYMENT_NUMBER},240101_PROVISION_FOR_RECEIVABLESR,11/01/2026,Provision reversal,Provision reversal,,,200.00,USD,0,0,200.00,0",
]
PAYMENT_SECTION = (
    "Payment Number,Payment Date,Invoice Currency,Amount in Invoice Currency,Payment Currency,"
    "Amount in Payment Currency,Exchange Rate,Payment Type,Payment Status,Payment Voided Reason\n"
    f'{PAYMENT_NUMBER},11/02/2026,USD,"$1,307.66",USD,"$1,307.66",1,ACH,Paid,\n'
)
VC_STACKED = (
    "Remittance payments\n\n"
    + PAYMENT_SECTION
    + "\n"
    + LINE_HEADER
    + "\n"
    + "\n".join(LINE_ROWS)
    + "\n"
)
VC_LINES_ONLY = LINE_HEADER + "\r\n" + "\r\n".join(LINE_ROWS) + "\r\n"
