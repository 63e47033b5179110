"""Retail Procurement (1P) purchase orders: list, get, status, acknowledgements."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

from .client_paging import PagingMixin
from .client_support import InvalidRecord, Submission, _as_model, _flag, _fmt_time, _request_body
from .errors import AmazonConfigurationError
from .models import orders
from .windows import MAX_WINDOW


class RpOrdersMixin(PagingMixin):
    """vendorOrders: purchase orders, their status, and acknowledgements."""

    def get_purchase_orders(
        self,
        *,
        limit: int | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        changed_after: datetime | None = None,
        changed_before: datetime | None = None,
        sort_order: str | None = None,
        next_token: str | None = None,
        include_details: bool | None = None,
        po_item_state: str | None = None,
        is_po_changed: bool | None = None,
        purchase_order_state: str | None = None,
        ordering_vendor_code: str | None = None,
    ) -> orders.OrderList:
        """One page of getPurchaseOrders (range ≤ 7 days; see `iter_purchase_orders`)."""
        params = {
            "limit": limit,
            "createdAfter": _fmt_time(created_after),
            "createdBefore": _fmt_time(created_before),
            "changedAfter": _fmt_time(changed_after),
            "changedBefore": _fmt_time(changed_before),
            "sortOrder": sort_order,
            "nextToken": next_token,
            "includeDetails": _flag(include_details),
            "poItemState": po_item_state,
            "isPOChanged": _flag(is_po_changed),
            "purchaseOrderState": purchase_order_state,
            "orderingVendorCode": ordering_vendor_code,
        }
        return self._call("orders.getPurchaseOrders", params=params)

    def iter_purchase_orders(
        self,
        *,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        changed_after: datetime | None = None,
        changed_before: datetime | None = None,
        limit: int = 100,
        sort_order: str | None = None,
        include_details: bool | None = None,
        po_item_state: str | None = None,
        is_po_changed: bool | None = None,
        purchase_order_state: str | None = None,
        ordering_vendor_code: str | None = None,
        window: timedelta = MAX_WINDOW,
        max_workers: int = 1,
        on_invalid: Callable[[InvalidRecord], None] | None = None,
    ) -> Iterator[orders.Order]:
        """Every PO created (or, without a created range, changed) in the range, all pages.

        Ranges longer than `window` (≤ 7 days) are split; an open end means "now". With
        `max_workers > 1` windows are paged concurrently under the same rate limit (order of
        results is then not guaranteed). Records that do not match the model raise
        `AmazonResponseError`, or go to `on_invalid` and are skipped when it is given.
        """
        base = {
            "limit": limit,
            "sortOrder": sort_order,
            "includeDetails": _flag(include_details),
            "poItemState": po_item_state,
            "isPOChanged": _flag(is_po_changed),
            "purchaseOrderState": purchase_order_state,
            "orderingVendorCode": ordering_vendor_code,
        }
        now = datetime.now(UTC)
        if created_after is not None or (created_before is None and changed_after is None):
            if changed_after is not None:
                base["changedAfter"] = _fmt_time(changed_after)
                base["changedBefore"] = _fmt_time(changed_before or now)
            start = created_after or (now - MAX_WINDOW)
            names = ("createdAfter", "createdBefore")
            end = created_before or now
        else:
            if created_before is not None:
                raise AmazonConfigurationError("created_before needs created_after")
            start, end = changed_after, changed_before or now  # type: ignore[assignment]
            names = ("changedAfter", "changedBefore")
        return self._windowed(
            "orders.getPurchaseOrders",
            "orders",
            orders.Order,
            orders.OrderList,
            base,
            names[0],
            names[1],
            start,  # type: ignore[arg-type]
            end,
            lambda o: o.purchaseOrderNumber,
            on_invalid,
            window,
            max_workers,
        )

    def get_purchase_order(self, purchase_order_number: str) -> orders.Order:
        return self._call(
            "orders.getPurchaseOrder",
            path_params={"purchaseOrderNumber": purchase_order_number},
        )

    def submit_acknowledgements(
        self,
        acknowledgements: list[orders.OrderAcknowledgement] | orders.SubmitAcknowledgementRequest,
    ) -> Submission:
        """submitAcknowledgement (1P): 202 + transaction id; validation happens asynchronously."""
        body = _request_body(
            acknowledgements, orders.SubmitAcknowledgementRequest, "acknowledgements"
        )
        return self._submit(
            "orders.submitAcknowledgement",
            _as_model(orders.SubmitAcknowledgementRequest, body),
            "rp",
        )

    def get_purchase_orders_status(
        self,
        *,
        limit: int | None = None,
        sort_order: str | None = None,
        next_token: str | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        updated_after: datetime | None = None,
        updated_before: datetime | None = None,
        purchase_order_number: str | None = None,
        purchase_order_status: str | None = None,
        item_confirmation_status: str | None = None,
        item_receive_status: str | None = None,
        ordering_vendor_code: str | None = None,
        ship_to_party_id: str | None = None,
    ) -> orders.OrderListStatus:
        params = {
            "limit": limit,
            "sortOrder": sort_order,
            "nextToken": next_token,
            "createdAfter": _fmt_time(created_after),
            "createdBefore": _fmt_time(created_before),
            "updatedAfter": _fmt_time(updated_after),
            "updatedBefore": _fmt_time(updated_before),
            "purchaseOrderNumber": purchase_order_number,
            "purchaseOrderStatus": purchase_order_status,
            "itemConfirmationStatus": item_confirmation_status,
            "itemReceiveStatus": item_receive_status,
            "orderingVendorCode": ordering_vendor_code,
            "shipToPartyId": ship_to_party_id,
        }
        return self._call("orders.getPurchaseOrdersStatus", params=params)

    def iter_purchase_orders_status(
        self,
        *,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        updated_after: datetime | None = None,
        updated_before: datetime | None = None,
        limit: int = 100,
        sort_order: str | None = None,
        purchase_order_number: str | None = None,
        purchase_order_status: str | None = None,
        item_confirmation_status: str | None = None,
        item_receive_status: str | None = None,
        ordering_vendor_code: str | None = None,
        ship_to_party_id: str | None = None,
        window: timedelta = MAX_WINDOW,
        max_workers: int = 1,
        on_invalid: Callable[[InvalidRecord], None] | None = None,
    ) -> Iterator[orders.OrderStatus]:
        """Every PO status in the created (or, without one, updated) range, split by 7 days."""
        base = {
            "limit": limit,
            "sortOrder": sort_order,
            "purchaseOrderNumber": purchase_order_number,
            "purchaseOrderStatus": purchase_order_status,
            "itemConfirmationStatus": item_confirmation_status,
            "itemReceiveStatus": item_receive_status,
            "orderingVendorCode": ordering_vendor_code,
            "shipToPartyId": ship_to_party_id,
        }
        now = datetime.now(UTC)
        if updated_after is not None and created_after is None:
            start, end = updated_after, updated_before or now
            names = ("updatedAfter", "updatedBefore")
        else:
            if updated_after is not None:
                base["updatedAfter"] = _fmt_time(updated_after)
                base["updatedBefore"] = _fmt_time(updated_before or now)
            start, end = created_after or now - MAX_WINDOW, created_before or now
            names = ("createdAfter", "createdBefore")
        return self._windowed(
            "orders.getPurchaseOrdersStatus",
            "ordersStatus",
            orders.OrderStatus,
            orders.OrderListStatus,
            base,
            names[0],
            names[1],
            start,
            end,
            lambda s: s.purchaseOrderNumber,
            on_invalid,
            window,
            max_workers,
        )
