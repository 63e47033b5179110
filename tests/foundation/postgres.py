"""Helpers for tests that need the local PostgreSQL (fail in CI, skip with a reason elsewhere)."""

from __future__ import annotations

import os

import psycopg2
import pytest

PG_HOST = os.environ.get("TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("TEST_PG_USER", "postgres")


def admin_connection() -> psycopg2.extensions.connection:
    """A superuser connection to the maintenance database, or fail/skip with the reason."""
    try:
        conn = psycopg2.connect(
            host=PG_HOST,
            port=PG_PORT,
            user=PG_USER,
            dbname="postgres",
            connect_timeout=5,
        )
    except psycopg2.OperationalError as exc:
        reason = f"PostgreSQL not reachable at {PG_HOST}:{PG_PORT} as {PG_USER}: {exc}"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{reason} (CI requires it)")
        pytest.skip(reason)
    conn.autocommit = True
    return conn
