"""Direct Fulfillment: orders, acknowledgements, shipping, labels, inventory, invoices."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from .client_paging import PagingMixin
from .client_support import InvalidRecord, Submission, _as_model, _flag, _fmt_time, _request_body
from .models import df_inventory, df_orders, df_payments, df_shipping
from .windows import MAX_WINDOW


class DfMixin(PagingMixin):
    """The Direct Fulfillment (dropship) APIs, 2021-12-28 versions where Amazon has them."""

    def get_df_orders(
        self,
        *,
        created_after: datetime,
        created_before: datetime,
        ship_from_party_id: str | None = None,
        status: str | None = None,
        limit: int | None = None,
        sort_order: str | None = None,
        next_token: str | None = None,
        include_details: bool | None = None,
    ) -> df_orders.DfOrderList:
        """One page of DF getOrders (2021-12-28)."""
        params = {
            "createdAfter": _fmt_time(created_after),
            "createdBefore": _fmt_time(created_before),
            "shipFromPartyId": ship_from_party_id,
            "status": status,
            "limit": limit,
            "sortOrder": sort_order,
            "nextToken": next_token,
            "includeDetails": _flag(include_details),
        }
        return self._call("dfOrders.getOrders", params=params)

    def iter_df_orders(
        self,
        *,
        created_after: datetime,
        created_before: datetime | None = None,
        ship_from_party_id: str | None = None,
        status: str | None = None,
        limit: int = 100,
        sort_order: str | None = None,
        include_details: bool | None = None,
        window: timedelta = MAX_WINDOW,
        max_workers: int = 1,
        on_invalid: Callable[[InvalidRecord], None] | None = None,
    ) -> Iterator[df_orders.DfOrder]:
        base = {
            "shipFromPartyId": ship_from_party_id,
            "status": status,
            "limit": limit,
            "sortOrder": sort_order,
            "includeDetails": _flag(include_details),
        }
        return self._windowed(
            "dfOrders.getOrders",
            "orders",
            df_orders.DfOrder,
            df_orders.DfOrderList,
            base,
            "createdAfter",
            "createdBefore",
            created_after,
            created_before or datetime.now(UTC),
            lambda o: o.purchaseOrderNumber,
            on_invalid,
            window,
            max_workers,
        )

    def get_df_order(self, purchase_order_number: str) -> df_orders.DfOrder:
        return self._call(
            "dfOrders.getOrder", path_params={"purchaseOrderNumber": purchase_order_number}
        )

    def submit_df_acknowledgements(
        self,
        acknowledgements: list[df_orders.OrderAcknowledgementItem]
        | df_orders.SubmitAcknowledgementRequest,
    ) -> Submission:
        """DF submitAcknowledgement (2021-12-28): the whole order, every line, code "00" = ok."""
        body = _request_body(
            acknowledgements, df_orders.SubmitAcknowledgementRequest, "orderAcknowledgements"
        )
        return self._submit(
            "dfOrders.submitAcknowledgement",
            _as_model(df_orders.SubmitAcknowledgementRequest, body),
            "df",
        )

    def submit_df_shipment_confirmations(
        self,
        confirmations: list[df_shipping.ShipmentConfirmation]
        | df_shipping.SubmitShipmentConfirmationsRequest,
    ) -> Submission:
        body = _request_body(
            confirmations, df_shipping.SubmitShipmentConfirmationsRequest, "shipmentConfirmations"
        )
        return self._submit(
            "dfShipping.submitShipmentConfirmations",
            _as_model(df_shipping.SubmitShipmentConfirmationsRequest, body),
            "df",
        )

    def submit_df_shipment_status_updates(
        self,
        updates: list[df_shipping.ShipmentStatusUpdate]
        | df_shipping.SubmitShipmentStatusUpdatesRequest,
    ) -> Submission:
        body = _request_body(
            updates, df_shipping.SubmitShipmentStatusUpdatesRequest, "shipmentStatusUpdates"
        )
        return self._submit(
            "dfShipping.submitShipmentStatusUpdates",
            _as_model(df_shipping.SubmitShipmentStatusUpdatesRequest, body),
            "df",
        )

    def submit_df_shipping_label_requests(
        self,
        requests: list[df_shipping.ShippingLabelRequest] | df_shipping.SubmitShippingLabelsRequest,
    ) -> Submission:
        body = _request_body(
            requests, df_shipping.SubmitShippingLabelsRequest, "shippingLabelRequests"
        )
        return self._submit(
            "dfShipping.submitShippingLabelRequest",
            _as_model(df_shipping.SubmitShippingLabelsRequest, body),
            "df",
        )

    def create_df_shipping_labels(
        self,
        purchase_order_number: str,
        request: df_shipping.CreateShippingLabelsRequest | dict[str, Any],
    ) -> df_shipping.ShippingLabel:
        """createShippingLabels (2021-12-28): synchronous, 200 with the label."""
        return self._call(
            "dfShipping.createShippingLabels",
            path_params={"purchaseOrderNumber": purchase_order_number},
            body=_as_model(df_shipping.CreateShippingLabelsRequest, request),
        )

    def get_df_shipping_label(self, purchase_order_number: str) -> df_shipping.ShippingLabel:
        return self._call(
            "dfShipping.getShippingLabel",
            path_params={"purchaseOrderNumber": purchase_order_number},
        )

    def iter_df_shipping_labels(
        self,
        *,
        created_after: datetime,
        created_before: datetime | None = None,
        ship_from_party_id: str | None = None,
        limit: int = 100,
        on_invalid: Callable[[InvalidRecord], None] | None = None,
    ) -> Iterator[df_shipping.ShippingLabel]:
        return self._windowed(
            "dfShipping.getShippingLabels",
            "shippingLabels",
            df_shipping.ShippingLabel,
            df_shipping.ShippingLabelList,
            {"shipFromPartyId": ship_from_party_id, "limit": limit},
            "createdAfter",
            "createdBefore",
            created_after,
            created_before or datetime.now(UTC),
            lambda label: label.purchaseOrderNumber,
            on_invalid,
            MAX_WINDOW,
            1,
        )

    def get_df_packing_slip(self, purchase_order_number: str) -> df_shipping.PackingSlip:
        return self._call(
            "dfShipping.getPackingSlip",
            path_params={"purchaseOrderNumber": purchase_order_number},
        )

    def submit_df_inventory_update(
        self,
        warehouse_id: str,
        inventory: df_inventory.InventoryUpdate | dict[str, Any],
    ) -> Submission:
        """submitInventoryUpdate: one call per warehouse; `isFullUpdate` = complete snapshot."""
        update = _as_model(df_inventory.InventoryUpdate, inventory)
        return self._submit(
            "dfInventory.submitInventoryUpdate",
            df_inventory.SubmitInventoryUpdateRequest(inventory=update),
            "df",
            path_params={"warehouseId": warehouse_id},
        )

    def submit_df_invoices(
        self,
        invoice_list: list[df_payments.InvoiceDetail] | df_payments.SubmitInvoiceRequest,
    ) -> Submission:
        """DF submitInvoice (payments v1)."""
        body = _request_body(invoice_list, df_payments.SubmitInvoiceRequest, "invoices")
        return self._submit(
            "dfPayments.submitInvoice", _as_model(df_payments.SubmitInvoiceRequest, body), "df"
        )
