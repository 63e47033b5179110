"""`AmazonVendorClient`: the SP-API vendor operations over httpx, with LWA, rate limits, retries.

Usage::

    with AmazonVendorClient(endpoint, client_id, client_secret, refresh_token, token_url) as amz:
        for order in amz.iter_purchase_orders(changed_after=high_water_mark):
            ...
        sub = amz.submit_acknowledgements([ack])
        txn = amz.wait_for_transaction(sub, budget_seconds=600)

Every call: takes a token from the operation's bucket (published rate/burst), sends the LWA
access token in `x-amz-access-token`, retries 429/5xx/timeouts/dropped connections with jittered
exponential backoff within `RetryPolicy` (attempts and seconds), refreshes the access token once
if SP-API says it expired, and parses the body into the operation's pydantic model. Errors are
typed (`errors.py`) and carry Amazon's `errors[]`, the request id and the operation.
"""

from __future__ import annotations

from .client_core import DEFAULT_RATE_LIMITS, ClientCore
from .client_df import DfMixin
from .client_reports import ReportsMixin, parse_report_document
from .client_rp_orders import RpOrdersMixin
from .client_rp_shipments import RpShipmentsMixin
from .client_support import ClientStats, InvalidRecord, Submission
from .client_transactions import TransactionsMixin

# Re-exported: callers import these from `vendor_pipelines.amazon.client`.
__all__ = [
    "DEFAULT_RATE_LIMITS",
    "AmazonVendorClient",
    "ClientCore",
    "ClientStats",
    "InvalidRecord",
    "Submission",
    "parse_report_document",
]


class AmazonVendorClient(RpOrdersMixin, RpShipmentsMixin, DfMixin, TransactionsMixin, ReportsMixin):
    """Synchronous, thread-safe SP-API vendor client (Retail Procurement + Direct Fulfillment).

    One mixin per API family (see the `client_*` modules), all sharing the `ClientCore`
    transport, so a single instance holds one HTTP pool, one LWA token and one rate limiter.
    """
