"""NetSuite SuiteTalk REST client: records, transforms, SuiteQL, TBA and OAuth 2.0 M2M auth.

Pure library (httpx + pydantic, no Dagster). Start with `NetSuiteClient`.
"""

from vendor_pipelines.netsuite.client import NetSuiteClient, eid, record_path
from vendor_pipelines.netsuite.errors import (
    ConcurrencyLimitExceeded,
    DuplicateExternalId,
    ErrorDetail,
    NetSuiteAuthenticationError,
    NetSuiteConnectionError,
    NetSuiteError,
    NetSuiteServerError,
    NetSuiteUserError,
    RecordNotFound,
    SuiteQLRowCeilingReached,
)
from vendor_pipelines.netsuite.hosts import host_label, normalise_account_id, rest_base_url
from vendor_pipelines.netsuite.oauth2 import OAuth2ClientCredentials
from vendor_pipelines.netsuite.records import (
    CustomerPayment,
    JournalEntry,
    JournalLine,
    PaymentApplication,
    SalesOrder,
    SalesOrderLine,
    ref,
)
from vendor_pipelines.netsuite.tba import TokenBasedAuth
from vendor_pipelines.netsuite.transport import RetryPolicy

__all__ = [
    "ConcurrencyLimitExceeded",
    "CustomerPayment",
    "DuplicateExternalId",
    "ErrorDetail",
    "JournalEntry",
    "JournalLine",
    "NetSuiteAuthenticationError",
    "NetSuiteClient",
    "NetSuiteConnectionError",
    "NetSuiteError",
    "NetSuiteServerError",
    "NetSuiteUserError",
    "OAuth2ClientCredentials",
    "PaymentApplication",
    "RecordNotFound",
    "RetryPolicy",
    "SalesOrder",
    "SalesOrderLine",
    "SuiteQLRowCeilingReached",
    "TokenBasedAuth",
    "eid",
    "host_label",
    "normalise_account_id",
    "record_path",
    "ref",
    "rest_base_url",
]
