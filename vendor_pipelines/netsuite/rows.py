"""Typed SuiteQL rows for the queries the pipelines run.

SuiteQL answers every value as a string, booleans as 'T'/'F', column names lower-case, and
leaves null columns out of the row. These models turn that into Python types once, at the edge.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator


class SuiteQLRow(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _suiteql_scalars(cls, value: Any) -> Any:
        if value == "T":
            return True
        if value == "F":
            return False
        return value


class CatalogueItem(SuiteQLRow):
    """`item`: the SKU (itemid) and its Amazon ASIN custom field."""

    id: int
    itemid: str
    displayname: str | None = None
    custitem_amazon_asin: str | None = None
    upccode: str | None = None
    baseprice: Decimal | None = None
    cost: Decimal | None = None
    isinactive: bool = False


class InventoryLevel(SuiteQLRow):
    """`inventoryitemlocations`: stock of one item at one location."""

    item: int
    location: int
    quantityonhand: Decimal = Decimal(0)
    quantityavailable: Decimal = Decimal(0)
    quantitycommitted: Decimal = Decimal(0)
    quantitybackordered: Decimal = Decimal(0)


class LocationRow(SuiteQLRow):
    id: int
    name: str
    custrecord_amazon_party_id: str | None = None
    isinactive: bool = False


class CustomerRow(SuiteQLRow):
    id: int
    entityid: str | None = None
    companyname: str | None = None
    externalid: str | None = None
    custentity_amazon_vendor_code: str | None = None


class TransactionRow(SuiteQLRow):
    id: int
    tranid: str | None = None
    type: str
    externalid: str | None = None
    entity: int | None = None
    status: str | None = None
    trandate: str | None = None
    foreigntotal: Decimal | None = None
    otherrefnum: str | None = None
    foreignamountremaining: Decimal | None = None
    createdfrom: int | None = None


class TransactionLineRow(SuiteQLRow):
    transaction: int
    line: int
    item: int | None = None
    quantity: Decimal | None = None
    rate: Decimal | None = None
    amount: Decimal | None = None
    location: int | None = None
    isclosed: bool = False
    quantityshiprecv: Decimal | None = None
    quantitybilled: Decimal | None = None
