"""Retail Procurement (1P) purchase orders: list, get, status, acknowledgements."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

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
        if created_after is None and created_before is not None:
            raise AmazonConfigurationError("created_before needs created_after")
        start, end, names = _paged_range(
            base,
            (created_after, created_before),
            (changed_after, changed_before),
            ("changedAfter", "changedBefore"),
        )
        return self._windowed(
            "orders.getPurchaseOrders",
            "orders",
            orders.Order,
            orders.OrderList,
            base,
            names[0],
            names[1],
            start,
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
        start, end, names = _paged_range(
            base,
            (created_after, created_before),
            (updated_after, updated_before),
            ("updatedAfter", "updatedBefore"),
        )
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


# A listing's time range as the caller gives it: (after, before), either end open.
Range = tuple[datetime | None, datetime | None]


def _paged_range(
    base: dict[str, Any],
    created: Range,
    other: Range,
    other_names: tuple[str, str],
) -> tuple[datetime, datetime, tuple[str, str]]:
    """The range a listing is paged (and split) over, and the names of its two parameters.

    The other range (changed, updated) when it is given and no created start is; else the
    created range (an open start: the last `MAX_WINDOW`; an open end: now), with the other
    range, if given, as a filter on every page. `base` gains that filter.
    """
    now = datetime.now(UTC)
    (created_after, created_before), (other_after, other_before) = created, other
    if other_after is not None and created_after is None:
        return other_after, other_before or now, other_names
    if other_after is not None:
        base[other_names[0]] = _fmt_time(other_after)
        base[other_names[1]] = _fmt_time(other_before or now)
    return (
        created_after or now - MAX_WINDOW,
        created_before or now,
        ("createdAfter", "createdBefore"),
    )
