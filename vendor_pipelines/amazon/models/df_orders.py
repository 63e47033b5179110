"""Direct Fulfillment Orders 2021-12-28: `vendorDirectFulfillmentOrders_2021-12-28.json`.

No `payload` wrapper; `shipToParty` is the end customer's `Address` (PII).
"""

from __future__ import annotations

from .common import AmzDateTime, AmzDecimal, AmzEnum, AmzModel, Error, Pagination
from .common import TransactionReference as TransactionId
from .orders import TaxRegistrationType


class DfOrderStatus(AmzEnum):
    NEW = "NEW"
    SHIPPED = "SHIPPED"
    ACCEPTED = "ACCEPTED"
    CANCELLED = "CANCELLED"


class DfUnitOfMeasure(AmzEnum):
    Each = "Each"


class DfTaxType(AmzEnum):
    CONSUMPTION = "CONSUMPTION"
    GST = "GST"
    MwSt = "MwSt."
    PST = "PST"
    TOTAL = "TOTAL"
    TVA = "TVA"
    VAT = "VAT"


class Address(AmzModel):
    name: str
    attention: str | None = None
    addressLine1: str
    addressLine2: str | None = None
    addressLine3: str | None = None
    city: str | None = None
    county: str | None = None
    district: str | None = None
    stateOrRegion: str
    postalCode: str | None = None
    countryCode: str
    phone: str | None = None


class TaxRegistrationDetails(AmzModel):
    taxRegistrationType: TaxRegistrationType | None = None
    taxRegistrationNumber: str
    taxRegistrationAddress: Address | None = None
    taxRegistrationMessages: str | None = None


class PartyIdentification(AmzModel):
    partyId: str
    address: Address | None = None
    taxInfo: TaxRegistrationDetails | None = None


class Money(AmzModel):
    currencyCode: str | None = None
    amount: AmzDecimal | None = None


class ItemQuantity(AmzModel):
    amount: int | None = None
    unitOfMeasure: DfUnitOfMeasure | None = None  # examples send "EACH"


class TaxDetails(AmzModel):
    taxRate: AmzDecimal | None = None
    taxAmount: Money
    taxableAmount: Money | None = None
    type: DfTaxType | None = None


class TaxItemDetails(AmzModel):
    taxLineItem: list[TaxDetails] | None = None


class ShipmentDates(AmzModel):
    requiredShipDate: AmzDateTime
    promisedDeliveryDate: AmzDateTime | None = None


class ShipmentDetails(AmzModel):
    isPriorityShipment: bool
    isScheduledDeliveryShipment: bool | None = None
    isPslipRequired: bool
    isGift: bool | None = None
    shipMethod: str
    shipmentDates: ShipmentDates
    messageToCustomer: str


class ScheduledDeliveryShipment(AmzModel):
    scheduledDeliveryServiceType: str | None = None
    earliestNominatedDeliveryDate: AmzDateTime | None = None
    latestNominatedDeliveryDate: AmzDateTime | None = None


class GiftDetails(AmzModel):
    giftMessage: str | None = None
    giftWrapId: str | None = None


class BuyerCustomizedInfoDetail(AmzModel):
    customizedUrl: str | None = None


class OrderItem(AmzModel):
    itemSequenceNumber: str
    buyerProductIdentifier: str | None = None
    vendorProductIdentifier: str | None = None
    title: str | None = None
    orderedQuantity: ItemQuantity
    scheduledDeliveryShipment: ScheduledDeliveryShipment | None = None
    giftDetails: GiftDetails | None = None
    netPrice: Money
    taxDetails: TaxItemDetails | None = None
    totalPrice: Money | None = None
    buyerCustomizedInfo: BuyerCustomizedInfoDetail | None = None


class OrderDetails(AmzModel):
    customerOrderNumber: str
    orderDate: AmzDateTime
    orderStatus: DfOrderStatus | None = None
    shipmentDetails: ShipmentDetails
    taxTotal: TaxItemDetails | None = None
    sellingParty: PartyIdentification
    shipFromParty: PartyIdentification
    shipToParty: Address
    billToParty: PartyIdentification
    hasCustomizableItems: bool | None = None
    items: list[OrderItem]


class DfOrder(AmzModel):
    purchaseOrderNumber: str
    orderDetails: OrderDetails | None = None


class DfOrderList(AmzModel):
    pagination: Pagination | None = None
    orders: list[DfOrder] | None = None


class AcknowledgementStatus(AmzModel):
    code: str | None = None
    description: str | None = None


class OrderItemAcknowledgement(AmzModel):
    itemSequenceNumber: str
    buyerProductIdentifier: str | None = None
    vendorProductIdentifier: str | None = None
    acknowledgedQuantity: ItemQuantity


class OrderAcknowledgementItem(AmzModel):
    purchaseOrderNumber: str
    vendorOrderNumber: str
    acknowledgementDate: AmzDateTime
    acknowledgementStatus: AcknowledgementStatus
    sellingParty: PartyIdentification
    shipFromParty: PartyIdentification
    itemAcknowledgements: list[OrderItemAcknowledgement]


class SubmitAcknowledgementRequest(AmzModel):
    orderAcknowledgements: list[OrderAcknowledgementItem] | None = None


class ErrorList(AmzModel):
    errors: list[Error]


__all__ = [
    "AcknowledgementStatus",
    "Address",
    "DfOrder",
    "DfOrderList",
    "DfOrderStatus",
    "ErrorList",
    "OrderAcknowledgementItem",
    "OrderItemAcknowledgement",
    "SubmitAcknowledgementRequest",
    "TransactionId",
]
