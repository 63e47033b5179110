"""Direct Fulfillment Shipping 2021-12-28: `vendorDirectFulfillmentShipping_2021-12-28.json`.

Quirks: item sequence numbers are integers; container types are `Carton`/`Pallet` (lower-case in
v1); `createShippingLabels` is synchronous (200 with the label).
"""

from __future__ import annotations

from .common import AmzDateTime, AmzDecimal, AmzEnum, AmzModel, Pagination
from .common import TransactionReference as TransactionReference
from .orders import TaxRegistrationType


class ShipmentStatus(AmzEnum):
    SHIPPED = "SHIPPED"
    FLOOR_DENIAL = "FLOOR_DENIAL"


class ContainerType(AmzEnum):
    Carton = "Carton"
    Pallet = "Pallet"


class DimensionUnit(AmzEnum):
    IN = "IN"
    CM = "CM"


class WeightUnit(AmzEnum):
    KG = "KG"
    LB = "LB"


class LabelFormat(AmzEnum):
    PNG = "PNG"
    ZPL = "ZPL"


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
    taxRegistrationDetails: list[TaxRegistrationDetails] | None = None


class ItemQuantity(AmzModel):
    amount: int
    unitOfMeasure: str


class Item(AmzModel):
    itemSequenceNumber: int
    buyerProductIdentifier: str | None = None
    vendorProductIdentifier: str | None = None
    shippedQuantity: ItemQuantity


class PackedItem(AmzModel):
    itemSequenceNumber: int
    buyerProductIdentifier: str | None = None
    pieceNumber: int | None = None
    vendorProductIdentifier: str | None = None
    packedQuantity: ItemQuantity


class Dimensions(AmzModel):
    length: AmzDecimal
    width: AmzDecimal
    height: AmzDecimal
    unitOfMeasure: DimensionUnit


class Weight(AmzModel):
    unitOfMeasure: WeightUnit
    value: AmzDecimal


class Container(AmzModel):
    containerType: ContainerType
    containerIdentifier: str
    trackingNumber: str | None = None
    manifestId: str | None = None
    manifestDate: str | None = None
    shipMethod: str | None = None
    scacCode: str | None = None
    carrier: str | None = None
    containerSequenceNumber: int | None = None
    dimensions: Dimensions | None = None
    weight: Weight
    packedItems: list[PackedItem]


class ShipmentDetails(AmzModel):
    shippedDate: AmzDateTime
    shipmentStatus: ShipmentStatus
    isPriorityShipment: bool | None = None
    vendorOrderNumber: str | None = None
    estimatedDeliveryDate: AmzDateTime | None = None


class ShipmentConfirmation(AmzModel):
    purchaseOrderNumber: str
    shipmentDetails: ShipmentDetails
    sellingParty: PartyIdentification
    shipFromParty: PartyIdentification
    items: list[Item]
    containers: list[Container] | None = None


class SubmitShipmentConfirmationsRequest(AmzModel):
    shipmentConfirmations: list[ShipmentConfirmation] | None = None


class ShipmentSchedule(AmzModel):
    estimatedDeliveryDateTime: AmzDateTime | None = None
    apptWindowStartDateTime: AmzDateTime | None = None
    apptWindowEndDateTime: AmzDateTime | None = None


class StatusUpdateDetails(AmzModel):
    trackingNumber: str
    statusCode: str
    reasonCode: str
    statusDateTime: AmzDateTime
    statusLocationAddress: Address
    shipmentSchedule: ShipmentSchedule | None = None


class ShipmentStatusUpdate(AmzModel):
    purchaseOrderNumber: str
    sellingParty: PartyIdentification
    shipFromParty: PartyIdentification
    statusUpdateDetails: StatusUpdateDetails


class SubmitShipmentStatusUpdatesRequest(AmzModel):
    shipmentStatusUpdates: list[ShipmentStatusUpdate] | None = None


class ShippingLabelRequest(AmzModel):
    purchaseOrderNumber: str
    sellingParty: PartyIdentification
    shipFromParty: PartyIdentification
    containers: list[Container] | None = None


class SubmitShippingLabelsRequest(AmzModel):
    shippingLabelRequests: list[ShippingLabelRequest] | None = None


class CreateShippingLabelsRequest(AmzModel):
    sellingParty: PartyIdentification
    shipFromParty: PartyIdentification
    containers: list[Container] | None = None


class LabelData(AmzModel):
    packageIdentifier: str | None = None
    trackingNumber: str | None = None
    shipMethod: str | None = None
    shipMethodName: str | None = None
    content: str


class ShippingLabel(AmzModel):
    purchaseOrderNumber: str
    sellingParty: PartyIdentification
    shipFromParty: PartyIdentification
    labelFormat: LabelFormat
    labelData: list[LabelData]


class ShippingLabelList(AmzModel):
    pagination: Pagination | None = None
    shippingLabels: list[ShippingLabel] | None = None


class PackingSlip(AmzModel):
    purchaseOrderNumber: str
    content: str
    contentType: str | None = None


class PackingSlipList(AmzModel):
    pagination: Pagination | None = None
    packingSlips: list[PackingSlip] | None = None


class CustomerInvoice(AmzModel):
    purchaseOrderNumber: str
    content: str


class CustomerInvoiceList(AmzModel):
    pagination: Pagination | None = None
    customerInvoices: list[CustomerInvoice] | None = None


class Package(AmzModel):
    packageTrackingNumber: str


class CreateContainerLabelRequest(AmzModel):
    sellingParty: PartyIdentification
    shipFromParty: PartyIdentification
    carrierId: str
    vendorContainerId: str
    packages: list[Package]


class ContainerLabel(AmzModel):
    containerTrackingNumber: str | None = None
    content: str
    format: LabelFormat


class CreateContainerLabelResponse(AmzModel):
    containerLabel: ContainerLabel
