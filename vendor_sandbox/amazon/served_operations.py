"""Every SP-API operation the sandbox serves: the client's table plus what other clients call.

`vendor_pipelines.amazon.operations.OPERATIONS` lists what the project's own client calls. Other
clients pointed at the sandbox call more: the most used community client defaults to the
Direct Fulfillment v1 APIs, and DF customer invoices are published but unused by our pipelines.
Those operations live here, in the same `Operation` shape, so one table drives the sandbox's
routes and usage plans, and the tests' recorder maps every served request to its official model
(SDK models where the SDK has them, the model files otherwise).
"""

from __future__ import annotations

from vendor_pipelines.amazon.models import df_orders as dfo
from vendor_pipelines.amazon.models import df_shipping as dfs
from vendor_pipelines.amazon.models.common import AmzModel, TransactionReference
from vendor_pipelines.amazon.operations import DF_SHIPPING, OPERATIONS, Operation

DF_ORDERS_V1 = "/vendor/directFulfillment/orders/v1"
DF_SHIPPING_V1 = "/vendor/directFulfillment/shipping/v1"
DF_SANDBOX = "/vendor/directFulfillment/sandbox/2021-10-28"

ORDERS_V1_SPEC = "vendorDirectFulfillmentOrdersV1.json"
SHIPPING_V1_SPEC = "vendorDirectFulfillmentShippingV1.json"
SHIPPING_SPEC = "vendorDirectFulfillmentShipping_2021-12-28.json"
SANDBOX_DATA_SPEC = "vendorDirectFulfillmentSandboxData_2021-10-28.json"


def _df(
    key: str,
    method: str,
    path: str,
    wrapped: bool,
    result: type[AmzModel] | None,
    spec: str,
    status: int = 200,
    request: type[AmzModel] | None = None,
) -> Operation:
    # Every DF operation, both versions, has the same published usage plan: 10 rps, burst 10.
    return Operation(
        key, key.split(".", 1)[1], method, path, 10, 10, wrapped, result, spec, status, request
    )


SANDBOX_OPERATIONS: dict[str, Operation] = {
    op.key: op
    for op in (
        # DF orders v1: the 2021-12-28 shapes inside `{"payload": ...}`.
        _df(
            "dfOrdersV1.getOrders",
            "GET",
            f"{DF_ORDERS_V1}/purchaseOrders",
            True,
            dfo.DfOrderList,
            ORDERS_V1_SPEC,
        ),
        _df(
            "dfOrdersV1.getOrder",
            "GET",
            f"{DF_ORDERS_V1}/purchaseOrders/{{purchaseOrderNumber}}",
            True,
            dfo.DfOrder,
            ORDERS_V1_SPEC,
        ),
        _df(
            "dfOrdersV1.submitAcknowledgement",
            "POST",
            f"{DF_ORDERS_V1}/acknowledgements",
            True,
            TransactionReference,
            ORDERS_V1_SPEC,
            202,
            dfo.SubmitAcknowledgementRequest,
        ),
        # DF shipping v1 (no createShippingLabels / createContainerLabel in v1).
        _df(
            "dfShippingV1.getShippingLabels",
            "GET",
            f"{DF_SHIPPING_V1}/shippingLabels",
            True,
            dfs.ShippingLabelList,
            SHIPPING_V1_SPEC,
        ),
        _df(
            "dfShippingV1.submitShippingLabelRequest",
            "POST",
            f"{DF_SHIPPING_V1}/shippingLabels",
            True,
            TransactionReference,
            SHIPPING_V1_SPEC,
            202,
            dfs.SubmitShippingLabelsRequest,
        ),
        _df(
            "dfShippingV1.getShippingLabel",
            "GET",
            f"{DF_SHIPPING_V1}/shippingLabels/{{purchaseOrderNumber}}",
            True,
            dfs.ShippingLabel,
            SHIPPING_V1_SPEC,
        ),
        _df(
            "dfShippingV1.submitShipmentConfirmations",
            "POST",
            f"{DF_SHIPPING_V1}/shipmentConfirmations",
            True,
            TransactionReference,
            SHIPPING_V1_SPEC,
            202,
            dfs.SubmitShipmentConfirmationsRequest,
        ),
        _df(
            "dfShippingV1.submitShipmentStatusUpdates",
            "POST",
            f"{DF_SHIPPING_V1}/shipmentStatusUpdates",
            True,
            TransactionReference,
            SHIPPING_V1_SPEC,
            202,
            dfs.SubmitShipmentStatusUpdatesRequest,
        ),
        _df(
            "dfShippingV1.getCustomerInvoices",
            "GET",
            f"{DF_SHIPPING_V1}/customerInvoices",
            True,
            dfs.CustomerInvoiceList,
            SHIPPING_V1_SPEC,
        ),
        _df(
            "dfShippingV1.getCustomerInvoice",
            "GET",
            f"{DF_SHIPPING_V1}/customerInvoices/{{purchaseOrderNumber}}",
            True,
            dfs.CustomerInvoice,
            SHIPPING_V1_SPEC,
        ),
        _df(
            "dfShippingV1.getPackingSlips",
            "GET",
            f"{DF_SHIPPING_V1}/packingSlips",
            True,
            dfs.PackingSlipList,
            SHIPPING_V1_SPEC,
        ),
        _df(
            "dfShippingV1.getPackingSlip",
            "GET",
            f"{DF_SHIPPING_V1}/packingSlips/{{purchaseOrderNumber}}",
            True,
            dfs.PackingSlip,
            SHIPPING_V1_SPEC,
        ),
        # DF customer invoices 2021-12-28 (our pipelines print no customer invoices).
        _df(
            "dfShipping.getCustomerInvoices",
            "GET",
            f"{DF_SHIPPING}/customerInvoices",
            False,
            dfs.CustomerInvoiceList,
            SHIPPING_SPEC,
        ),
        _df(
            "dfShipping.getCustomerInvoice",
            "GET",
            f"{DF_SHIPPING}/customerInvoices/{{purchaseOrderNumber}}",
            False,
            dfs.CustomerInvoice,
            SHIPPING_SPEC,
        ),
        # The DF sandbox test-data API (Amazon's sandbox hosts only). Its usage plan is not
        # published: the sandbox hosts' shared limit applies (rate 5, burst 15).
        Operation(
            "dfSandbox.generateOrderScenarios",
            "generateOrderScenarios",
            "POST",
            f"{DF_SANDBOX}/orders",
            5,
            15,
            False,
            TransactionReference,
            SANDBOX_DATA_SPEC,
            202,
        ),
        Operation(
            "dfSandbox.getOrderScenarios",
            "getOrderScenarios",
            "GET",
            f"{DF_SANDBOX}/transactions/{{transactionId}}",
            5,
            15,
            False,
            None,
            SANDBOX_DATA_SPEC,
        ),
    )
}

SERVED_OPERATIONS: dict[str, Operation] = {**OPERATIONS, **SANDBOX_OPERATIONS}
