"""Every HTTP client of a process shares one verifying TLS context (vendor_pipelines.tls)."""

from __future__ import annotations

import ssl

import pytest

from vendor_pipelines.amazon.client import AmazonVendorClient
from vendor_pipelines.netsuite import NetSuiteClient
from vendor_pipelines.tls import tls_context
from vendor_sandbox.netsuite import credentials


def test_clients_share_one_verifying_context(monkeypatch: pytest.MonkeyPatch) -> None:
    context = tls_context()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    made: list[object] = []
    original = ssl.create_default_context
    monkeypatch.setattr(
        ssl, "create_default_context", lambda *a, **k: made.append(1) or original(*a, **k)
    )
    clients = [
        AmazonVendorClient("https://sp.example", "id", "secret", "token", "https://lwa.example/t")
        for _ in range(3)
    ]
    netsuite = NetSuiteClient(
        "https://1234.suitetalk.example", "1234", credentials.sandbox_tba_auth()
    )
    assert made == []  # no client read the CA bundle again
    for client in clients:
        client.close()
    netsuite.close()
