"""The dbt_finance project as Dagster assets; dbt tests become asset checks."""

import os
from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from dagster_duckdb import DuckDBResource

from vendor_pipelines.dbt_project import DBT_PROJECT_DIR, ensure_manifest
from vendor_pipelines.defs.constants import DUCKDB_POOL, FINANCE_OWNERS
from vendor_pipelines.settings import load_settings

dbt_finance_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


class FinanceTranslator(DagsterDbtTranslator):
    """Models keyed [schema, name] like the Python assets; finance owns them."""

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] not in ("model", "seed", "snapshot"):
            return spec
        schema = props.get("config", {}).get("schema") or props["schema"]
        description = (props.get("description") or "").strip().splitlines()
        return spec.replace_attributes(
            key=dg.AssetKey([schema, props["name"]]),
            group_name="finance",
            owners=FINANCE_OWNERS,
            description=description[0] if description else f"dbt {props['resource_type']}",
        ).merge_attributes(kinds={"duckdb"})


@dbt_assets(
    manifest=ensure_manifest(),
    project=dbt_finance_project,
    dagster_dbt_translator=FinanceTranslator(),
    pool=DUCKDB_POOL,
    name="dbt_finance",
)
def dbt_finance_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, duckdb: DuckDBResource
) -> Iterator[Any]:
    # dbt reads the warehouse path from the environment (profiles.yml); pin it to the settings'.
    os.environ["DUCKDB_PATH"] = str(load_settings().duckdb_path)
    events = list(dbt.cli(["build"], context=context).stream())
    with duckdb.get_connection() as conn:
        for event in events:
            if isinstance(event, dg.Output):
                key = context.asset_key_for_output(event.output_name)
                yield event.with_metadata({**event.metadata, **_table_metadata(conn, key)})
            else:
                yield event


def _table_metadata(conn: Any, key: dg.AssetKey) -> dict[str, Any]:
    """Row count of a model's relation (assets are keyed [schema, name] like their tables)."""
    table = ".".join(key.path)
    try:
        count = conn.execute(f"select count(*) from {table}").fetchone()[0]
    except Exception:  # an ephemeral model or a view over an absent source: no count, no failure
        return {}
    return {"dagster/row_count": int(count), "dagster/table_name": table}
