"""Amazon SP-API vendor client (Retail Procurement + Direct Fulfillment + vendor reports).

Pure library: httpx and pydantic, no Dagster. Start with `AmazonVendorClient`; payload models
live in `vendor_pipelines.amazon.models.<api>`; errors in `vendor_pipelines.amazon.errors`.
"""

from .auth import LWA_TOKEN_URL, LwaCredentials, LwaTokenProvider
from .client import AmazonVendorClient, ClientStats, InvalidRecord, Submission
from .errors import (
    AmazonApiError,
    AmazonAuthError,
    AmazonBadRequestError,
    AmazonConfigurationError,
    AmazonError,
    AmazonForbiddenError,
    AmazonNotFoundError,
    AmazonResponseError,
    AmazonServerError,
    AmazonThrottledError,
    AmazonTransportError,
    ApiErrorDetail,
    ReportFailedError,
    ReportTimeoutError,
    TransactionFailedError,
    TransactionTimeoutError,
)
from .operations import OPERATIONS, Operation
from .ratelimit import RateLimit, RateLimiter, TokenBucket
from .retry import RetryPolicy
from .sscc import is_valid_sscc, sscc_check_digit
from .windows import split_window

__all__ = [
    "LWA_TOKEN_URL",
    "OPERATIONS",
    "AmazonApiError",
    "AmazonAuthError",
    "AmazonBadRequestError",
    "AmazonConfigurationError",
    "AmazonError",
    "AmazonForbiddenError",
    "AmazonNotFoundError",
    "AmazonResponseError",
    "AmazonServerError",
    "AmazonThrottledError",
    "AmazonTransportError",
    "AmazonVendorClient",
    "ApiErrorDetail",
    "ClientStats",
    "InvalidRecord",
    "LwaCredentials",
    "LwaTokenProvider",
    "Operation",
    "RateLimit",
    "RateLimiter",
    "ReportFailedError",
    "ReportTimeoutError",
    "RetryPolicy",
    "Submission",
    "TokenBucket",
    "TransactionFailedError",
    "TransactionTimeoutError",
    "is_valid_sscc",
    "split_window",
    "sscc_check_digit",
]
