"""Report document URLs as Amazon hands them out: absolute, pre-signed, on their own host.

getReportDocument answers with an S3-style pre-signed URL that does not depend on the host the
API was called on, whose `X-Amz-Expires` is a lifetime in seconds counted from `X-Amz-Date`;
once it has passed, the download is refused with S3's XML `AccessDenied`. All over real HTTP.
"""

from __future__ import annotations

import gzip
import json
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from vendor_pipelines.amazon import AmazonApiError
from vendor_pipelines.amazon.models import reports as rep
from vendor_sandbox.server import LoopbackServer, free_port

SALES_OPTIONS = {
    "reportPeriod": "DAY",
    "distributorView": "MANUFACTURING",
    "sellingProgram": "RETAIL",
}


def _report_document_id(client) -> str:
    day = datetime.combine(datetime.now(UTC).date() - timedelta(days=3), datetime.min.time(), UTC)
    report_id = client.create_report(
        rep.VENDOR_SALES_REPORT,
        ["ATVPDKIKX0DER"],
        data_start_time=day,
        data_end_time=day,
        report_options=SALES_OPTIONS,
    )
    report = client.wait_for_report(report_id, poll_interval=0.1)
    assert report.reportDocumentId
    return report.reportDocumentId


def _document_url(sandbox, raw_http, document_id: str, host: str | None = None) -> str:
    headers = {"host": host} if host else {}
    with raw_http(sandbox) as http:
        response = http.get(f"/reports/2021-06-30/documents/{document_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["url"]


def test_the_url_is_absolute_and_ignores_the_host_the_api_was_called_on(sandbox, client, raw_http):
    document_id = _report_document_id(client)
    signed_from = datetime.now(UTC).replace(microsecond=0)
    urls = {
        host: _document_url(sandbox, raw_http, document_id, host)
        for host in (None, "sellingpartnerapi-na.amazon.com", "localhost:1")
    }
    url = urls[None]
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == sandbox.url  # where the sandbox listens
    assert {urlsplit(u).netloc for u in urls.values()} == {parts.netloc}
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["X-Amz-Expires"] == "300"  # seconds, not a moment
    signed_at = datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert signed_from - timedelta(seconds=2) <= signed_at <= datetime.now(UTC)
    assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256" and query["X-Amz-Signature"]
    assert query["X-Amz-Credential"].endswith("/us-east-1/s3/aws4_request")
    # A plain GET, no SP-API token: the document itself.
    download = httpx.get(url)
    assert download.status_code == 200
    document = json.loads(gzip.decompress(download.content))
    assert document["reportSpecification"]["reportType"] == rep.VENDOR_SALES_REPORT
    # enableContentEncodingUrlHeader: S3's response-header override, signed with the rest.
    with raw_http(sandbox) as http:
        encoded = http.get(
            f"/reports/2021-06-30/documents/{document_id}",
            params={"enableContentEncodingUrlHeader": "true"},
        ).json()["url"]
    assert parse_qs(urlsplit(encoded).query)["response-content-encoding"] == ["gzip"]
    decoded = httpx.get(encoded)
    assert decoded.headers["content-encoding"] == "gzip" and json.loads(decoded.content) == document


def test_documents_download_from_a_configured_document_host(make_sandbox, make_client):
    """Served apart from the API, as S3 is: the URL names the document host, not the API's."""
    documents = f"http://127.0.0.1:{free_port()}"
    sandbox = make_sandbox(document_base_url=documents)
    with LoopbackServer(sandbox.app, int(documents.rsplit(":", 1)[1])):
        client = make_client(sandbox)
        document = client.get_report_document(_report_document_id(client))
        assert document.url.startswith(f"{documents}/")
        assert not document.url.startswith(sandbox.url)
        raw = client.download_report_document(document)
    assert json.loads(raw)["salesByAsin"]


def test_an_expired_url_is_refused_like_s3(make_sandbox, make_client):
    sandbox = make_sandbox(document_url_lifetime=1)
    client = make_client(sandbox)
    document = client.get_report_document(_report_document_id(client))
    assert parse_qs(urlsplit(document.url).query)["X-Amz-Expires"] == ["1"]
    time.sleep(2.1)  # signed to the second: at most two seconds from now it has expired
    refused = httpx.get(document.url)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/xml")
    assert "<Code>AccessDenied</Code>" in refused.text
    assert "<Message>Request has expired</Message>" in refused.text
    assert "<X-Amz-Expires>1</X-Amz-Expires>" in refused.text
    with pytest.raises(AmazonApiError) as info:  # 403 is final: no retry
        client.download_report_document(document)
    assert info.value.status_code == 403


def test_a_tampered_url_is_refused_like_s3(sandbox, client, raw_http):
    url = _document_url(sandbox, raw_http, _report_document_id(client))
    longer = url.replace("X-Amz-Expires=300", "X-Amz-Expires=3000")
    assert "SignatureDoesNotMatch" in httpx.get(longer).text
    assert httpx.get(longer).status_code == 403
    too_long = httpx.get(url.replace("X-Amz-Expires=300", "X-Amz-Expires=700000"))
    assert too_long.status_code == 400
    assert "AuthorizationQueryParametersError" in too_long.text
    assert httpx.get(url.split("?")[0]).status_code == 400  # not signed at all
