"""Pre-signed report document URLs, signed and refused the way S3 does it.

Amazon answers getReportDocument with an absolute, pre-signed S3 URL on S3's own host: it does
not depend on the host the API was called on, and it carries SigV4 query parameters, among
them `X-Amz-Date` (when it was signed) and `X-Amz-Expires` (how many *seconds* it stays valid,
at most a week). The sandbox serves the documents itself, at a fixed base URL (see
`SandboxCore.document_base`), and signs with the store's key so every process serving one state
accepts the URLs of the others.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode
from xml.sax.saxutils import escape

from starlette.datastructures import QueryParams
from starlette.responses import Response

DOCUMENTS_PATH = "/_sandbox/documents/"
MAX_EXPIRES = 604800  # S3: a pre-signed URL may live at most seven days
AMZ_DATE = "%Y%m%dT%H%M%SZ"
# The S3 region a document bucket of each SP-API region is in (goes into the credential scope).
BUCKET_REGIONS = {"NA": "us-east-1", "EU": "eu-west-1", "FE": "us-west-2"}
SANDBOX_ACCESS_KEY = "AKIASANDBOXDOCUMENTS"


@dataclass(frozen=True)
class DocumentSigner:
    key: bytes
    lifetime: int  # seconds, 1..MAX_EXPIRES
    region: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.lifetime <= MAX_EXPIRES:
            raise ValueError(f"document URL lifetime must be 1..{MAX_EXPIRES} seconds")

    def url(self, base: str, document_id: str, encoding: str, now: datetime) -> str:
        """The pre-signed URL of a document, valid `lifetime` seconds from `now`."""
        signed_at = now.astimezone(UTC).strftime(AMZ_DATE)
        bucket_region = BUCKET_REGIONS.get(self.region or "NA", "us-east-1")
        params = {
            "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
            "X-Amz-Credential": (
                f"{SANDBOX_ACCESS_KEY}/{signed_at[:8]}/{bucket_region}/s3/aws4_request"
            ),
            "X-Amz-Date": signed_at,
            "X-Amz-Expires": str(self.lifetime),
            "X-Amz-SignedHeaders": "host",
        }
        if encoding:
            # S3's response-header override: the download answers with Content-Encoding: gzip.
            params["response-content-encoding"] = encoding
        params["X-Amz-Signature"] = self._signature(
            document_id, signed_at, str(self.lifetime), encoding
        )
        return f"{base.rstrip('/')}{DOCUMENTS_PATH}{quote(document_id)}?{urlencode(params)}"

    def refusal(self, document_id: str, query: QueryParams, now: datetime) -> Response | None:
        """The S3 error for a download of this URL, or None when it may be served."""
        signed_at, expires = query.get("X-Amz-Date", ""), query.get("X-Amz-Expires", "")
        if not signed_at or not expires:
            return s3_error(
                400,
                "AuthorizationQueryParametersError",
                "Query-string authentication version 4 requires the X-Amz-Algorithm, "
                "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and "
                "X-Amz-Expires parameters.",
            )
        try:
            seconds = int(expires)
            start = datetime.strptime(signed_at, AMZ_DATE).replace(tzinfo=UTC)
        except ValueError:
            return s3_error(
                400,
                "AuthorizationQueryParametersError",
                "X-Amz-Expires should be a number and X-Amz-Date in the format YYYYMMDDTHHMMSSZ.",
            )
        if not 0 < seconds <= MAX_EXPIRES:
            return s3_error(
                400,
                "AuthorizationQueryParametersError",
                "X-Amz-Expires must be less than a week (in seconds) that is; 604800 seconds",
            )
        encoding = query.get("response-content-encoding", "")
        expected = self._signature(document_id, signed_at, expires, encoding)
        if not hmac.compare_digest(query.get("X-Amz-Signature", ""), expected):
            return s3_error(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
            )
        ends = start + timedelta(seconds=seconds)
        if now > ends:
            return s3_error(
                403,
                "AccessDenied",
                "Request has expired",
                {
                    "X-Amz-Expires": expires,
                    "Expires": ends.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "ServerTime": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                },
            )
        return None

    def _signature(self, document_id: str, signed_at: str, expires: str, encoding: str) -> str:
        message = "\n".join((document_id, signed_at, expires, encoding)).encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()


def s3_error(status: int, code: str, message: str, extra: dict[str, str] | None = None) -> Response:
    """S3's XML error body (the document host is S3, not SP-API: no JSON `errors`)."""
    fields = {"Code": code, "Message": message, **(extra or {}), "RequestId": _request_id()}
    inner = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in fields.items())
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error>{inner}</Error>'
    return Response(body, status, media_type="application/xml")


def _request_id() -> str:
    return uuid.uuid4().hex[:16].upper()
