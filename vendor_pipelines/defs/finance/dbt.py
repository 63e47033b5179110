"""The dbt_finance project as Dagster assets; dbt tests become asset checks."""

from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtProject, dbt_assets
from dagster_duckdb import DuckDBResource

from vendor_pipelines.connections import load_configuration
from vendor_pipelines.dbt_project import ensure_manifest
from vendor_pipelines.defs.constants import DUCKDB_POOL, FINANCE_OWNERS
from vendor_pipelines.defs.finance.partitions import settlement_days
from vendor_pipelines.defs.resources import SettingsResource, WarehouseDbtCliResource
from vendor_pipelines.exceptions.store import record_detections
from vendor_pipelines.finance.dbt_command import settlement_vars
from vendor_pipelines.finance.detections import DETECTION_MODELS, settlement_problems


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


# No `project=` here: dagster-dbt would run dbt in that directory whatever the `dbt` resource
# says. The resource alone decides where the project (and so the finance seeds) is read from.
@dbt_assets(
    manifest=ensure_manifest(load_configuration().duckdb_path),
    dagster_dbt_translator=FinanceTranslator(),
    pool=DUCKDB_POOL,
    name="dbt_finance",
    partitions_def=settlement_days,
    # A backfill is one `dbt build` over the whole range, not one run per day.
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def dbt_finance_models(
    context: dg.AssetExecutionContext,
    dbt: WarehouseDbtCliResource,
    duckdb: DuckDBResource,
    settings: SettingsResource,
) -> Iterator[Any]:
    warehouse = settings.read().duckdb_path
    start, end = settlement_window(context)
    invocation = dbt.build(warehouse, settlement_vars(start, end), context)
    events = list(invocation.stream())
    results = _run_results(invocation)
    with duckdb.get_connection() as conn:
        for event in events:
            if isinstance(event, dg.Output):
                key = context.asset_key_for_output(event.output_name)
                yield event.with_metadata({**event.metadata, **_table_metadata(conn, key)})
            else:
                yield event
        unbuilt = _unbuilt_models(results, DETECTION_MODELS)
        if unbuilt:
            # Recording from models this build did not build would read another build's rows
            # (or none, on a new warehouse): keep the window's last recorded exceptions instead.
            context.log.warning(
                f"settlement exceptions of {start}..{end} not refreshed: {', '.join(unbuilt)}"
                " not built by this run"
            )
        else:
            # Exceptions of this window, naming each held payment and why it is held.
            query, params = settlement_problems(start, end)
            record_detections(
                conn, f"finance/settlements:{start}..{end}", query=query, params=params
            )
    # No results at all from a failed invocation: dbt stopped before running any node.
    if not invocation.is_successful() and (not results or not _only_test_failures(results)):
        raise dg.Failure(f"dbt build failed: {invocation.get_error()}")


def settlement_window(context: dg.AssetExecutionContext) -> tuple[date, date]:
    """First and last settlement day (inclusive) of the partition or backfill range."""
    window = context.partition_time_window
    return window.start.date(), (window.end - timedelta(days=1)).date()


def _run_results(invocation: Any) -> list[dict[str, Any]]:
    try:
        return invocation.get_artifact("run_results.json").get("results", [])
    except FileNotFoundError:
        return []


def _only_test_failures(results: list[dict[str, Any]]) -> bool:
    # A payment's own problems (unmapped deduction code, variance, drift, no customer) are
    # warnings: the data model holds that payment (settlement_reconciliation.posting_blocked_reason)
    # and everything downstream is built. The error tests left check the models' grain and the
    # posting gate itself; a failure there is reported as a blocking asset check, which fails the
    # step and stops the posting. Only a model or seed that errors is a dbt failure of its own.
    return not any(
        r.get("status") == "error" and not r.get("unique_id", "").startswith("test.")
        for r in results
    )


def _unbuilt_models(results: list[dict[str, Any]], names: tuple[str, ...]) -> list[str]:
    """Which of the named models this dbt invocation did not build successfully."""
    built = {
        r["unique_id"].rsplit(".", 1)[-1]
        for r in results
        if r.get("unique_id", "").startswith("model.") and r.get("status") == "success"
    }
    return [name for name in names if name not in built]


def _table_metadata(conn: Any, key: dg.AssetKey) -> dict[str, Any]:
    """Row count of a model's relation (assets are keyed [schema, name] like their tables)."""
    table = ".".join(key.path)
    if key.path[-1].startswith("int_") and _is_view(conn, key):
        # Counting a view runs it: the intermediate views are read by the models over them, not
        # by people, and the hash of every case's evidence alone is a quarter of a second
        # every night on a year of history.
        return {"dagster/table_name": table}
    try:
        count = conn.execute(f"select count(*) from {table}").fetchone()[0]
    except Exception:  # an ephemeral model or a view over an absent source: no count, no failure
        return {}
    return {"dagster/row_count": int(count), "dagster/table_name": table}


def _is_view(conn: Any, key: dg.AssetKey) -> bool:
    schema, name = key.path[-2:]
    found = conn.execute(
        "select table_type from information_schema.tables"
        " where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchone()
    return found is not None and found[0] == "VIEW"
