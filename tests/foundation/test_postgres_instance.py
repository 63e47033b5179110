"""The production instance config (dagster.yaml + deploy/dagster.postgres.yaml) on real Postgres."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import psycopg2
import pytest
from postgres import PG_HOST, PG_PORT, PG_USER, admin_connection

from vendor_pipelines.definitions import defs

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def postgres_database() -> Iterator[str]:
    admin = admin_connection()
    name = f"vp_instance_{uuid.uuid4().hex[:10]}"
    with admin.cursor() as cur:
        cur.execute(f'create database "{name}"')
    try:
        yield name
    finally:
        with admin.cursor() as cur:
            cur.execute(f'drop database if exists "{name}" with (force)')
        admin.close()


def test_run_on_postgres_instance_is_stored_in_postgres(
    postgres_database: str, tmp_path: Path
) -> None:
    home = tmp_path / "dagster_home"
    home.mkdir()
    # Compose the instance exactly as the README tells operators to.
    (home / "dagster.yaml").write_text(
        (REPO / "dagster.yaml").read_text()
        + "\n"
        + (REPO / "deploy/dagster.postgres.yaml").read_text()
    )
    env = {
        "DAGSTER_PG_USER": PG_USER,
        "DAGSTER_PG_PASSWORD": "",
        "DAGSTER_PG_HOST": PG_HOST,
        "DAGSTER_PG_PORT": str(PG_PORT),
        "DAGSTER_PG_DB": postgres_database,
        "DAGSTER_COMPUTE_LOG_DIR": str(home / "logs"),
        "DAGSTER_ARTIFACT_DIR": str(home / "artifacts"),
    }
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        instance = dg.DagsterInstance.from_config(str(home))
        try:
            assert "postgres" in type(instance.run_storage).__name__.lower()
            definitions = defs()
            result = dg.materialize(
                [definitions.resolve_assets_def(["ops", "exceptions"])],
                instance=instance,
                selection=[dg.AssetKey(["ops", "exceptions"])],
            )
            assert result.success
        finally:
            instance.dispose()

    # Read the run and its materialization back from Postgres itself, not through Dagster.
    with (
        psycopg2.connect(
            host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=postgres_database
        ) as conn,
        conn.cursor() as cur,
    ):
        cur.execute("select run_id, status from runs")
        runs = cur.fetchall()
        assert [run_id for run_id, _ in runs] == [result.run_id]
        cur.execute(
            """select asset_key from event_logs
               where run_id = %s and dagster_event_type = 'ASSET_MATERIALIZATION'""",
            (runs[0][0],),
        )
        materialized = [row[0] for row in cur.fetchall()]
    assert [status for _, status in runs] == ["SUCCESS"]
    assert materialized == ['["ops", "exceptions"]']
