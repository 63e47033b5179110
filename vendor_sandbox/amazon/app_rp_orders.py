"""Retail Procurement order routes: purchase orders, order status, acknowledgements."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.responses import Response

from vendor_pipelines.amazon.models import orders as rpo

from . import rules
from .app_core import SandboxCore
from .app_http import (
    MAX_WINDOW,
    ApiError,
    Ctx,
    Handler,
    _between,
    by_creation,
    page_body,
    paged,
    paginate,
    q_bool,
    q_enum,
    q_int,
    window,
)


class RpOrdersMixin(SandboxCore):
    """vendorOrders v1 (`payload` wrapper)."""

    def _rp_orders_handlers(self) -> dict[str, Handler]:
        return {
            "orders.getPurchaseOrders": self.get_purchase_orders,
            "orders.getPurchaseOrder": self.get_purchase_order,
            "orders.submitAcknowledgement": self.submit_rp_acknowledgement,
            "orders.getPurchaseOrdersStatus": self.get_purchase_orders_status,
        }

    def _rp_view(self, doc: dict[str, Any], details: bool) -> dict[str, Any]:
        order = doc["order"]
        if not details:
            return {
                "purchaseOrderNumber": order["purchaseOrderNumber"],
                "purchaseOrderState": order["purchaseOrderState"],
            }
        return order

    @paged
    async def get_purchase_orders(self, ctx: Ctx) -> Response:
        limit = q_int(ctx, "limit", 1, 100, 100)
        created = window(ctx, "createdAfter", "createdBefore")
        changed = window(ctx, "changedAfter", "changedBefore")
        sort = q_enum(ctx, "sortOrder", ("ASC", "DESC")) or "ASC"
        details = q_bool(ctx, "includeDetails", True)
        item_state = q_enum(ctx, "poItemState", ("Cancelled",))
        changed_only = q_bool(ctx, "isPOChanged", False)
        po_state = q_enum(ctx, "purchaseOrderState", ("New", "Acknowledged", "Closed"))
        vendor = ctx.query.get("orderingVendorCode")
        if created == (None, None) and changed == (None, None):
            created = (datetime.now(UTC) - MAX_WINDOW, datetime.now(UTC))
        selected = []
        for doc in self.state.rp_orders().values():
            if created[0] is not None and not _between(doc["createdAt"], *created):
                continue
            if changed[0] is not None and not _between(doc["changedAt"], *changed):
                continue
            order = doc["order"]
            if po_state and order["purchaseOrderState"] != po_state:
                continue
            if vendor and doc["vendor"] != vendor:
                continue
            if changed_only and not order["orderDetails"].get("purchaseOrderChangedDate"):
                continue
            if item_state and not any(line["cancelled"] for line in doc["lines"].values()):
                continue
            selected.append(doc)
        page, token = paginate(ctx, selected, by_creation, limit, sort == "DESC")
        payload = page_body("orders", [self._rp_view(d, details) for d in page], token)
        return self.respond(ctx, 200, {"payload": payload})

    async def get_purchase_order(self, ctx: Ctx) -> Response:
        po = ctx.path_params["purchaseOrderNumber"]
        doc = self.state.rp_orders().get(po)
        if doc is None:
            raise ApiError(404, "ResourceNotFound", f"Purchase order {po} was not found.", po)
        return self.respond(ctx, 200, {"payload": doc["order"]})

    def _status_view(self, doc: dict[str, Any]) -> dict[str, Any]:
        order = doc["order"]
        details = order["orderDetails"]
        items = []
        for item in details["items"]:
            line = doc["lines"][item["itemSequenceNumber"]]
            each = {"amount": 0, "unitOfMeasure": "Eaches", "unitSize": 1}
            quantity_details = [
                {
                    "updatedDate": details.get("purchaseOrderChangedDate")
                    or details["purchaseOrderDate"],
                    "orderedQuantity": item["orderedQuantity"],
                    "cancelledQuantity": {**each, "amount": line["cancelled"]},
                }
            ]
            status = rules.confirmation_status(line)
            if line["received"] == 0:
                receive = "NOT_RECEIVED"
            elif line["received"] < line["accepted"] + line["backordered"]:
                receive = "PARTIALLY_RECEIVED"
            else:
                receive = "RECEIVED"
            entry: dict[str, Any] = {
                "itemSequenceNumber": item["itemSequenceNumber"],
                "buyerProductIdentifier": item.get("amazonProductIdentifier"),
                "vendorProductIdentifier": item.get("vendorProductIdentifier"),
                "netCost": item.get("netCost"),
                "listPrice": item.get("listPrice"),
                "orderedQuantity": {
                    "orderedQuantity": item["orderedQuantity"],
                    "orderedQuantityDetails": quantity_details,
                },
                "acknowledgementStatus": {
                    "confirmationStatus": status,
                    "acceptedQuantity": {**each, "amount": line["accepted"] + line["backordered"]},
                    "rejectedQuantity": {**each, "amount": line["rejected"]},
                    "acknowledgementStatusDetails": [
                        {
                            "acknowledgementDate": h["date"],
                            "acceptedQuantity": {**each, "amount": h["accepted"]},
                            "rejectedQuantity": {**each, "amount": h["rejected"]},
                        }
                        for h in line["ackHistory"]
                    ],
                },
                "receivingStatus": {
                    "receiveStatus": receive,
                    "receivedQuantity": {**each, "amount": line["received"]},
                },
            }
            if line["lastReceiveDate"]:
                entry["receivingStatus"]["lastReceiveDate"] = line["lastReceiveDate"]
            items.append({k: v for k, v in entry.items() if v is not None})
        return {
            "purchaseOrderNumber": order["purchaseOrderNumber"],
            "purchaseOrderStatus": "CLOSED" if order["purchaseOrderState"] == "Closed" else "OPEN",
            "purchaseOrderDate": details["purchaseOrderDate"],
            "lastUpdatedDate": doc["lastUpdated"],
            "sellingParty": {"partyId": doc["vendor"]},
            "shipToParty": {"partyId": details.get("shipToParty", {}).get("partyId", "")},
            "itemStatus": items,
        }

    @paged
    async def get_purchase_orders_status(self, ctx: Ctx) -> Response:
        limit = q_int(ctx, "limit", 1, 100, 100)
        sort = q_enum(ctx, "sortOrder", ("ASC", "DESC")) or "ASC"
        created = window(ctx, "createdAfter", "createdBefore")
        updated = window(ctx, "updatedAfter", "updatedBefore")
        po = ctx.query.get("purchaseOrderNumber")
        po_status = q_enum(ctx, "purchaseOrderStatus", ("OPEN", "CLOSED"))
        confirmation = q_enum(
            ctx,
            "itemConfirmationStatus",
            ("ACCEPTED", "PARTIALLY_ACCEPTED", "REJECTED", "UNCONFIRMED"),
        )
        receive = q_enum(
            ctx, "itemReceiveStatus", ("NOT_RECEIVED", "PARTIALLY_RECEIVED", "RECEIVED")
        )
        vendor = ctx.query.get("orderingVendorCode")
        ship_to = ctx.query.get("shipToPartyId")
        if created == (None, None) and updated == (None, None) and not po:
            created = (datetime.now(UTC) - MAX_WINDOW, datetime.now(UTC))
        selected = []
        for doc in self.state.rp_orders().values():
            order = doc["order"]
            if po and order["purchaseOrderNumber"] != po:
                continue
            if created[0] is not None and not _between(doc["createdAt"], *created):
                continue
            if updated[0] is not None and not _between(doc["lastUpdated"], *updated):
                continue
            if vendor and doc["vendor"] != vendor:
                continue
            closed = order["purchaseOrderState"] == "Closed"
            if po_status and (po_status == "CLOSED") != closed:
                continue
            fc = order["orderDetails"].get("shipToParty", {}).get("partyId")
            if ship_to and fc != ship_to:
                continue
            if confirmation or receive:
                view = self._status_view(doc)
                if confirmation and not any(
                    i["acknowledgementStatus"]["confirmationStatus"] == confirmation
                    for i in view["itemStatus"]
                ):
                    continue
                if receive and not any(
                    i["receivingStatus"]["receiveStatus"] == receive for i in view["itemStatus"]
                ):
                    continue
            selected.append(doc)
        docs, token = paginate(ctx, selected, by_creation, limit, sort == "DESC")
        payload = page_body("ordersStatus", [self._status_view(d) for d in docs], token)
        return self.respond(ctx, 200, {"payload": payload})

    async def submit_rp_acknowledgement(self, ctx: Ctx) -> Response:
        return await self._submit(
            ctx,
            rpo.SubmitAcknowledgementRequest,
            "rp_acknowledgements",
            "rp",
            lambda r, raw: [
                (a["purchaseOrderNumber"], a, [a["purchaseOrderNumber"]])
                for a in raw.get("acknowledgements", [])
            ],
            lambda r, raw: rules.evaluate_rp_acknowledgements(self.state, r),
        )
