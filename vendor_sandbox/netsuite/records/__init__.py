"""Record types the NetSuite sandbox serves, by the name used in REST paths.

To add a record type (a later pick/pack simulation, say), subclass `RecordType` and register it
here; storage, external ids, sublists, rendering and SuiteQL exposure follow from the registry.
"""

from __future__ import annotations

from vendor_sandbox.netsuite.records.base import Books, Record, RecordType
from vendor_sandbox.netsuite.records.billing import CreditMemo, CustomerPayment, Invoice
from vendor_sandbox.netsuite.records.entities import (
    Customer,
    InventoryItem,
    Location,
    inventory_levels,
)
from vendor_sandbox.netsuite.records.fulfilment import ItemFulfillment
from vendor_sandbox.netsuite.records.journal import JournalEntry
from vendor_sandbox.netsuite.records.sales_order import SalesOrder
from vendor_sandbox.netsuite.records.terms import Term

RECORD_TYPES: dict[str, RecordType] = {
    record_type.name: record_type
    for record_type in (
        SalesOrder(),
        ItemFulfillment(),
        Invoice(),
        CustomerPayment(),
        CreditMemo(),
        JournalEntry(),
        InventoryItem(),
        Location(),
        Customer(),
        Term(),
    )
}
# Paths are case-insensitive (Oracle's own examples use both salesOrder and salesorder).
_BY_LOWER = {name.lower(): record_type for name, record_type in RECORD_TYPES.items()}


def record_type_for(path_segment: str) -> RecordType | None:
    return _BY_LOWER.get(path_segment.lower())


def transaction_types() -> list[RecordType]:
    return [t for t in RECORD_TYPES.values() if t.transaction_code]


__all__ = [
    "RECORD_TYPES",
    "Books",
    "Record",
    "RecordType",
    "inventory_levels",
    "record_type_for",
    "transaction_types",
]
