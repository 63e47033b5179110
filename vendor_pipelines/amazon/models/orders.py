"""Vendor Orders v1 (Retail Procurement purchase orders): `vendorOrders.json`."""

from __future__ import annotations

from pydantic import Field

from .common import (
    AmzDateTime,
    AmzDecimal,
    AmzEnum,
    AmzModel,
    DateTimeInterval,
    Error,
    Pagination,
    TransactionReference,
    enum_aliases,
)


class PurchaseOrderState(AmzEnum):
    New = "New"
    Acknowledged = "Acknowledged"
    Closed = "Closed"


class PurchaseOrderType(AmzEnum):
    RegularOrder = "RegularOrder"
    ConsignedOrder = "ConsignedOrder"
    NewProductIntroduction = "NewProductIntroduction"
    RushOrder = "RushOrder"


class PaymentMethod(AmzEnum):
    Invoice = "Invoice"
    Consignment = "Consignment"
    CreditCard = "CreditCard"
    Prepaid = "Prepaid"


class MethodOfPayment(AmzEnum):
    PaidByBuyer = "PaidByBuyer"
    CollectOnDelivery = "CollectOnDelivery"
    DefinedByBuyerAndSeller = "DefinedByBuyerAndSeller"
    FOBPortOfCall = "FOBPortOfCall"
    PrepaidBySeller = "PrepaidBySeller"
    PaidBySeller = "PaidBySeller"


class InternationalCommercialTerms(AmzEnum):
    ExWorks = "ExWorks"
    FreeCarrier = "FreeCarrier"
    FreeOnBoard = "FreeOnBoard"
    FreeAlongSideShip = "FreeAlongSideShip"
    CarriagePaidTo = "CarriagePaidTo"
    CostAndFreight = "CostAndFreight"
    CarriageAndInsurancePaidTo = "CarriageAndInsurancePaidTo"
    CostInsuranceAndFreight = "CostInsuranceAndFreight"
    DeliveredAtTerminal = "DeliveredAtTerminal"
    DeliveredAtPlace = "DeliveredAtPlace"
    DeliverDutyPaid = "DeliverDutyPaid"


class TaxRegistrationType(AmzEnum):
    VAT = "VAT"
    GST = "GST"


class UnitOfMeasure(AmzEnum):
    Cases = "Cases"
    Eaches = "Eaches"


# Amazon's own shipment examples write "Each"/"Case" for the 1P "Eaches"/"Cases".
enum_aliases(UnitOfMeasure, {"Each": "Eaches", "Case": "Cases"})


class WeightUnitOfMeasure(AmzEnum):
    POUNDS = "POUNDS"
    OUNCES = "OUNCES"
    GRAMS = "GRAMS"
    KILOGRAMS = "KILOGRAMS"


class AcknowledgementCode(AmzEnum):
    Accepted = "Accepted"
    Backordered = "Backordered"
    Rejected = "Rejected"


class RejectionReason(AmzEnum):
    TemporarilyUnavailable = "TemporarilyUnavailable"
    InvalidProductIdentifier = "InvalidProductIdentifier"
    ObsoleteProduct = "ObsoleteProduct"


class PurchaseOrderStatus(AmzEnum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"


class ConfirmationStatus(AmzEnum):
    ACCEPTED = "ACCEPTED"
    PARTIALLY_ACCEPTED = "PARTIALLY_ACCEPTED"
    REJECTED = "REJECTED"
    UNCONFIRMED = "UNCONFIRMED"


class ReceiveStatus(AmzEnum):
    NOT_RECEIVED = "NOT_RECEIVED"
    PARTIALLY_RECEIVED = "PARTIALLY_RECEIVED"
    RECEIVED = "RECEIVED"


class PoItemState(AmzEnum):
    Cancelled = "Cancelled"


class Address(AmzModel):
    name: str
    addressLine1: str
    addressLine2: str | None = None
    addressLine3: str | None = None
    city: str | None = None
    county: str | None = None
    district: str | None = None
    stateOrRegion: str | None = None
    postalCode: str | None = None
    countryCode: str  # ISO alpha-2 per the model; Amazon's own examples send "USA"
    phone: str | None = None


class TaxRegistrationDetails(AmzModel):
    taxRegistrationType: TaxRegistrationType
    taxRegistrationNumber: str


class PartyIdentification(AmzModel):
    partyId: str
    address: Address | None = None
    taxInfo: TaxRegistrationDetails | None = None


class Money(AmzModel):
    currencyCode: str | None = None
    amount: AmzDecimal | None = None
    unitOfMeasure: WeightUnitOfMeasure | None = None  # goods priced by weight


class ItemQuantity(AmzModel):
    amount: int | None = None
    unitOfMeasure: UnitOfMeasure | None = None
    unitSize: int | None = None

    @property
    def eaches(self) -> int:
        """The quantity in eaches (`Cases` x `unitSize`)."""
        amount = self.amount or 0
        if self.unitOfMeasure == UnitOfMeasure.Cases:
            return amount * (self.unitSize or 1)
        return amount


class ImportDetails(AmzModel):
    methodOfPayment: MethodOfPayment | None = None
    internationalCommercialTerms: InternationalCommercialTerms | None = None
    portOfDelivery: str | None = None
    importContainers: str | None = None
    shippingInstructions: str | None = None


class OrderItem(AmzModel):
    itemSequenceNumber: str
    amazonProductIdentifier: str | None = None
    vendorProductIdentifier: str | None = None
    orderedQuantity: ItemQuantity
    isBackOrderAllowed: bool
    netCost: Money | None = None
    listPrice: Money | None = None


class OrderDetails(AmzModel):
    purchaseOrderDate: AmzDateTime
    purchaseOrderChangedDate: AmzDateTime | None = None
    purchaseOrderStateChangedDate: AmzDateTime | None = None  # required; absent in examples
    purchaseOrderType: PurchaseOrderType | None = None
    importDetails: ImportDetails | None = None
    dealCode: str | None = None
    paymentMethod: PaymentMethod | None = None
    buyingParty: PartyIdentification | None = None
    sellingParty: PartyIdentification | None = None
    shipToParty: PartyIdentification | None = None
    billToParty: PartyIdentification | None = None
    shipWindow: DateTimeInterval | None = None
    deliveryWindow: DateTimeInterval | None = None
    # Required by the model; one of Amazon's own getPurchaseOrders examples omits it.
    items: list[OrderItem] = Field(default_factory=list)


class Order(AmzModel):
    purchaseOrderNumber: str
    # Required by the model, yet missing from Amazon's own sandbox examples: tolerated.
    purchaseOrderState: PurchaseOrderState | None = None
    orderDetails: OrderDetails | None = None


class OrderList(AmzModel):
    pagination: Pagination | None = None
    orders: list[Order] | None = None


class GetPurchaseOrdersResponse(AmzModel):
    payload: OrderList | None = None
    errors: list[Error] | None = None


class GetPurchaseOrderResponse(AmzModel):
    payload: Order | None = None
    errors: list[Error] | None = None


class OrderItemAcknowledgement(AmzModel):
    acknowledgementCode: AcknowledgementCode
    acknowledgedQuantity: ItemQuantity
    scheduledShipDate: AmzDateTime | None = None
    scheduledDeliveryDate: AmzDateTime | None = None
    rejectionReason: RejectionReason | None = None


class OrderAcknowledgementItem(AmzModel):
    itemSequenceNumber: str | None = None
    amazonProductIdentifier: str | None = None
    vendorProductIdentifier: str | None = None
    orderedQuantity: ItemQuantity
    netCost: Money | None = None
    listPrice: Money | None = None
    discountMultiplier: str | None = None
    itemAcknowledgements: list[OrderItemAcknowledgement]


class OrderAcknowledgement(AmzModel):
    purchaseOrderNumber: str
    sellingParty: PartyIdentification
    acknowledgementDate: AmzDateTime
    items: list[OrderAcknowledgementItem]


class SubmitAcknowledgementRequest(AmzModel):
    acknowledgements: list[OrderAcknowledgement]


class SubmitAcknowledgementResponse(AmzModel):
    payload: TransactionReference | None = None
    errors: list[Error] | None = None


class OrderedQuantityDetails(AmzModel):
    updatedDate: AmzDateTime | None = None
    orderedQuantity: ItemQuantity | None = None
    cancelledQuantity: ItemQuantity | None = None


class OrderItemStatusOrderedQuantity(AmzModel):
    orderedQuantity: ItemQuantity | None = None
    orderedQuantityDetails: list[OrderedQuantityDetails] | None = None


class AcknowledgementStatusDetails(AmzModel):
    acknowledgementDate: AmzDateTime | None = None
    acceptedQuantity: ItemQuantity | None = None
    rejectedQuantity: ItemQuantity | None = None


class OrderItemStatusAcknowledgementStatus(AmzModel):
    confirmationStatus: ConfirmationStatus | None = None
    acceptedQuantity: ItemQuantity | None = None
    rejectedQuantity: ItemQuantity | None = None
    acknowledgementStatusDetails: list[AcknowledgementStatusDetails] | None = None


class OrderItemStatusReceivingStatus(AmzModel):
    receiveStatus: ReceiveStatus | None = None
    receivedQuantity: ItemQuantity | None = None
    lastReceiveDate: AmzDateTime | None = None


class OrderItemStatus(AmzModel):
    itemSequenceNumber: str
    buyerProductIdentifier: str | None = None
    vendorProductIdentifier: str | None = None
    netCost: Money | None = None
    listPrice: Money | None = None
    orderedQuantity: OrderItemStatusOrderedQuantity | None = None
    acknowledgementStatus: OrderItemStatusAcknowledgementStatus | None = None
    receivingStatus: OrderItemStatusReceivingStatus | None = None


class OrderStatus(AmzModel):
    purchaseOrderNumber: str
    purchaseOrderStatus: PurchaseOrderStatus
    purchaseOrderDate: AmzDateTime
    lastUpdatedDate: AmzDateTime | None = None
    sellingParty: PartyIdentification
    shipToParty: PartyIdentification
    itemStatus: list[OrderItemStatus]


class OrderListStatus(AmzModel):
    pagination: Pagination | None = None
    ordersStatus: list[OrderStatus] | None = None


class GetPurchaseOrdersStatusResponse(AmzModel):
    payload: OrderListStatus | None = None
    errors: list[Error] | None = None
