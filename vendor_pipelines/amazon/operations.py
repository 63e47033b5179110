"""Every SP-API vendor operation the client calls: path, verb, envelope and usage plan.

One table shared by the client (rate limiting, paths, parsing) and the sandbox (routing, 429s),
so both always agree with the published usage plans (rate = requests/second, burst).
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import df_inventory as dfi
from .models import (
    df_orders,
    df_shipping,
    invoices,
    orders,
    reports,
    shipments,
    transactions,
)
from .models import df_payments as dfp
from .models.common import AmzModel, TransactionReference


@dataclass(frozen=True)
class Operation:
    key: str  # unique: "<api>.<operationId>"
    operation_id: str  # the model's operationId
    method: str
    path: str  # template, e.g. /vendor/orders/v1/purchaseOrders/{purchaseOrderNumber}
    rate: float  # requests per second (published default)
    burst: int
    wrapped: bool  # v1 `{"payload": ..., "errors": [...]}` envelope
    result_model: type[AmzModel] | None  # model of the success result (inside `payload`)
    spec: str  # official model file (for validation)
    success_status: int = 200
    request_model: type[AmzModel] | None = None

    def url_path(self, **params: str) -> str:
        path = self.path
        for name, value in params.items():
            path = path.replace("{" + name + "}", value)
        return path


def _op(*args, **kwargs) -> Operation:
    return Operation(*args, **kwargs)


RP_ORDERS = "/vendor/orders/v1"
RP_SHIPPING = "/vendor/shipping/v1"
DF_ORDERS = "/vendor/directFulfillment/orders/2021-12-28"
DF_SHIPPING = "/vendor/directFulfillment/shipping/2021-12-28"
REPORTS = "/reports/2021-06-30"

OPERATIONS: dict[str, Operation] = {
    op.key: op
    for op in (
        # Retail Procurement orders
        _op(
            "orders.getPurchaseOrders",
            "getPurchaseOrders",
            "GET",
            f"{RP_ORDERS}/purchaseOrders",
            10,
            10,
            True,
            orders.OrderList,
            "vendorOrders.json",
        ),
        _op(
            "orders.getPurchaseOrder",
            "getPurchaseOrder",
            "GET",
            f"{RP_ORDERS}/purchaseOrders/{{purchaseOrderNumber}}",
            10,
            10,
            True,
            orders.Order,
            "vendorOrders.json",
        ),
        _op(
            "orders.submitAcknowledgement",
            "submitAcknowledgement",
            "POST",
            f"{RP_ORDERS}/acknowledgements",
            10,
            10,
            True,
            TransactionReference,
            "vendorOrders.json",
            202,
            orders.SubmitAcknowledgementRequest,
        ),
        _op(
            "orders.getPurchaseOrdersStatus",
            "getPurchaseOrdersStatus",
            "GET",
            f"{RP_ORDERS}/purchaseOrdersStatus",
            10,
            10,
            True,
            orders.OrderListStatus,
            "vendorOrders.json",
        ),
        # Retail Procurement shipments
        _op(
            "shipments.SubmitShipmentConfirmations",
            "SubmitShipmentConfirmations",
            "POST",
            f"{RP_SHIPPING}/shipmentConfirmations",
            10,
            10,
            True,
            TransactionReference,
            "vendorShipments.json",
            202,
            shipments.SubmitShipmentConfirmationsRequest,
        ),
        _op(
            "shipments.SubmitShipments",
            "SubmitShipments",
            "POST",
            f"{RP_SHIPPING}/shipments",
            10,
            10,
            True,
            TransactionReference,
            "vendorShipments.json",
            202,
            shipments.SubmitShipments,
        ),
        _op(
            "shipments.GetShipmentDetails",
            "GetShipmentDetails",
            "GET",
            f"{RP_SHIPPING}/shipments",
            10,
            10,
            True,
            shipments.ShipmentDetails,
            "vendorShipments.json",
        ),
        _op(
            "shipments.GetShipmentLabels",
            "GetShipmentLabels",
            "GET",
            f"{RP_SHIPPING}/transportLabels",
            10,
            10,
            True,
            shipments.TransportationLabels,
            "vendorShipments.json",
        ),
        # Retail Procurement invoices and transaction status
        _op(
            "invoices.submitInvoices",
            "submitInvoices",
            "POST",
            "/vendor/payments/v1/invoices",
            10,
            10,
            True,
            TransactionReference,
            "vendorInvoices.json",
            202,
            invoices.SubmitInvoicesRequest,
        ),
        _op(
            "transactions.getTransaction",
            "getTransaction",
            "GET",
            "/vendor/transactions/v1/transactions/{transactionId}",
            10,
            20,
            True,
            transactions.TransactionStatus,
            "vendorTransactionStatus.json",
        ),
        # Direct Fulfillment orders (2021-12-28, no payload wrapper)
        _op(
            "dfOrders.getOrders",
            "getOrders",
            "GET",
            f"{DF_ORDERS}/purchaseOrders",
            10,
            10,
            False,
            df_orders.DfOrderList,
            "vendorDirectFulfillmentOrders_2021-12-28.json",
        ),
        _op(
            "dfOrders.getOrder",
            "getOrder",
            "GET",
            f"{DF_ORDERS}/purchaseOrders/{{purchaseOrderNumber}}",
            10,
            10,
            False,
            df_orders.DfOrder,
            "vendorDirectFulfillmentOrders_2021-12-28.json",
        ),
        _op(
            "dfOrders.submitAcknowledgement",
            "submitAcknowledgement",
            "POST",
            f"{DF_ORDERS}/acknowledgements",
            10,
            10,
            False,
            TransactionReference,
            "vendorDirectFulfillmentOrders_2021-12-28.json",
            202,
            df_orders.SubmitAcknowledgementRequest,
        ),
        # Direct Fulfillment shipping (2021-12-28)
        _op(
            "dfShipping.getShippingLabels",
            "getShippingLabels",
            "GET",
            f"{DF_SHIPPING}/shippingLabels",
            10,
            10,
            False,
            df_shipping.ShippingLabelList,
            "vendorDirectFulfillmentShipping_2021-12-28.json",
        ),
        _op(
            "dfShipping.submitShippingLabelRequest",
            "submitShippingLabelRequest",
            "POST",
            f"{DF_SHIPPING}/shippingLabels",
            10,
            10,
            False,
            TransactionReference,
            "vendorDirectFulfillmentShipping_2021-12-28.json",
            202,
            df_shipping.SubmitShippingLabelsRequest,
        ),
        _op(
            "dfShipping.getShippingLabel",
            "getShippingLabel",
            "GET",
            f"{DF_SHIPPING}/shippingLabels/{{purchaseOrderNumber}}",
            10,
            10,
            False,
            df_shipping.ShippingLabel,
            "vendorDirectFulfillmentShipping_2021-12-28.json",
        ),
        _op(
            "dfShipping.createShippingLabels",
            "createShippingLabels",
            "POST",
            f"{DF_SHIPPING}/shippingLabels/{{purchaseOrderNumber}}",
            10,
            10,
            False,
            df_shipping.ShippingLabel,
            "vendorDirectFulfillmentShipping_2021-12-28.json",
            200,
            df_shipping.CreateShippingLabelsRequest,
        ),
        _op(
            "dfShipping.submitShipmentConfirmations",
            "submitShipmentConfirmations",
            "POST",
            f"{DF_SHIPPING}/shipmentConfirmations",
            10,
            10,
            False,
            TransactionReference,
            "vendorDirectFulfillmentShipping_2021-12-28.json",
            202,
            df_shipping.SubmitShipmentConfirmationsRequest,
        ),
        _op(
            "dfShipping.submitShipmentStatusUpdates",
            "submitShipmentStatusUpdates",
            "POST",
            f"{DF_SHIPPING}/shipmentStatusUpdates",
            10,
            10,
            False,
            TransactionReference,
            "vendorDirectFulfillmentShipping_2021-12-28.json",
            202,
            df_shipping.SubmitShipmentStatusUpdatesRequest,
        ),
        _op(
            "dfShipping.getPackingSlips",
            "getPackingSlips",
            "GET",
            f"{DF_SHIPPING}/packingSlips",
            10,
            10,
            False,
            df_shipping.PackingSlipList,
            "vendorDirectFulfillmentShipping_2021-12-28.json",
        ),
        _op(
            "dfShipping.getPackingSlip",
            "getPackingSlip",
            "GET",
            f"{DF_SHIPPING}/packingSlips/{{purchaseOrderNumber}}",
            10,
            10,
            False,
            df_shipping.PackingSlip,
            "vendorDirectFulfillmentShipping_2021-12-28.json",
        ),
        # Direct Fulfillment inventory and payments (v1, payload wrapper)
        _op(
            "dfInventory.submitInventoryUpdate",
            "submitInventoryUpdate",
            "POST",
            "/vendor/directFulfillment/inventory/v1/warehouses/{warehouseId}/items",
            10,
            10,
            True,
            TransactionReference,
            "vendorDirectFulfillmentInventoryV1.json",
            202,
            dfi.SubmitInventoryUpdateRequest,
        ),
        _op(
            "dfPayments.submitInvoice",
            "submitInvoice",
            "POST",
            "/vendor/directFulfillment/payments/v1/invoices",
            10,
            10,
            True,
            TransactionReference,
            "vendorDirectFulfillmentPaymentsV1.json",
            202,
            dfp.SubmitInvoiceRequest,
        ),
        # Direct Fulfillment transaction status (2021-12-28 current; v1 kept for old ids)
        _op(
            "dfTransactions.getTransactionStatus",
            "getTransactionStatus",
            "GET",
            "/vendor/directFulfillment/transactions/2021-12-28/transactions/{transactionId}",
            10,
            10,
            False,
            transactions.TransactionStatus,
            "vendorDirectFulfillmentTransactions_2021-12-28.json",
        ),
        _op(
            "dfTransactionsV1.getTransactionStatus",
            "getTransactionStatus",
            "GET",
            "/vendor/directFulfillment/transactions/v1/transactions/{transactionId}",
            10,
            10,
            True,
            transactions.TransactionStatus,
            "vendorDirectFulfillmentTransactionsV1.json",
        ),
        # Reports 2021-06-30
        _op(
            "reports.createReport",
            "createReport",
            "POST",
            f"{REPORTS}/reports",
            0.0167,
            15,
            False,
            reports.CreateReportResponse,
            "reports_2021-06-30.json",
            202,
            reports.CreateReportSpecification,
        ),
        _op(
            "reports.getReports",
            "getReports",
            "GET",
            f"{REPORTS}/reports",
            0.0222,
            10,
            False,
            reports.GetReportsResponse,
            "reports_2021-06-30.json",
        ),
        _op(
            "reports.getReport",
            "getReport",
            "GET",
            f"{REPORTS}/reports/{{reportId}}",
            2,
            15,
            False,
            reports.Report,
            "reports_2021-06-30.json",
        ),
        _op(
            "reports.cancelReport",
            "cancelReport",
            "DELETE",
            f"{REPORTS}/reports/{{reportId}}",
            0.0222,
            10,
            False,
            None,
            "reports_2021-06-30.json",
        ),
        _op(
            "reports.getReportDocument",
            "getReportDocument",
            "GET",
            f"{REPORTS}/documents/{{reportDocumentId}}",
            0.0167,
            15,
            False,
            reports.ReportDocument,
            "reports_2021-06-30.json",
        ),
    )
}


def operation(key: str) -> Operation:
    try:
        return OPERATIONS[key]
    except KeyError:
        raise KeyError(f"unknown SP-API operation {key!r}") from None
