"""Transaction status: 1P (`vendorTransactionStatus.json`) and DF (v1 and 2021-12-28).

The three shapes differ only in their envelopes: 1P and DF v1 wrap the result in `payload` and
list errors as an array; DF 2021-12-28 has no wrapper and its `errors` is an `ErrorList` object
(`{"errors": [...]}`). `Transaction.error_list` flattens both.
"""

from __future__ import annotations

from .common import AmzModel, Error, TransactionStatusCode


class ErrorList(AmzModel):
    errors: list[Error]


class Transaction(AmzModel):
    transactionId: str
    status: TransactionStatusCode
    errors: list[Error] | ErrorList | None = None

    @property
    def error_list(self) -> list[Error]:
        if self.errors is None:
            return []
        if isinstance(self.errors, ErrorList):
            return list(self.errors.errors)
        return list(self.errors)

    @property
    def is_final(self) -> bool:
        return self.status != TransactionStatusCode.Processing


class TransactionStatus(AmzModel):
    transactionStatus: Transaction | None = None


class GetTransactionResponse(AmzModel):
    payload: TransactionStatus | None = None
    errors: list[Error] | None = None
