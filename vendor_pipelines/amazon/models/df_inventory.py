"""Direct Fulfillment Inventory v1: `vendorDirectFulfillmentInventoryV1.json`."""

from __future__ import annotations

from pydantic import model_validator

from .common import AmzModel, Error, TransactionReference


class PartyIdentification(AmzModel):
    partyId: str


class ItemQuantity(AmzModel):
    amount: int | None = None
    unitOfMeasure: str


class ItemDetails(AmzModel):
    buyerProductIdentifier: str | None = None
    vendorProductIdentifier: str | None = None
    availableQuantity: ItemQuantity
    isObsolete: bool | None = None

    @model_validator(mode="after")
    def _one_identifier(self) -> ItemDetails:
        if not (self.buyerProductIdentifier or self.vendorProductIdentifier):
            raise ValueError(
                "buyerProductIdentifier or vendorProductIdentifier is required for each item"
            )
        return self


class InventoryUpdate(AmzModel):
    sellingParty: PartyIdentification
    isFullUpdate: bool
    items: list[ItemDetails]


class SubmitInventoryUpdateRequest(AmzModel):
    inventory: InventoryUpdate | None = None


class SubmitInventoryUpdateResponse(AmzModel):
    payload: TransactionReference | None = None
    errors: list[Error] | None = None
