"""The dbt_finance project as Dagster assets; dbt tests become asset checks."""

from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from vendor_pipelines.dbt_project import DBT_PROJECT_DIR, ensure_manifest
from vendor_pipelines.defs.constants import DUCKDB_POOL, FINANCE_OWNERS

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
def dbt_finance_models(context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    yield from dbt.cli(["build"], context=context).stream().fetch_row_counts()
