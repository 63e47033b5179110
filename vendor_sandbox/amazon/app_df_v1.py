"""Direct Fulfillment orders and shipping v1: the orders, labels and documents of 2021-12-28.

The most used community client still defaults to v1. Amazon serves one set of DF orders through
both versions, so these routes read and change the very state the 2021-12-28 routes do: an order
acknowledged through v1 is ACCEPTED in 2021-12-28 and the other way round, and every submission
lands in the same transactions (pollable through either DF transaction-status version).

What differs is the envelope and a few fields (vendorDirectFulfillmentOrdersV1.json,
vendorDirectFulfillmentShippingV1.json):

* results are wrapped in `{"payload": ...}`; errors are the same `{"errors": [...]}` on the wire;
* a v1 order has no `hasCustomizableItems` and its items no `buyerCustomizedInfo`;
* v1 containers are `carton`/`pallet` (2021-12-28: `Carton`/`Pallet`) and packed items have no
  `pieceNumber`. Submissions go through the same rules: the sandbox matches enumerations
  case-insensitively for both versions, as it does everywhere, while the tests' model-file layer
  holds each version's bodies to its own spelling;
* v1 has no createShippingLabels and no createContainerLabel (those paths answer like the
  gateway does for an unknown verb).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from .app_df_shipping import DfShippingMixin
from .app_http import Ctx, Handler, paged

# Added in 2021-12-28 (or later); not fields of the v1 model.
ORDER_DETAILS_SINCE_2021 = ("hasCustomizableItems",)
ORDER_ITEM_SINCE_2021 = ("buyerCustomizedInfo",)


def order_v1(order: dict[str, Any]) -> dict[str, Any]:
    """A DF order as v1 shows it."""
    details = order.get("orderDetails")
    if details is None:  # includeDetails=false
        return order
    items = [
        {k: v for k, v in item.items() if k not in ORDER_ITEM_SINCE_2021}
        for item in details.get("items", [])
    ]
    shown = {k: v for k, v in details.items() if k not in ORDER_DETAILS_SINCE_2021}
    return {**order, "orderDetails": {**shown, "items": items}}


class DfV1Mixin(DfShippingMixin):
    """vendorDirectFulfillmentOrders v1 and vendorDirectFulfillmentShipping v1."""

    def _df_v1_handlers(self) -> dict[str, Handler]:
        return {
            "dfOrdersV1.getOrders": self.get_df_orders_v1,
            "dfOrdersV1.getOrder": self.get_df_order_v1,
            "dfOrdersV1.submitAcknowledgement": self.submit_df_acknowledgement,
            "dfShippingV1.getShippingLabels": self.get_df_labels_v1,
            "dfShippingV1.submitShippingLabelRequest": self.submit_df_label_request,
            "dfShippingV1.getShippingLabel": self.get_df_label_v1,
            "dfShippingV1.submitShipmentConfirmations": self.submit_df_confirmations,
            "dfShippingV1.submitShipmentStatusUpdates": self.submit_df_status_updates,
            "dfShippingV1.getCustomerInvoices": self.get_df_customer_invoices_v1,
            "dfShippingV1.getCustomerInvoice": self.get_df_customer_invoice_v1,
            "dfShippingV1.getPackingSlips": self.get_df_packing_slips_v1,
            "dfShippingV1.getPackingSlip": self.get_df_packing_slip_v1,
        }

    def _payload(self, ctx: Ctx, result: dict[str, Any]) -> Response:
        return self.respond(ctx, 200, {"payload": result})

    @paged
    async def get_df_orders_v1(self, ctx: Ctx) -> Response:
        result = self._df_order_list(ctx)
        return self._payload(ctx, {**result, "orders": [order_v1(o) for o in result["orders"]]})

    async def get_df_order_v1(self, ctx: Ctx) -> Response:
        return self._payload(ctx, order_v1(self._df_doc(ctx)["order"]))

    @paged
    async def get_df_labels_v1(self, ctx: Ctx) -> Response:
        return self._payload(ctx, self._df_label_list(ctx))

    async def get_df_label_v1(self, ctx: Ctx) -> Response:
        return self._payload(ctx, self._df_label(ctx))

    @paged
    async def get_df_customer_invoices_v1(self, ctx: Ctx) -> Response:
        return self._payload(ctx, self._df_customer_invoice_list(ctx))

    async def get_df_customer_invoice_v1(self, ctx: Ctx) -> Response:
        return self._payload(ctx, self._df_customer_invoice(ctx))

    @paged
    async def get_df_packing_slips_v1(self, ctx: Ctx) -> Response:
        return self._payload(ctx, self._df_packing_slip_list(ctx))

    async def get_df_packing_slip_v1(self, ctx: Ctx) -> Response:
        return self._payload(ctx, self._df_packing_slip(ctx))
