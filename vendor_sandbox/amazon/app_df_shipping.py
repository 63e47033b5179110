"""Direct Fulfillment shipping routes (confirmations, labels, slips), inventory and invoices."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from vendor_pipelines.amazon.models import df_inventory as dfi
from vendor_pipelines.amazon.models import df_payments as dfp
from vendor_pipelines.amazon.models import df_shipping as dfs

from . import df_documents, rules
from .app_df_orders import DfOrdersMixin
from .app_http import (
    ApiError,
    Ctx,
    Handler,
    _between,
    page_body,
    paged,
    paginate,
    q_enum,
    q_int,
    window,
)
from .state import DF_LABELS


class DfShippingMixin(DfOrdersMixin):
    """DF shipping 2021-12-28 (customer invoices included), DF inventory v1 and payments v1.

    Builds on `DfOrdersMixin` for `_df_doc` (the order a path names). The `_df_*` builders
    return 2021-12-28 results, which `DfV1Mixin` serves again inside v1's `payload`.
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
            "dfShipping.getCustomerInvoices": self.get_df_customer_invoices,
            "dfShipping.getCustomerInvoice": self.get_df_customer_invoice,
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

    def _df_label(self, ctx: Ctx) -> dict[str, Any]:
        po = ctx.path_params["purchaseOrderNumber"]
        record = self.state.store.get(DF_LABELS, po)
        if record is None or record["label"]["purchaseOrderNumber"] not in self.state.df_orders():
            raise ApiError(404, "ResourceNotFound", f"No shipping label for order {po}.", po)
        return record["label"]

    async def get_df_label(self, ctx: Ctx) -> Response:
        return self.respond(ctx, 200, self._df_label(ctx))

    def _df_document_page(
        self,
        ctx: Ctx,
        list_field: str,
        records: list[dict[str, Any]],
        key: Callable[[dict[str, Any]], list[Any]],
        view: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> dict[str, Any]:
        """One page of a DF document list: created window (required), warehouse, sort, limit.

        `records` carry `createdAt` and `shipFrom`; the 2021-12-28 shape (v1 wraps it).
        """
        created = window(ctx, "createdAfter", "createdBefore", required=True)
        ship_from = ctx.query.get("shipFromPartyId")
        limit = q_int(ctx, "limit", 1, 100, 100)
        sort = q_enum(ctx, "sortOrder", ("ASC", "DESC")) or "ASC"
        selected = [
            r
            for r in records
            if _between(r["createdAt"], *created) and (not ship_from or r["shipFrom"] == ship_from)
        ]
        page, token = paginate(ctx, selected, key, limit, sort == "DESC")
        return page_body(list_field, [view(r) for r in page], token)

    def _df_label_list(self, ctx: Ctx) -> dict[str, Any]:
        orders = self.state.df_orders()
        return self._df_document_page(
            ctx,
            "shippingLabels",
            [
                r
                for r in self.state.store.all(DF_LABELS)
                if r["label"]["purchaseOrderNumber"] in orders
            ],
            lambda r: [r["createdAt"], r["label"]["purchaseOrderNumber"]],
            lambda r: r["label"],
        )

    @paged
    async def get_df_labels(self, ctx: Ctx) -> Response:
        return self.respond(ctx, 200, self._df_label_list(ctx))

    def _df_packing_slip(self, ctx: Ctx) -> dict[str, Any]:
        doc = self._df_doc(ctx)
        if not df_documents.has_packing_slip(doc):
            raise ApiError(
                404,
                "ResourceNotFound",
                "No packing slip for this order.",
                doc["order"]["purchaseOrderNumber"],
            )
        return df_documents.packing_slip(doc)

    async def get_df_packing_slip(self, ctx: Ctx) -> Response:
        return self.respond(ctx, 200, self._df_packing_slip(ctx))

    def _df_packing_slip_list(self, ctx: Ctx) -> dict[str, Any]:
        return self._df_document_page(
            ctx,
            "packingSlips",
            [d for d in self.state.df_orders().values() if df_documents.has_packing_slip(d)],
            lambda d: [d["createdAt"], d["order"]["purchaseOrderNumber"]],
            df_documents.packing_slip,
        )

    @paged
    async def get_df_packing_slips(self, ctx: Ctx) -> Response:
        return self.respond(ctx, 200, self._df_packing_slip_list(ctx))

    def _df_customer_invoice(self, ctx: Ctx) -> dict[str, Any]:
        doc = self._df_doc(ctx)
        if not df_documents.has_customer_invoice(doc):
            raise ApiError(
                404,
                "ResourceNotFound",
                "No customer invoice for this order.",
                doc["order"]["purchaseOrderNumber"],
            )
        return df_documents.customer_invoice(doc)

    async def get_df_customer_invoice(self, ctx: Ctx) -> Response:
        return self.respond(ctx, 200, self._df_customer_invoice(ctx))

    def _df_customer_invoice_list(self, ctx: Ctx) -> dict[str, Any]:
        return self._df_document_page(
            ctx,
            "customerInvoices",
            [d for d in self.state.df_orders().values() if df_documents.has_customer_invoice(d)],
            lambda d: [d["createdAt"], d["order"]["purchaseOrderNumber"]],
            df_documents.customer_invoice,
        )

    @paged
    async def get_df_customer_invoices(self, ctx: Ctx) -> Response:
        return self.respond(ctx, 200, self._df_customer_invoice_list(ctx))

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
