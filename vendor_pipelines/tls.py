"""One TLS context per process, for every HTTP client the project makes.

httpx builds a new SSL context for each client, reading the whole CA bundle each time (about
50 ms here); a step makes several clients (two per Amazon client, NetSuite's, the alerts'), the
demo dozens. A context holds the trust settings only, no connection state, so one serves all
of them, from any thread.
"""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The verifying context httpx would make for a client (its CA bundle, SSL_CERT_FILE /
    SSL_CERT_DIR when set)."""
    return httpx.create_ssl_context()
