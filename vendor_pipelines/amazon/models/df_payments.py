"""Direct Fulfillment Payments v1 (DF invoices): `vendorDirectFulfillmentPaymentsV1.json`."""

from __future__ import annotations

from decimal import Decimal

from .common import AmzDateTime, AmzDecimal, AmzEnum, AmzModel, Error, TransactionReference
from .invoices import TaxType
from .orders import TaxRegistrationType


class DfChargeType(AmzEnum):
    GIFTWRAP = "GIFTWRAP"
    FULFILLMENT = "FULFILLMENT"
    MARKETINGINSERT = "MARKETINGINSERT"
    PACKAGING = "PACKAGING"
    LOADING = "LOADING"
    FREIGHTOUT = "FREIGHTOUT"
    TAX_COLLECTED_AT_SOURCE = "TAX_COLLECTED_AT_SOURCE"


class DfAdditionalDetailType(AmzEnum):
    SUR = "SUR"
    OCR = "OCR"


class Address(AmzModel):
    name: str
    addressLine1: str
    addressLine2: str | None = None
    addressLine3: str | None = None
    city: str
    county: str | None = None
    district: str | None = None
    stateOrRegion: str
    postalCode: str
    countryCode: str
    phone: str | None = None


class TaxRegistrationDetail(AmzModel):
    taxRegistrationType: TaxRegistrationType | None = None
    taxRegistrationNumber: str
    taxRegistrationAddress: Address | None = None
    taxRegistrationMessage: str | None = None


class PartyIdentification(AmzModel):
    partyId: str
    address: Address | None = None
    taxRegistrationDetails: list[TaxRegistrationDetail] | None = None


class Money(AmzModel):
    currencyCode: str
    amount: AmzDecimal

    @property
    def value(self) -> Decimal:
        return self.amount


class ItemQuantity(AmzModel):
    amount: int
    unitOfMeasure: str


class TaxDetail(AmzModel):
    taxType: TaxType
    taxRate: AmzDecimal | None = None
    taxAmount: Money
    taxableAmount: Money | None = None


class ChargeDetails(AmzModel):
    type: DfChargeType
    chargeAmount: Money
    taxDetails: list[TaxDetail] | None = None


class AdditionalDetails(AmzModel):
    type: DfAdditionalDetailType
    detail: str
    languageCode: str | None = None


class InvoiceItem(AmzModel):
    itemSequenceNumber: str
    buyerProductIdentifier: str | None = None
    vendorProductIdentifier: str | None = None
    invoicedQuantity: ItemQuantity
    netCost: Money
    purchaseOrderNumber: str
    vendorOrderNumber: str | None = None
    hsnCode: str | None = None
    taxDetails: list[TaxDetail] | None = None
    chargeDetails: list[ChargeDetails] | None = None


class InvoiceDetail(AmzModel):
    invoiceNumber: str
    invoiceDate: AmzDateTime
    referenceNumber: str | None = None
    remitToParty: PartyIdentification
    shipFromParty: PartyIdentification
    billToParty: PartyIdentification | None = None
    shipToCountryCode: str | None = None
    paymentTermsCode: str | None = None
    invoiceTotal: Money
    taxTotals: list[TaxDetail] | None = None
    additionalDetails: list[AdditionalDetails] | None = None
    chargeDetails: list[ChargeDetails] | None = None
    items: list[InvoiceItem]


class SubmitInvoiceRequest(AmzModel):
    invoices: list[InvoiceDetail] | None = None


class SubmitInvoiceResponse(AmzModel):
    payload: TransactionReference | None = None
    errors: list[Error] | None = None
