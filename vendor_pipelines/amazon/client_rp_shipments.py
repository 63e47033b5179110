"""Retail Procurement (1P) shipments (ASNs, routing requests, labels) and invoices."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from .client_paging import PagingMixin
from .client_support import InvalidRecord, Submission, _as_model, _fmt_time, _request_body
from .models import invoices
from .models import shipments as rp_shipments


class RpShipmentsMixin(PagingMixin):
    """vendorShipments and vendorInvoices for 1P purchase orders."""

    def submit_shipment_confirmations(
        self,
        confirmations: list[rp_shipments.ShipmentConfirmation]
        | rp_shipments.SubmitShipmentConfirmationsRequest,
    ) -> Submission:
        """SubmitShipmentConfirmations: the ASN (cartons with SSCC, pallets) for 1P POs."""
        body = _request_body(
            confirmations, rp_shipments.SubmitShipmentConfirmationsRequest, "shipmentConfirmations"
        )
        return self._submit(
            "shipments.SubmitShipmentConfirmations",
            _as_model(rp_shipments.SubmitShipmentConfirmationsRequest, body),
            "rp",
        )

    def submit_shipments(
        self, shipments: list[rp_shipments.Shipment] | rp_shipments.SubmitShipments
    ) -> Submission:
        """SubmitShipments: transport (routing) requests, Collect or Prepaid freight."""
        body = _request_body(shipments, rp_shipments.SubmitShipments, "shipments")
        return self._submit(
            "shipments.SubmitShipments", _as_model(rp_shipments.SubmitShipments, body), "rp"
        )

    def get_shipment_details(self, **filters: Any) -> rp_shipments.ShipmentDetails:
        """One page of GetShipmentDetails; filters use the model's query names
        (`createdAfter`, `vendorShipmentIdentifier`, `buyerWarehouseCode`, `nextToken`, ...)."""
        params = {k: (_fmt_time(v) if isinstance(v, datetime) else v) for k, v in filters.items()}
        return self._call("shipments.GetShipmentDetails", params=params)

    def iter_shipment_details(
        self, on_invalid: Callable[[InvalidRecord], None] | None = None, **filters: Any
    ) -> Iterator[rp_shipments.Shipment]:
        params = {k: (_fmt_time(v) if isinstance(v, datetime) else v) for k, v in filters.items()}
        return self._paginate(
            "shipments.GetShipmentDetails",
            "shipments",
            rp_shipments.Shipment,
            rp_shipments.ShipmentDetails,
            params,
            on_invalid,
        )

    def get_shipment_labels(self, **filters: Any) -> rp_shipments.TransportationLabels:
        params = {k: (_fmt_time(v) if isinstance(v, datetime) else v) for k, v in filters.items()}
        return self._call("shipments.GetShipmentLabels", params=params)

    def submit_invoices(
        self, invoice_list: list[invoices.Invoice] | invoices.SubmitInvoicesRequest
    ) -> Submission:
        """submitInvoices (1P): invoices and credit notes."""
        body = _request_body(invoice_list, invoices.SubmitInvoicesRequest, "invoices")
        return self._submit(
            "invoices.submitInvoices", _as_model(invoices.SubmitInvoicesRequest, body), "rp"
        )
