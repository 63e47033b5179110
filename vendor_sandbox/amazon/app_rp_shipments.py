"""Retail Procurement shipment routes (ASNs, transport, details, labels), invoices, transactions."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from vendor_pipelines.amazon.models import invoices as inv
from vendor_pipelines.amazon.models import shipments as rps

from . import rules
from .app_core import SandboxCore
from .app_http import Ctx, Handler, _between, page_body, paged, paginate, q_enum, q_int, q_time
from .state import ASNS, TRANSPORT


class RpShipmentsMixin(SandboxCore):
    """vendorShipments, vendorInvoices and vendorTransactionStatus v1."""

    def _rp_shipments_handlers(self) -> dict[str, Handler]:
        return {
            "shipments.SubmitShipmentConfirmations": self.submit_rp_shipment_confirmations,
            "shipments.SubmitShipments": self.submit_rp_shipments,
            "shipments.GetShipmentDetails": self.get_shipment_details,
            "shipments.GetShipmentLabels": self.get_shipment_labels,
            "invoices.submitInvoices": self.submit_rp_invoices,
            "transactions.getTransaction": self.get_rp_transaction,
        }

    async def submit_rp_shipment_confirmations(self, ctx: Ctx) -> Response:
        def refs(request: rps.SubmitShipmentConfirmationsRequest, raw: dict[str, Any]):
            out = []
            for conf, body in zip(
                request.shipmentConfirmations or [],
                raw.get("shipmentConfirmations", []),
                strict=False,
            ):
                pos = _asn_purchase_orders(conf)
                out.append((conf.shipmentIdentifier, body, pos))
            return out

        return await self._submit(
            ctx,
            rps.SubmitShipmentConfirmationsRequest,
            "rp_shipment_confirmations",
            "rp",
            refs,
            lambda r, raw: rules.evaluate_rp_shipment_confirmations(self.state, r),
        )

    async def submit_rp_shipments(self, ctx: Ctx) -> Response:
        return await self._submit(
            ctx,
            rps.SubmitShipments,
            "rp_shipments",
            "rp",
            lambda r, raw: [
                (
                    s.get("vendorShipmentIdentifier", ""),
                    s,
                    [p.get("purchaseOrderNumber", "") for p in s.get("purchaseOrders", [])],
                )
                for s in raw.get("shipments", [])
            ],
            lambda r, raw: rules.evaluate_rp_shipments(self.state, r),
        )

    async def submit_rp_invoices(self, ctx: Ctx) -> Response:
        return await self._submit(
            ctx,
            inv.SubmitInvoicesRequest,
            "rp_invoices",
            "rp",
            lambda r, raw: [
                (
                    i.get("id", ""),
                    i,
                    [
                        it.get("purchaseOrderNumber")
                        for it in i.get("items", [])
                        if it.get("purchaseOrderNumber")
                    ],
                )
                for i in raw.get("invoices", [])
            ],
            lambda r, raw: rules.evaluate_rp_invoices(self.state, r, raw),
        )

    def _shipment_view(self, record: dict[str, Any]) -> dict[str, Any]:
        conf = record["body"]
        when = record["confirmedAt"]
        orders = self.state.rp_orders()
        purchase_orders = []
        for po, lines in record["quantities"].items():
            doc = orders.get(po)
            items = []
            for seq, qty in lines.items():
                item = (
                    next(
                        (
                            i
                            for i in doc["order"]["orderDetails"]["items"]
                            if i["itemSequenceNumber"] == seq
                        ),
                        {},
                    )
                    if doc
                    else {}
                )
                items.append(
                    {
                        "itemSequenceNumber": seq,
                        "buyerProductIdentifier": item.get("amazonProductIdentifier"),
                        "vendorProductIdentifier": item.get("vendorProductIdentifier"),
                        "shippedQuantity": {
                            "amount": qty,
                            "unitOfMeasure": "Eaches",
                            "unitSize": 1,
                        },
                    }
                )
            entry: dict[str, Any] = {
                "purchaseOrderNumber": po,
                "items": [{k: v for k, v in i.items() if v is not None} for i in items],
            }
            if doc:
                entry["purchaseOrderDate"] = doc["createdAt"]
            purchase_orders.append(entry)
        containers = []
        for carton in conf.get("cartons", []):
            container: dict[str, Any] = {
                "containerType": "carton",
                "containerSequenceNumber": carton["cartonSequenceNumber"],
                "containerIdentifiers": carton.get("cartonIdentifiers", []),
                "packedItems": [
                    {
                        "itemSequenceNumber": i["itemReference"],
                        "packedQuantity": i["shippedQuantity"],
                    }
                    for i in carton.get("items", [])
                ],
            }
            for name in ("trackingNumber", "weight", "dimensions"):
                if name in carton:
                    container[name] = carton[name]
            containers.append(container)
        for pallet in conf.get("pallets", []):
            container = {
                "containerType": "pallet",
                "containerIdentifiers": pallet.get("palletIdentifiers", []),
            }
            for name in ("tier", "block", "weight", "dimensions"):
                if name in pallet:
                    container[name] = pallet[name]
            containers.append(container)
        transport = conf.get("transportationDetails", {})
        details: dict[str, Any] = {}
        if conf.get("shipmentType"):
            details["shipMode"] = conf["shipmentType"]
        for name in ("transportationMode", "billOfLadingNumber"):
            if transport.get(name):
                details[name] = transport[name]
        for name in ("shippedDate", "estimatedDeliveryDate"):
            if conf.get(name):
                details[name] = conf[name]
        if transport.get("carrierScac") or transport.get("carrierShipmentReferenceNumber"):
            details["carrierDetails"] = {
                k: v
                for k, v in {
                    "code": transport.get("carrierScac"),
                    "shipmentReferenceNumber": transport.get("carrierShipmentReferenceNumber"),
                }.items()
                if v
            }
        view: dict[str, Any] = {
            "vendorShipmentIdentifier": record["shipmentIdentifier"],
            "transactionType": "New",
            "transactionDate": when,
            "currentShipmentStatus": "Shipped",
            "currentshipmentStatusDate": when,
            "shipmentStatusDetails": [{"shipmentStatus": "Shipped", "shipmentStatusDate": when}],
            "shipmentCreateDate": when,
            "shipmentConfirmDate": when,
            "sellingParty": conf["sellingParty"],
            "shipFromParty": conf["shipFromParty"],
            "shipToParty": conf["shipToParty"],
            "purchaseOrders": purchase_orders,
        }
        if containers:
            view["containers"] = containers
        if details:
            view["transportationDetails"] = details
        return view

    @paged
    async def get_shipment_details(self, ctx: Ctx) -> Response:
        limit = q_int(ctx, "limit", 1, 50, 50)
        sort = q_enum(ctx, "sortOrder", ("ASC", "DESC")) or "ASC"
        created = (q_time(ctx, "createdAfter"), q_time(ctx, "createdBefore"))
        confirmed = (q_time(ctx, "shipmentConfirmedAfter"), q_time(ctx, "shipmentConfirmedBefore"))
        status = ctx.query.get("currentShipmentStatus")
        vsi = ctx.query.get("vendorShipmentIdentifier")
        buyer_wh = ctx.query.get("buyerWarehouseCode")
        seller_wh = ctx.query.get("sellerWarehouseCode")
        views = [self._shipment_view(r) for r in self.state.store.all(ASNS)]
        for record in self.state.store.all(TRANSPORT):
            body = dict(record["body"])
            body.setdefault("currentShipmentStatus", record.get("status") or "Created")
            body.setdefault("shipmentCreateDate", record["createdAt"])
            views.append(body)
        selected = []
        for view in views:
            stamp = view.get("shipmentCreateDate") or view.get("transactionDate")
            if (created[0] or created[1]) and not _between(stamp, *created):
                continue
            if (confirmed[0] or confirmed[1]) and not _between(
                view.get("shipmentConfirmDate"), *confirmed
            ):
                continue
            if status and view.get("currentShipmentStatus") != status:
                continue
            if vsi and view["vendorShipmentIdentifier"] != vsi:
                continue
            if buyer_wh and view["shipToParty"]["partyId"] != buyer_wh:
                continue
            if seller_wh and seller_wh not in (
                view["sellingParty"]["partyId"],
                view["shipFromParty"]["partyId"],
            ):
                continue
            selected.append(view)
        page, token = paginate(
            ctx,
            selected,
            lambda v: [v.get("shipmentCreateDate") or "", v["vendorShipmentIdentifier"]],
            limit,
            sort == "DESC",
        )
        return self.respond(ctx, 200, {"payload": page_body("shipments", page, token)})

    @paged
    async def get_shipment_labels(self, ctx: Ctx) -> Response:
        # The sandbox prints no transport labels (no carrier books Collect freight here); the
        # listing still pages like the others, so a stray token is refused as on any list.
        limit = q_int(ctx, "limit", 1, 50, 50)
        page, token = paginate(ctx, [], lambda r: [], limit, False)
        return self.respond(ctx, 200, {"payload": page_body("transportLabels", page, token)})

    async def get_rp_transaction(self, ctx: Ctx) -> Response:
        doc = self._transaction(ctx, "rp")
        status = self.state.transaction_status(doc)
        body: dict[str, Any] = {"transactionId": doc["transactionId"], "status": status}
        if status == "Failure":
            body["errors"] = doc["errors"]
        return self.respond(ctx, 200, {"payload": {"transactionStatus": body}})


def _asn_purchase_orders(conf: rps.ShipmentConfirmation) -> list[str]:
    pos = set()
    for item in conf.shippedItems:
        if item.itemDetails and item.itemDetails.purchaseOrderNumber:
            pos.add(item.itemDetails.purchaseOrderNumber)
    for container in list(conf.cartons or []) + list(conf.pallets or []):
        for ci in container.items or []:
            if ci.itemDetails and ci.itemDetails.purchaseOrderNumber:
                pos.add(ci.itemDetails.purchaseOrderNumber)
    return sorted(pos)
