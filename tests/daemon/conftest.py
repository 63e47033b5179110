"""Fixtures for tests of what only a real daemon does, on a persistent instance."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "foundation"))

from postgres import PG_HOST, PG_PORT, PG_USER, admin_connection

from vendor_pipelines.deployment.topology import PostgresInstance


@pytest.fixture(params=["sqlite", "postgres"])
def instance_kind(request) -> Iterator[PostgresInstance | None]:
    """None for the SQLite dev instance; a fresh Postgres database for the production one."""
    if request.param == "sqlite":
        yield None
        return
    admin = admin_connection()
    name = f"vp_daemon_{uuid.uuid4().hex[:10]}"
    with admin.cursor() as cur:
        cur.execute(f'create database "{name}"')
    try:
        yield PostgresInstance(name, PG_HOST, PG_PORT, PG_USER)
    finally:
        with admin.cursor() as cur:
            cur.execute(f'drop database if exists "{name}" with (force)')
        admin.close()
