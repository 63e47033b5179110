"""Vendor Invoices v1 (Retail Procurement payments): `vendorInvoices.json`.

Quirks: `InvoiceItem.itemSequenceNumber` is an integer here; the address uses
`postalOrZipCode`; the model's *example* body wraps invoices in `payload` but the schema (which
Amazon enforces) has `invoices` at the top level.
"""

from __future__ import annotations

from decimal import Decimal

from .common import (
    AmzDateTime,
    AmzDecimal,
    AmzEnum,
    AmzModel,
    Error,
    TransactionReference,
    enum_aliases,
)
from .orders import TaxRegistrationType


class InvoiceType(AmzEnum):
    Invoice = "Invoice"
    CreditNote = "CreditNote"


class TaxType(AmzEnum):
    CGST = "CGST"
    SGST = "SGST"
    CESS = "CESS"
    UTGST = "UTGST"
    IGST = "IGST"
    MwSt = "MwSt."
    PST = "PST"
    TVA = "TVA"
    VAT = "VAT"
    GST = "GST"
    ST = "ST"
    Consumption = "Consumption"
    MutuallyDefined = "MutuallyDefined"
    DomesticVAT = "DomesticVAT"


class AdditionalDetailType(AmzEnum):
    SUR = "SUR"
    OCR = "OCR"
    CartonCount = "CartonCount"


class ChargeType(AmzEnum):
    Freight = "Freight"
    Packing = "Packing"
    Duty = "Duty"
    Service = "Service"
    SmallOrder = "SmallOrder"
    InsurancePlacementCost = "InsurancePlacementCost"
    InsuranceFee = "InsuranceFee"
    SpecialHandlingService = "SpecialHandlingService"
    CollectionAndRecyclingService = "CollectionAndRecyclingService"
    EnvironmentalProtectionService = "EnvironmentalProtectionService"
    TaxCollectedAtSource = "TaxCollectedAtSource"


class AllowanceType(AmzEnum):
    Discount = "Discount"
    DiscountIncentive = "DiscountIncentive"
    Defective = "Defective"
    Promotional = "Promotional"
    UnsaleableMerchandise = "UnsaleableMerchandise"
    Special = "Special"


class PaymentTermsType(AmzEnum):
    Basic = "Basic"
    EndOfMonth = "EndOfMonth"
    FixedDate = "FixedDate"
    Proximo = "Proximo"
    PaymentDueUponReceiptOfInvoice = "PaymentDueUponReceiptOfInvoice"
    LetterofCredit = "LetterofCredit"


class NetCostUnitOfMeasure(AmzEnum):
    POUNDS = "POUNDS"
    OUNCES = "OUNCES"
    GRAMS = "GRAMS"
    KILOGRAMS = "KILOGRAMS"


class UnitOfMeasure(AmzEnum):
    Cases = "Cases"
    Eaches = "Eaches"


# Amazon's own shipment examples write "Each"/"Case" for the 1P "Eaches"/"Cases".
enum_aliases(UnitOfMeasure, {"Each": "Eaches", "Case": "Cases"})


class Address(AmzModel):
    name: str
    addressLine1: str
    addressLine2: str | None = None
    addressLine3: str | None = None
    city: str | None = None
    county: str | None = None
    district: str | None = None
    stateOrRegion: str | None = None
    postalOrZipCode: str | None = None
    countryCode: str
    phone: str | None = None


class TaxRegistrationDetails(AmzModel):
    taxRegistrationType: TaxRegistrationType
    taxRegistrationNumber: str


class PartyIdentification(AmzModel):
    partyId: str
    address: Address | None = None
    taxRegistrationDetails: list[TaxRegistrationDetails] | None = None


class Money(AmzModel):
    currencyCode: str | None = None
    amount: AmzDecimal | None = None

    @property
    def value(self) -> Decimal:
        return self.amount if self.amount is not None else Decimal(0)


class TotalWeight(AmzModel):
    unitOfMeasure: NetCostUnitOfMeasure
    amount: AmzDecimal


class ItemQuantity(AmzModel):
    amount: int
    unitOfMeasure: UnitOfMeasure
    unitSize: int | None = None
    totalWeight: TotalWeight | None = None

    @property
    def eaches(self) -> int:
        if self.unitOfMeasure == UnitOfMeasure.Cases:
            return self.amount * (self.unitSize or 1)
        return self.amount


class TaxDetails(AmzModel):
    taxType: TaxType
    taxRate: AmzDecimal | None = None
    taxAmount: Money
    taxableAmount: Money | None = None


class AdditionalDetails(AmzModel):
    type: AdditionalDetailType
    detail: str
    languageCode: str | None = None


class ChargeDetails(AmzModel):
    type: ChargeType
    description: str | None = None
    chargeAmount: Money
    taxDetails: list[TaxDetails] | None = None


class AllowanceDetails(AmzModel):
    type: AllowanceType
    description: str | None = None
    allowanceAmount: Money
    taxDetails: list[TaxDetails] | None = None


class PaymentTerms(AmzModel):
    type: PaymentTermsType | None = None
    discountPercent: AmzDecimal | None = None
    discountDueDays: float | None = None
    netDueDays: float | None = None


class CreditNoteDetails(AmzModel):
    referenceInvoiceNumber: str | None = None
    debitNoteNumber: str | None = None
    returnsReferenceNumber: str | None = None
    goodsReturnDate: AmzDateTime | None = None
    rmaId: str | None = None
    coopReferenceNumber: str | None = None
    consignorsReferenceNumber: str | None = None


class InvoiceItem(AmzModel):
    itemSequenceNumber: int
    amazonProductIdentifier: str | None = None
    vendorProductIdentifier: str | None = None
    invoicedQuantity: ItemQuantity
    netCost: Money
    netCostUnitOfMeasure: NetCostUnitOfMeasure | None = None
    purchaseOrderNumber: str | None = None
    hsnCode: str | None = None
    creditNoteDetails: CreditNoteDetails | None = None
    taxDetails: list[TaxDetails] | None = None
    chargeDetails: list[ChargeDetails] | None = None
    allowanceDetails: list[AllowanceDetails] | None = None


class Invoice(AmzModel):
    invoiceType: InvoiceType
    id: str
    referenceNumber: str | None = None
    date: AmzDateTime
    remitToParty: PartyIdentification
    shipToParty: PartyIdentification | None = None
    shipFromParty: PartyIdentification | None = None
    billToParty: PartyIdentification | None = None
    paymentTerms: PaymentTerms | None = None
    invoiceTotal: Money
    taxDetails: list[TaxDetails] | None = None
    additionalDetails: list[AdditionalDetails] | None = None
    chargeDetails: list[ChargeDetails] | None = None
    allowanceDetails: list[AllowanceDetails] | None = None
    items: list[InvoiceItem] | None = None


class SubmitInvoicesRequest(AmzModel):
    invoices: list[Invoice] | None = None


class SubmitInvoicesResponse(AmzModel):
    payload: TransactionReference | None = None
    errors: list[Error] | None = None
