"""What a dbt run outside Dagster is handed: its target folder and its environment (pure logic;
the runs themselves are in test_finance_dbt_reconciliation.py)."""

from __future__ import annotations

from pathlib import Path

from vendor_pipelines.finance.dbt_command import (
    PARTIAL_PARSE_FILE,
    prepare_target,
    run_environment,
    settlement_vars,
    warehouse_target_path,
)
from vendor_pipelines.finance.dbt_sql import render


def test_each_warehouse_keeps_its_own_target_folder_beside_it(tmp_path: Path) -> None:
    one, other = tmp_path / "a" / "warehouse.duckdb", tmp_path / "b" / "warehouse.duckdb"
    assert warehouse_target_path(one) == tmp_path / "a" / "warehouse.duckdb.dbt"
    assert warehouse_target_path(one) != warehouse_target_path(other)


def test_a_used_target_keeps_its_parse_and_loses_the_last_results(tmp_path: Path) -> None:
    target = tmp_path / "warehouse.duckdb.dbt"
    target.mkdir()
    (target / PARTIAL_PARSE_FILE).write_bytes(b"this warehouse's parse")
    (target / "run_results.json").write_text("{}")
    assert prepare_target(target) == target
    # Its own parse stays (the project's is not copied over it); a run that stops before any
    # node must not leave the previous run's results to be read as its own.
    assert (target / PARTIAL_PARSE_FILE).read_bytes() == b"this warehouse's parse"
    assert not (target / "run_results.json").exists()


def test_the_window_and_policy_go_in_the_environment_not_in_vars(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    variables = settlement_vars("2026-11-01", "2026-11-30", variance_tolerance="0.05")
    assert run_environment(warehouse, variables) == {
        "VP_DBT_SETTLEMENT_DATE": "2026-11-01",
        "VP_DBT_SETTLEMENT_DATE_END": "2026-11-30",
        "VP_DBT_VARIANCE_TOLERANCE": "0.05",
        "DUCKDB_PATH": str(warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def test_rendered_outside_dbt_the_window_is_the_vars_given() -> None:
    # The close pack renders models itself: run_var then reads the vars it is handed.
    window = render(
        "{{ settlement_window('settlement_date', 2) }}",
        variables={"settlement_date": "2026-11-03", "settlement_date_end": "2026-11-04"},
    )
    assert window.strip() == ("settlement_date between date '2026-11-03' - 2 and date '2026-11-04'")
    assert render("{{ as_of_date() }}", variables={"settlement_date": "2026-11-03"}).strip() == (
        "date '2026-11-03'"
    )
    assert render("{{ settlement_window('settlement_date') }}").strip() == "true"
