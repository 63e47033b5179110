"""Transaction status for asynchronous submits (1P and DF) and polling until they finish.

The two status getters live here, next to the polling, so `wait_for_transaction` needs
nothing from the other mixins.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any, Literal

from .client_core import ClientCore
from .client_support import Submission, _transaction
from .errors import ApiErrorDetail, TransactionFailedError, TransactionTimeoutError
from .models.common import TransactionStatusCode
from .models.transactions import Transaction, TransactionStatus


class TransactionsMixin(ClientCore):
    """getTransaction / DF getTransactionStatus, and waiting on `Submission`s."""

    def get_transaction(self, transaction_id: str) -> Transaction:
        """getTransaction (1P transaction status)."""
        status = self._call(
            "transactions.getTransaction",
            TransactionStatus,
            path_params={"transactionId": transaction_id},
        )
        return _transaction(status, "transactions.getTransaction")

    def get_df_transaction(self, transaction_id: str) -> Transaction:
        """DF getTransactionStatus (2021-12-28)."""
        status = self._call(
            "dfTransactions.getTransactionStatus",
            TransactionStatus,
            path_params={"transactionId": transaction_id},
        )
        return _transaction(status, "dfTransactions.getTransactionStatus")

    # --- transactions: polling ------------------------------------------------------------

    def wait_for_transaction(
        self,
        submission: Submission | str,
        *,
        api: Literal["rp", "df"] | None = None,
        budget_seconds: float = 900.0,
        poll_interval: float = 2.0,
        max_poll_interval: float = 30.0,
        raise_on_failure: bool = False,
    ) -> Transaction:
        """Poll until the transaction leaves `Processing` or the budget is spent.

        Returns the final `Transaction` (`status` Success or Failure, `error_list` = Amazon's
        errors). `raise_on_failure=True` raises `TransactionFailedError` instead of returning a
        failure; a budget overrun raises `TransactionTimeoutError` (Amazon's guides say a
        transaction still Processing after 15-30 min may be treated as accepted: the caller
        decides).
        """
        if isinstance(submission, Submission):
            transaction_id, which = submission.transaction_id, api or submission.api
        else:
            transaction_id, which = submission, api or "rp"
        getter = self.get_transaction if which == "rp" else self.get_df_transaction
        started = time.monotonic()
        interval = poll_interval
        while True:
            txn = getter(transaction_id)
            if txn.status != TransactionStatusCode.Processing:
                if txn.status == TransactionStatusCode.Failure and raise_on_failure:
                    raise TransactionFailedError(
                        transaction_id,
                        [ApiErrorDetail(e.code, e.message, e.details) for e in txn.error_list],
                    )
                return txn
            elapsed = time.monotonic() - started
            if elapsed + interval > budget_seconds:
                raise TransactionTimeoutError(transaction_id, elapsed)
            time.sleep(interval)
            interval = min(max_poll_interval, interval * 1.5)

    def wait_for_transactions(
        self, submissions: Iterable[Submission], *, budget_seconds: float = 900.0, **kwargs: Any
    ) -> dict[str, Transaction]:
        """Wait for several submissions within one shared budget."""
        started = time.monotonic()
        results: dict[str, Transaction] = {}
        for sub in submissions:
            left = max(0.0, budget_seconds - (time.monotonic() - started))
            results[sub.transaction_id] = self.wait_for_transaction(
                sub, budget_seconds=left, **kwargs
            )
        return results
