"""Valid example submissions built from Amazon orders (for tests, demos and benchmarks).

These are *not* the pipeline's business logic (stock checks, NetSuite fulfilments): they build
the simplest well-formed acknowledgement / ASN / invoice for an order so tests can then break
one rule at a time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from vendor_pipelines.amazon.models import df_orders as dfo
from vendor_pipelines.amazon.models import df_payments as dfp
from vendor_pipelines.amazon.models import df_shipping as dfs
from vendor_pipelines.amazon.models import invoices as inv
from vendor_pipelines.amazon.models import orders as rpo
from vendor_pipelines.amazon.models import shipments as rps
from vendor_pipelines.amazon.sscc import make_sscc

COMPANY_PREFIX = "0614141"


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def acknowledge_all(order: rpo.Order) -> rpo.OrderAcknowledgement:
    """Accept every line in full."""
    details = order.orderDetails
    assert details is not None and details.sellingParty is not None
    items = []
    for item in details.items:
        qty = item.orderedQuantity
        items.append(
            rpo.OrderAcknowledgementItem(
                itemSequenceNumber=item.itemSequenceNumber,
                amazonProductIdentifier=item.amazonProductIdentifier,
                vendorProductIdentifier=item.vendorProductIdentifier,
                orderedQuantity=qty,
                netCost=item.netCost,
                itemAcknowledgements=[
                    rpo.OrderItemAcknowledgement(
                        acknowledgementCode=rpo.AcknowledgementCode.Accepted
                        if (qty.amount or 0) > 0
                        else rpo.AcknowledgementCode.Rejected,
                        acknowledgedQuantity=qty,
                        rejectionReason=None
                        if (qty.amount or 0) > 0
                        else rpo.RejectionReason.TemporarilyUnavailable,
                    )
                ],
            )
        )
    return rpo.OrderAcknowledgement(
        purchaseOrderNumber=order.purchaseOrderNumber,
        sellingParty=rpo.PartyIdentification(partyId=details.sellingParty.partyId),
        acknowledgementDate=_now(),
        items=items,
    )


def ship_all(
    order: rpo.Order,
    ship_from: str,
    *,
    shipment_id: str | None = None,
    serial_start: int = 1,
    with_cartons: bool = True,
) -> rps.ShipmentConfirmation:
    """An ASN shipping every ordered unit, one carton per line with a valid SSCC."""
    details = order.orderDetails
    assert details is not None and details.sellingParty and details.shipToParty
    shipped, cartons = [], []
    for index, item in enumerate(
        (i for i in details.items if (i.orderedQuantity.amount or 0) > 0), start=1
    ):
        ref = f"{index:03d}"
        qty = rps.ItemQuantity(
            amount=item.orderedQuantity.eaches, unitOfMeasure=rps.UnitOfMeasure.Eaches
        )
        shipped.append(
            rps.Item(
                itemSequenceNumber=ref,
                amazonProductIdentifier=item.amazonProductIdentifier,
                vendorProductIdentifier=item.vendorProductIdentifier,
                shippedQuantity=qty,
                itemDetails=rps.ItemDetails(purchaseOrderNumber=order.purchaseOrderNumber),
            )
        )
        cartons.append(
            rps.Carton(
                cartonIdentifiers=[
                    rps.ContainerIdentification(
                        containerIdentificationType=rps.ContainerIdentificationType.SSCC,
                        containerIdentificationNumber=make_sscc(
                            0, COMPANY_PREFIX, serial_start + index
                        ),
                    )
                ],
                cartonSequenceNumber=ref,
                weight=rps.Weight(unitOfMeasure=rps.WeightUnit.Kg, value=Decimal("4.5")),
                items=[rps.ContainerItem(itemReference=ref, shippedQuantity=qty)],
            )
        )
    now = _now()
    return rps.ShipmentConfirmation(
        shipmentIdentifier=shipment_id or f"ASN-{order.purchaseOrderNumber}",
        shipmentConfirmationType=rps.ShipmentConfirmationType.Original,
        shipmentType=rps.ShipmentType.LessThanTruckLoad,
        shipmentStructure=rps.ShipmentStructure.LooseAssortmentCase,
        transportationDetails=rps.TransportationDetailsForShipmentConfirmation(
            carrierScac="ABFS", transportationMode=rps.TransportationMode.Road
        ),
        shipmentConfirmationDate=now,
        shippedDate=now,
        sellingParty=rps.PartyIdentification(partyId=details.sellingParty.partyId),
        shipFromParty=rps.PartyIdentification(partyId=ship_from),
        shipToParty=rps.PartyIdentification(partyId=details.shipToParty.partyId),
        shipmentMeasurements=rps.ShipmentMeasurements(cartonCount=len(cartons)),
        shippedItems=shipped,
        cartons=cartons if with_cartons else None,
    )


def invoice_all(order: rpo.Order, invoice_id: str | None = None) -> inv.Invoice:
    """An invoice for every shipped unit at the PO's net cost; the total adds up."""
    details = order.orderDetails
    assert details is not None and details.sellingParty is not None
    items, total, currency = [], Decimal(0), "USD"
    for index, item in enumerate(
        (i for i in details.items if (i.orderedQuantity.amount or 0) > 0), start=1
    ):
        cost = item.netCost.amount if item.netCost and item.netCost.amount else Decimal(0)
        currency = (item.netCost.currencyCode if item.netCost else None) or currency
        qty = item.orderedQuantity.eaches
        total += cost * qty
        items.append(
            inv.InvoiceItem(
                itemSequenceNumber=index,
                amazonProductIdentifier=item.amazonProductIdentifier,
                vendorProductIdentifier=item.vendorProductIdentifier,
                invoicedQuantity=inv.ItemQuantity(
                    amount=qty, unitOfMeasure=inv.UnitOfMeasure.Eaches
                ),
                netCost=inv.Money(currencyCode=currency, amount=cost),
                purchaseOrderNumber=order.purchaseOrderNumber,
            )
        )
    return inv.Invoice(
        invoiceType=inv.InvoiceType.Invoice,
        id=invoice_id or f"INV-{order.purchaseOrderNumber}",
        date=_now(),
        remitToParty=inv.PartyIdentification(partyId=details.sellingParty.partyId),
        invoiceTotal=inv.Money(currencyCode=currency, amount=total),
        items=items,
    )


def df_acknowledge(order: dfo.DfOrder, code: str = "00") -> dfo.OrderAcknowledgementItem:
    details = order.orderDetails
    assert details is not None
    return dfo.OrderAcknowledgementItem(
        purchaseOrderNumber=order.purchaseOrderNumber,
        vendorOrderNumber=f"V-{order.purchaseOrderNumber}",
        acknowledgementDate=_now(),
        acknowledgementStatus=dfo.AcknowledgementStatus(
            code=code,
            description="Shipping 100 percent of ordered product" if code == "00" else "Rejected",
        ),
        sellingParty=dfo.PartyIdentification(partyId=details.sellingParty.partyId),
        shipFromParty=dfo.PartyIdentification(partyId=details.shipFromParty.partyId),
        itemAcknowledgements=[
            dfo.OrderItemAcknowledgement(
                itemSequenceNumber=item.itemSequenceNumber,
                buyerProductIdentifier=item.buyerProductIdentifier,
                vendorProductIdentifier=item.vendorProductIdentifier,
                acknowledgedQuantity=dfo.ItemQuantity(
                    amount=item.orderedQuantity.amount, unitOfMeasure=dfo.DfUnitOfMeasure.Each
                ),
            )
            for item in details.items
        ],
    )


def df_confirm_shipment(
    order: dfo.DfOrder, *, drop_last_line: bool = False, with_packages: bool = True
) -> dfs.ShipmentConfirmation:
    details = order.orderDetails
    assert details is not None
    lines = details.items[:-1] if drop_last_line and len(details.items) > 1 else details.items
    if drop_last_line and len(details.items) == 1:
        lines = []
    items = [
        dfs.Item(
            itemSequenceNumber=int(item.itemSequenceNumber),
            buyerProductIdentifier=item.buyerProductIdentifier,
            vendorProductIdentifier=item.vendorProductIdentifier,
            shippedQuantity=dfs.ItemQuantity(
                amount=item.orderedQuantity.amount or 0, unitOfMeasure="Each"
            ),
        )
        for item in lines
    ]
    if drop_last_line and len(details.items) == 1:
        # Ship one unit less than ordered instead.
        only = details.items[0]
        items = [
            dfs.Item(
                itemSequenceNumber=int(only.itemSequenceNumber),
                shippedQuantity=dfs.ItemQuantity(
                    amount=(only.orderedQuantity.amount or 1) - 1, unitOfMeasure="Each"
                ),
            )
        ]
    containers = [
        dfs.Container(
            containerType=dfs.ContainerType.Carton,
            containerIdentifier=f"PKG-{order.purchaseOrderNumber}",
            trackingNumber=f"1Z{order.purchaseOrderNumber}",
            shipMethod=details.shipmentDetails.shipMethod,
            weight=dfs.Weight(unitOfMeasure=dfs.WeightUnit.LB, value=Decimal("2.5")),
            packedItems=[
                dfs.PackedItem(
                    itemSequenceNumber=i.itemSequenceNumber,
                    buyerProductIdentifier=i.buyerProductIdentifier,
                    packedQuantity=i.shippedQuantity,
                )
                for i in items
            ],
        )
    ]
    return dfs.ShipmentConfirmation(
        purchaseOrderNumber=order.purchaseOrderNumber,
        shipmentDetails=dfs.ShipmentDetails(
            shippedDate=_now(),
            shipmentStatus=dfs.ShipmentStatus.SHIPPED,
            vendorOrderNumber=f"V-{order.purchaseOrderNumber}",
        ),
        sellingParty=dfs.PartyIdentification(partyId=details.sellingParty.partyId),
        shipFromParty=dfs.PartyIdentification(partyId=details.shipFromParty.partyId),
        items=items,
        containers=containers if with_packages else None,
    )


def df_invoice(order: dfo.DfOrder, invoice_number: str | None = None) -> dfp.InvoiceDetail:
    details = order.orderDetails
    assert details is not None
    total = Decimal(0)
    items = []
    currency = details.items[0].netPrice.currencyCode or "USD"
    for item in details.items:
        qty = item.orderedQuantity.amount or 0
        price = item.netPrice.amount or Decimal(0)
        total += price * qty
        items.append(
            dfp.InvoiceItem(
                itemSequenceNumber=item.itemSequenceNumber,
                buyerProductIdentifier=item.buyerProductIdentifier,
                invoicedQuantity=dfp.ItemQuantity(amount=qty, unitOfMeasure="Each"),
                netCost=dfp.Money(currencyCode=currency, amount=price),
                purchaseOrderNumber=order.purchaseOrderNumber,
            )
        )
    return dfp.InvoiceDetail(
        invoiceNumber=invoice_number or f"DFI-{order.purchaseOrderNumber}",
        invoiceDate=_now(),
        remitToParty=dfp.PartyIdentification(partyId=details.sellingParty.partyId),
        shipFromParty=dfp.PartyIdentification(partyId=details.shipFromParty.partyId),
        invoiceTotal=dfp.Money(currencyCode=currency, amount=total),
        items=items,
    )
