"""Direct Fulfillment shipping routes (confirmations, labels, slips), inventory and invoices."""

from __future__ import annotations

import base64
from typing import Any

from starlette.responses import Response

from vendor_pipelines.amazon.models import df_inventory as dfi
from vendor_pipelines.amazon.models import df_payments as dfp
from vendor_pipelines.amazon.models import df_shipping as dfs

from . import rules
from .app_df_orders import DfOrdersMixin
from .app_http import ApiError, Ctx, Handler, _between, paginate, q_enum, q_int, window
from .state import DF_LABELS


class DfShippingMixin(DfOrdersMixin):
    """DF shipping 2021-12-28, DF inventory v1 and DF payments v1.

    Builds on `DfOrdersMixin` for `_df_doc` (the order a path names).
    """

    def _df_shipping_handlers(self) -> dict[str, Handler]:
        return {
            "dfShipping.getShippingLabels": self.get_df_labels,
            "dfShipping.submitShippingLabelRequest": self.submit_df_label_request,
            "dfShipping.getShippingLabel": self.get_df_label,
            "dfShipping.createShippingLabels": self.create_df_labels,
            "dfShipping.submitShipmentConfirmations": self.submit_df_confirmations,
            "dfShipping.submitShipmentStatusUpdates": self.submit_df_status_updates,
            "dfShipping.getPackingSlips": self.get_df_packing_slips,
            "dfShipping.getPackingSlip": self.get_df_packing_slip,
            "dfInventory.submitInventoryUpdate": self.submit_df_inventory,
            "dfPayments.submitInvoice": self.submit_df_invoices,
        }

    async def submit_df_confirmations(self, ctx: Ctx) -> Response:
        return await self._submit(
            ctx,
            dfs.SubmitShipmentConfirmationsRequest,
            "df_shipment_confirmations",
            "df",
            lambda r, raw: [
                (c["purchaseOrderNumber"], c, [c["purchaseOrderNumber"]])
                for c in raw.get("shipmentConfirmations", [])
            ],
            lambda r, raw: rules.evaluate_df_shipment_confirmations(self.state, r),
        )

    async def submit_df_status_updates(self, ctx: Ctx) -> Response:
        return await self._submit(
            ctx,
            dfs.SubmitShipmentStatusUpdatesRequest,
            "df_shipment_status_updates",
            "df",
            lambda r, raw: [
                (u["purchaseOrderNumber"], u, [u["purchaseOrderNumber"]])
                for u in raw.get("shipmentStatusUpdates", [])
            ],
            lambda r, raw: rules.evaluate_df_status_updates(self.state, r),
        )

    async def submit_df_label_request(self, ctx: Ctx) -> Response:
        return await self._submit(
            ctx,
            dfs.SubmitShippingLabelsRequest,
            "df_shipping_label_requests",
            "df",
            lambda r, raw: [
                (s["purchaseOrderNumber"], s, [s["purchaseOrderNumber"]])
                for s in raw.get("shippingLabelRequests", [])
            ],
            lambda r, raw: rules.evaluate_df_label_requests(self.state, r),
        )

    async def create_df_labels(self, ctx: Ctx) -> Response:
        request, _ = await self.parse(ctx, dfs.CreateShippingLabelsRequest)
        doc = self._df_doc(ctx)
        problems = rules._df_party_errors(
            doc,
            request.sellingParty.partyId,
            request.shipFromParty.partyId,
            doc["order"]["purchaseOrderNumber"],
        )
        if doc["order"]["orderDetails"]["orderStatus"] not in ("ACCEPTED", "SHIPPED"):
            problems.append(
                rules.err(
                    "InvalidInput",
                    "The order must be acknowledged before labels are created.",
                    doc["order"]["purchaseOrderNumber"],
                )
            )
        if problems:
            first = problems[0]
            raise ApiError(400, first["code"], first["message"], first["details"], problems[1:])
        label = rules.make_label(doc, request.containers)
        with self.state.write():
            rules.store_label(
                self.state, self.state.df_orders()[doc["order"]["purchaseOrderNumber"]], label
            )
        return self.respond(ctx, 200, label)

    async def get_df_label(self, ctx: Ctx) -> Response:
        po = ctx.path_params["purchaseOrderNumber"]
        record = self.state.store.get(DF_LABELS, po)
        if record is None:
            raise ApiError(404, "ResourceNotFound", f"No shipping label for order {po}.", po)
        return self.respond(ctx, 200, record["label"])

    async def get_df_labels(self, ctx: Ctx) -> Response:
        created = window(ctx, "createdAfter", "createdBefore", required=True)
        ship_from = ctx.query.get("shipFromPartyId")
        limit = q_int(ctx, "limit", 1, 100, 100)
        sort = q_enum(ctx, "sortOrder", ("ASC", "DESC")) or "ASC"
        selected = [
            r
            for r in self.state.store.all(DF_LABELS)
            if _between(r["createdAt"], *created) and (not ship_from or r["shipFrom"] == ship_from)
        ]
        page, token = paginate(
            ctx,
            selected,
            lambda r: [r["createdAt"], r["label"]["purchaseOrderNumber"]],
            limit,
            sort == "DESC",
        )
        body: dict[str, Any] = {"shippingLabels": [r["label"] for r in page]}
        if token:
            body["pagination"] = {"nextToken": token}
        return self.respond(ctx, 200, body)

    @staticmethod
    def _packing_slip(doc: dict[str, Any]) -> dict[str, Any]:
        po = doc["order"]["purchaseOrderNumber"]
        pdf = (
            b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n% packing slip "
            + po.encode()
            + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"
        )
        return {
            "purchaseOrderNumber": po,
            "content": base64.b64encode(pdf).decode(),
            "contentType": "application/pdf",
        }

    @staticmethod
    def _has_slip(doc: dict[str, Any]) -> bool:
        details = doc["order"]["orderDetails"]
        return bool(details["shipmentDetails"].get("isPslipRequired")) and details[
            "orderStatus"
        ] in ("ACCEPTED", "SHIPPED")

    async def get_df_packing_slip(self, ctx: Ctx) -> Response:
        doc = self._df_doc(ctx)
        if not self._has_slip(doc):
            raise ApiError(
                404,
                "ResourceNotFound",
                "No packing slip for this order.",
                doc["order"]["purchaseOrderNumber"],
            )
        return self.respond(ctx, 200, self._packing_slip(doc))

    async def get_df_packing_slips(self, ctx: Ctx) -> Response:
        created = window(ctx, "createdAfter", "createdBefore", required=True)
        ship_from = ctx.query.get("shipFromPartyId")
        limit = q_int(ctx, "limit", 1, 100, 100)
        sort = q_enum(ctx, "sortOrder", ("ASC", "DESC")) or "ASC"
        selected = [
            d
            for d in self.state.df_orders().values()
            if self._has_slip(d)
            and _between(d["createdAt"], *created)
            and (not ship_from or d["shipFrom"] == ship_from)
        ]
        page, token = paginate(
            ctx,
            selected,
            lambda d: [d["createdAt"], d["order"]["purchaseOrderNumber"]],
            limit,
            sort == "DESC",
        )
        body: dict[str, Any] = {"packingSlips": [self._packing_slip(d) for d in page]}
        if token:
            body["pagination"] = {"nextToken": token}
        return self.respond(ctx, 200, body)

    async def submit_df_inventory(self, ctx: Ctx) -> Response:
        warehouse = ctx.path_params["warehouseId"]
        return await self._submit(
            ctx,
            dfi.SubmitInventoryUpdateRequest,
            "df_inventory_updates",
            "df",
            lambda r, raw: [(warehouse, raw.get("inventory", {}), [])],
            lambda r, raw: rules.evaluate_df_inventory(self.state, warehouse, r),
            salt=warehouse,
        )

    async def submit_df_invoices(self, ctx: Ctx) -> Response:
        return await self._submit(
            ctx,
            dfp.SubmitInvoiceRequest,
            "df_invoices",
            "df",
            lambda r, raw: [
                (
                    i.get("invoiceNumber", ""),
                    i,
                    [
                        it.get("purchaseOrderNumber")
                        for it in i.get("items", [])
                        if it.get("purchaseOrderNumber")
                    ],
                )
                for i in raw.get("invoices", [])
            ],
            lambda r, raw: rules.evaluate_df_invoices(self.state, r, raw),
        )
