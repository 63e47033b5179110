"""dbt docs worth reading: every staging, finance and marts model, and every column it builds,
described and owned; every singular test says which exception it detects.

The declared columns come from the manifest (`ensure_manifest()`); the columns a model really
selects come from building every model once on an empty warehouse and reading
`information_schema.columns`, so a column added to a model's SELECT without a description fails
here, and so does a description left behind for a column the model no longer has.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dbt_build import run_dbt_build

from vendor_pipelines import warehouse_schema
from vendor_pipelines.dbt_project import ensure_manifest
from vendor_pipelines.defs.constants import FINANCE_OWNERS
from vendor_pipelines.defs.finance.dbt import FinanceTranslator
from vendor_pipelines.exceptions.types import EXCEPTION_TYPES

pytestmark = pytest.mark.slow

DOCUMENTED_FOLDERS = ("staging", "finance", "marts")  # dbt_finance/models/<folder>
OWNERS = ("finance", "operations")


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return json.loads(ensure_manifest().read_text())


def documented_models(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """unique_id -> node of every model under the documented folders."""
    return {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["fqn"][1] in DOCUMENTED_FOLDERS
    }


def relation(node: dict[str, Any]) -> tuple[str, str]:
    return node["config"].get("schema") or node["schema"], node.get("alias") or node["name"]


@pytest.fixture(scope="module")
def built_columns(module_tmp: Path) -> dict[tuple[str, str], list[str]]:
    """(schema, relation) -> columns, from every model built once on an empty warehouse."""
    warehouse = module_tmp / "warehouse.duckdb"  # the stem names dbt-duckdb's catalog
    conn = duckdb.connect(str(warehouse))
    warehouse_schema.apply(conn)
    conn.close()
    run = run_dbt_build(warehouse, module_tmp)
    assert run.returncode == 0, run.output[-4000:]
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        rows = conn.execute(
            """select table_schema, table_name, column_name from information_schema.columns
               where table_schema in (select unnest(?::varchar[]))
               order by table_schema, table_name, ordinal_position""",
            [list(DOCUMENTED_FOLDERS)],
        ).fetchall()
    columns: dict[tuple[str, str], list[str]] = {}
    for schema, table, column in rows:
        columns.setdefault((schema, table), []).append(column)
    return columns


def test_there_are_models_to_document(manifest) -> None:
    folders = {node["fqn"][1] for node in documented_models(manifest).values()}
    assert folders == set(DOCUMENTED_FOLDERS)


def test_every_model_is_described_and_owned(manifest) -> None:
    problems = []
    for unique_id, node in documented_models(manifest).items():
        if len(node["description"].strip()) < 20:
            problems.append(f"{unique_id}: no description")
        owner = node["config"].get("meta", {}).get("owner")
        if owner not in OWNERS:
            problems.append(f"{unique_id}: meta owner {owner!r}, expected one of {OWNERS}")
    assert problems == [], (
        "describe each model and set `config: {meta: {owner: finance}}` (or operations) in its "
        f"schema.yml: {problems}"
    )


def test_every_column_a_model_builds_is_described(manifest, built_columns) -> None:
    problems = []
    for unique_id, node in documented_models(manifest).items():
        built = built_columns.get(relation(node))
        assert built, f"{unique_id} was not built as {'.'.join(relation(node))}"
        declared = {name: column["description"].strip() for name, column in node["columns"].items()}
        problems += [f"{unique_id}.{c}: no description" for c in built if not declared.get(c)]
        problems += [
            f"{unique_id}.{c}: described but not selected" for c in declared if c not in built
        ]
    assert problems == [], (
        f"fix the columns in the model's schema.yml (dbt_finance/models/...): {problems}"
    )


def test_the_translator_keeps_finance_owners(manifest) -> None:
    translator = FinanceTranslator()
    owners = {
        unique_id: translator.get_asset_spec(manifest, unique_id, None).owners
        for unique_id in documented_models(manifest)
    }
    assert {unique_id: FINANCE_OWNERS for unique_id in owners} == owners


def test_every_singular_test_names_the_exception_it_detects(manifest) -> None:
    singular = {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and not node.get("test_metadata")
    }
    assert singular, "no singular test found in dbt_finance/tests"
    problems = []
    for name, node in sorted(singular.items()):
        description = node["description"].strip()
        named = set(re.findall(r"[a-z]+(?:_[a-z]+)+", description)) & set(EXCEPTION_TYPES)
        if not named:
            problems.append(f"{name}: its description names no exception type")
        # Dagster shows a dbt test's meta description on its asset check.
        if node.get("meta", {}).get("description", "").strip() != description:
            problems.append(f"{name}: meta.description differs from its description")
    assert problems == [], f"fix dbt_finance/tests/schema.yml: {problems}"
