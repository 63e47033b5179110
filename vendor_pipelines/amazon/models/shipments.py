"""Vendor Shipments v1 (Retail Procurement ASNs and transport requests): `vendorShipments.json`."""

from __future__ import annotations

from .common import AmzDateTime, AmzDecimal, AmzEnum, AmzModel, Error, Pagination, enum_aliases
from .common import TransactionReference as TransactionReference
from .orders import TaxRegistrationType


class ShipmentConfirmationType(AmzEnum):
    Original = "Original"
    Replace = "Replace"


class ShipmentType(AmzEnum):
    TruckLoad = "TruckLoad"
    LessThanTruckLoad = "LessThanTruckLoad"
    SmallParcel = "SmallParcel"


class ShipmentStructure(AmzEnum):
    PalletizedAssortmentCase = "PalletizedAssortmentCase"
    LooseAssortmentCase = "LooseAssortmentCase"
    PalletOfItems = "PalletOfItems"
    PalletizedStandardCase = "PalletizedStandardCase"
    LooseStandardCase = "LooseStandardCase"
    MasterPallet = "MasterPallet"
    MasterCase = "MasterCase"


class TransportationMode(AmzEnum):
    Road = "Road"
    Air = "Air"
    Ocean = "Ocean"


class ContainerIdentificationType(AmzEnum):
    SSCC = "SSCC"
    AMZNCC = "AMZNCC"
    GTIN = "GTIN"
    BPS = "BPS"
    CID = "CID"


class UnitOfMeasure(AmzEnum):
    Cases = "Cases"
    Eaches = "Eaches"


# Amazon's own shipment examples write "Each"/"Case" for the 1P "Eaches"/"Cases".
enum_aliases(UnitOfMeasure, {"Each": "Eaches", "Case": "Cases"})


class TotalWeightUnit(AmzEnum):
    POUNDS = "POUNDS"
    OUNCES = "OUNCES"
    GRAMS = "GRAMS"
    KILOGRAMS = "KILOGRAMS"


class DimensionUnit(AmzEnum):
    In = "In"
    Ft = "Ft"
    Meter = "Meter"
    Yard = "Yard"


class WeightUnit(AmzEnum):
    G = "G"
    Kg = "Kg"
    Oz = "Oz"
    Lb = "Lb"


class VolumeUnit(AmzEnum):
    CuFt = "CuFt"
    CuIn = "CuIn"
    CuM = "CuM"
    CuY = "CuY"


class HandlingInstructions(AmzEnum):
    Oversized = "Oversized"
    Fragile = "Fragile"
    Food = "Food"
    HandleWithCare = "HandleWithCare"


class MethodOfPayment(AmzEnum):
    PaidByBuyer = "PaidByBuyer"
    CollectOnDelivery = "CollectOnDelivery"
    DefinedByBuyerAndSeller = "DefinedByBuyerAndSeller"
    FOBPortOfCall = "FOBPortOfCall"
    PrepaidBySeller = "PrepaidBySeller"
    PaidBySeller = "PaidBySeller"


class StopFunctionCode(AmzEnum):
    PortOfDischarge = "PortOfDischarge"
    FreightPayableAt = "FreightPayableAt"
    PortOfLoading = "PortOfLoading"


class LotNumberSourceType(AmzEnum):
    GLN = "GLN"
    FFRN = "FFRN"
    USDA_E = "USDA_E"
    URL = "URL"


class DurationUnit(AmzEnum):
    Days = "Days"
    Months = "Months"


class TransactionType(AmzEnum):
    New = "New"
    Cancel = "Cancel"


class ShipmentStatus(AmzEnum):
    Created = "Created"
    TransportationRequested = "TransportationRequested"
    CarrierAssigned = "CarrierAssigned"
    Shipped = "Shipped"


class ShipmentFreightTerm(AmzEnum):
    Collect = "Collect"
    Prepaid = "Prepaid"


class ContainerType(AmzEnum):
    carton = "carton"
    pallet = "pallet"


class ShipMode(AmzEnum):
    TruckLoad = "TruckLoad"
    LessThanTruckLoad = "LessThanTruckLoad"
    SmallParcel = "SmallParcel"


class LabelShipMode(AmzEnum):
    SmallParcel = "SmallParcel"
    LTL = "LTL"


class LabelFormat(AmzEnum):
    PDF = "PDF"


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
    taxRegistrationType: TaxRegistrationType
    taxRegistrationNumber: str


class PartyIdentification(AmzModel):
    partyId: str
    address: Address | None = None
    taxRegistrationDetails: list[TaxRegistrationDetails] | None = None


class Money(AmzModel):
    currencyCode: str
    amount: AmzDecimal


class TotalWeight(AmzModel):
    unitOfMeasure: TotalWeightUnit
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


class Dimensions(AmzModel):
    length: AmzDecimal
    width: AmzDecimal
    height: AmzDecimal
    unitOfMeasure: DimensionUnit


class Weight(AmzModel):
    unitOfMeasure: WeightUnit
    value: AmzDecimal


class Volume(AmzModel):
    unitOfMeasure: VolumeUnit
    value: AmzDecimal


class Duration(AmzModel):
    durationUnit: DurationUnit
    durationValue: int


class Expiry(AmzModel):
    manufacturerDate: AmzDateTime | None = None
    expiryDate: AmzDateTime | None = None
    expiryAfterDuration: Duration | None = None


class RegulationReferences(AmzModel):
    dueDiligenceReference: str | None = None
    dueDiligenceVerification: str | None = None
    dueDiligenceInformation: str | None = None
    dueDiligenceExemptionCode: str | None = None


class ItemDetails(AmzModel):
    purchaseOrderNumber: str | None = None
    lotNumber: str | None = None
    lotNumberSourceReference: str | None = None
    lotNumberSourceType: LotNumberSourceType | None = None
    countryOfOrigin: str | None = None
    regulationReferences: RegulationReferences | None = None
    expiry: Expiry | None = None
    maximumRetailPrice: Money | None = None
    handlingCode: HandlingInstructions | None = None


class PackageItemDetails(AmzModel):
    purchaseOrderNumber: str | None = None
    lotNumber: str | None = None
    expiry: Expiry | None = None


class ContainerIdentification(AmzModel):
    containerIdentificationType: ContainerIdentificationType
    containerIdentificationNumber: str


class ContainerItem(AmzModel):
    itemReference: str
    shippedQuantity: ItemQuantity
    itemDetails: ItemDetails | None = None


class Carton(AmzModel):
    cartonIdentifiers: list[ContainerIdentification] | None = None
    cartonSequenceNumber: str
    dimensions: Dimensions | None = None
    weight: Weight | None = None
    trackingNumber: str | None = None
    items: list[ContainerItem]


class CartonReferenceDetails(AmzModel):
    cartonCount: int | None = None
    cartonReferenceNumbers: list[str]


class Pallet(AmzModel):
    palletIdentifiers: list[ContainerIdentification]
    tier: int | None = None
    block: int | None = None
    dimensions: Dimensions | None = None
    weight: Weight | None = None
    cartonReferenceDetails: CartonReferenceDetails | None = None
    items: list[ContainerItem] | None = None


class Item(AmzModel):
    itemSequenceNumber: str
    amazonProductIdentifier: str | None = None
    vendorProductIdentifier: str | None = None
    shippedQuantity: ItemQuantity
    itemDetails: ItemDetails | None = None


class TransportationDetailsForShipmentConfirmation(AmzModel):
    carrierScac: str | None = None
    carrierShipmentReferenceNumber: str | None = None
    transportationMode: TransportationMode | None = None
    billOfLadingNumber: str | None = None


class ShipmentMeasurements(AmzModel):
    grossShipmentWeight: Weight | None = None
    shipmentVolume: Volume | None = None
    cartonCount: int | None = None
    palletCount: int | None = None


class Location(AmzModel):
    type: str | None = None
    locationCode: str | None = None
    countryCode: str | None = None


class Stop(AmzModel):
    functionCode: StopFunctionCode
    locationIdentification: Location | None = None
    arrivalTime: AmzDateTime | None = None
    departureTime: AmzDateTime | None = None


class Route(AmzModel):
    stops: list[Stop]


class ImportDetails(AmzModel):
    methodOfPayment: MethodOfPayment | None = None
    sealNumber: str | None = None
    route: Route | None = None
    importContainers: str | None = None
    billableWeight: Weight | None = None
    estimatedShipByDate: AmzDateTime | None = None
    handlingInstructions: HandlingInstructions | None = None


class ShipmentConfirmation(AmzModel):
    shipmentIdentifier: str
    shipmentConfirmationType: ShipmentConfirmationType
    shipmentType: ShipmentType | None = None
    shipmentStructure: ShipmentStructure | None = None
    transportationDetails: TransportationDetailsForShipmentConfirmation | None = None
    amazonReferenceNumber: str | None = None
    shipmentConfirmationDate: AmzDateTime
    shippedDate: AmzDateTime | None = None
    estimatedDeliveryDate: AmzDateTime | None = None
    sellingParty: PartyIdentification
    shipFromParty: PartyIdentification
    shipToParty: PartyIdentification
    shipmentMeasurements: ShipmentMeasurements | None = None
    importDetails: ImportDetails | None = None
    shippedItems: list[Item]
    cartons: list[Carton] | None = None
    pallets: list[Pallet] | None = None


class SubmitShipmentConfirmationsRequest(AmzModel):
    shipmentConfirmations: list[ShipmentConfirmation] | None = None


class SubmitShipmentConfirmationsResponse(AmzModel):
    payload: TransactionReference | None = None
    errors: list[Error] | None = None


# --- transport requests / GetShipmentDetails -------------------------------------------------


class ShipmentStatusDetails(AmzModel):
    shipmentStatus: ShipmentStatus | None = None
    shipmentStatusDate: AmzDateTime | None = None


class TransportShipmentMeasurements(AmzModel):
    totalCartonCount: int | None = None
    totalPalletStackable: int | None = None
    totalPalletNonStackable: int | None = None
    shipmentWeight: Weight | None = None
    shipmentVolume: Volume | None = None


class CollectFreightPickupDetails(AmzModel):
    requestedPickUp: AmzDateTime | None = None
    scheduledPickUp: AmzDateTime | None = None
    carrierAssignmentDate: AmzDateTime | None = None


class PurchaseOrderItems(AmzModel):
    itemSequenceNumber: str
    buyerProductIdentifier: str | None = None
    vendorProductIdentifier: str | None = None
    shippedQuantity: ItemQuantity
    maximumRetailPrice: Money | None = None


class PurchaseOrders(AmzModel):
    purchaseOrderNumber: str | None = None
    purchaseOrderDate: AmzDateTime | None = None
    shipWindow: str | None = None
    items: list[PurchaseOrderItems] | None = None


class CarrierDetails(AmzModel):
    name: str | None = None
    code: str | None = None
    phone: str | None = None
    email: str | None = None
    shipmentReferenceNumber: str | None = None


class TransportationDetails(AmzModel):
    shipMode: ShipMode | None = None
    transportationMode: TransportationMode | None = None
    shippedDate: AmzDateTime | None = None
    estimatedDeliveryDate: AmzDateTime | None = None
    shipmentDeliveryDate: AmzDateTime | None = None
    carrierDetails: CarrierDetails | None = None
    billOfLadingNumber: str | None = None


class ContainerSequenceNumbers(AmzModel):
    containerSequenceNumber: str | None = None


class InnerContainersDetails(AmzModel):
    containerCount: int | None = None
    containerSequenceNumbers: list[ContainerSequenceNumbers] | None = None


class PackedItems(AmzModel):
    itemSequenceNumber: str | None = None
    buyerProductIdentifier: str | None = None
    vendorProductIdentifier: str | None = None
    packedQuantity: ItemQuantity | None = None
    itemDetails: PackageItemDetails | None = None


class Containers(AmzModel):
    containerType: ContainerType
    containerSequenceNumber: str | None = None
    containerIdentifiers: list[ContainerIdentification]
    trackingNumber: str | None = None
    dimensions: Dimensions | None = None
    weight: Weight | None = None
    tier: int | None = None
    block: int | None = None
    innerContainersDetails: InnerContainersDetails | None = None
    packedItems: list[PackedItems] | None = None


class Shipment(AmzModel):
    vendorShipmentIdentifier: str
    # Required by the model but absent from Amazon's GetShipmentDetails examples: tolerated.
    transactionType: TransactionType | None = None
    buyerReferenceNumber: str | None = None
    transactionDate: AmzDateTime | None = None
    currentShipmentStatus: ShipmentStatus | None = None
    currentshipmentStatusDate: AmzDateTime | None = None  # sic: lower-case "s" in the model
    shipmentStatusDetails: list[ShipmentStatusDetails] | None = None
    shipmentCreateDate: AmzDateTime | None = None
    shipmentConfirmDate: AmzDateTime | None = None
    packageLabelCreateDate: AmzDateTime | None = None
    shipmentFreightTerm: ShipmentFreightTerm | None = None
    sellingParty: PartyIdentification
    shipFromParty: PartyIdentification
    shipToParty: PartyIdentification
    shipmentMeasurements: TransportShipmentMeasurements | None = None
    collectFreightPickupDetails: CollectFreightPickupDetails | None = None
    purchaseOrders: list[PurchaseOrders] | None = None
    importDetails: ImportDetails | None = None
    containers: list[Containers] | None = None
    transportationDetails: TransportationDetails | None = None


class SubmitShipments(AmzModel):
    shipments: list[Shipment] | None = None


class ShipmentDetails(AmzModel):
    pagination: Pagination | None = None
    shipments: list[Shipment] | None = None


class GetShipmentDetailsResponse(AmzModel):
    payload: ShipmentDetails | None = None
    errors: list[Error] | None = None


class VendorDetails(AmzModel):
    sellingParty: PartyIdentification | None = None
    vendorShipmentIdentifier: str | None = None


class ShipmentInformation(AmzModel):
    vendorDetails: VendorDetails | None = None
    buyerReferenceNumber: str | None = None
    shipToParty: PartyIdentification | None = None
    shipFromParty: PartyIdentification | None = None
    warehouseId: str | None = None
    masterTrackingId: str | None = None
    totalLabelCount: int | None = None
    shipMode: LabelShipMode | None = None


class LabelData(AmzModel):
    labelSequenceNumber: int | None = None
    labelFormat: LabelFormat | None = None
    carrierCode: str | None = None
    trackingId: str | None = None
    label: str | None = None


class TransportLabel(AmzModel):
    labelCreateDateTime: AmzDateTime | None = None
    shipmentInformation: ShipmentInformation | None = None
    labelData: list[LabelData] | None = None


class TransportationLabels(AmzModel):
    pagination: Pagination | None = None
    transportLabels: list[TransportLabel] | None = None


class GetShipmentLabels(AmzModel):
    payload: TransportationLabels | None = None
    errors: list[Error] | None = None
