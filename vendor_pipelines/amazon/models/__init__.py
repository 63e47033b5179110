"""pydantic models of the SP-API vendor payloads, one module per official model.

Modules keep the model's own class names (several APIs define their own `Address`, `Money`,
`ItemQuantity`, ...), so import from the module that matches the API you call:
`orders` (1P purchase orders), `shipments` (1P ASNs), `invoices` (1P invoices), `transactions`,
`df_orders`, `df_shipping`, `df_inventory`, `df_payments`, `reports`.
"""

from . import (
    common,
    df_inventory,
    df_orders,
    df_payments,
    df_shipping,
    invoices,
    orders,
    reports,
    shipments,
    transactions,
)
from .common import (
    AmzDateTime,
    AmzDecimal,
    AmzEnum,
    AmzModel,
    DateTimeInterval,
    Error,
    Pagination,
    TransactionReference,
    TransactionStatusCode,
)

__all__ = [
    "AmzDateTime",
    "AmzDecimal",
    "AmzEnum",
    "AmzModel",
    "DateTimeInterval",
    "Error",
    "Pagination",
    "TransactionReference",
    "TransactionStatusCode",
    "common",
    "df_inventory",
    "df_orders",
    "df_payments",
    "df_shipping",
    "invoices",
    "orders",
    "reports",
    "shipments",
    "transactions",
]
