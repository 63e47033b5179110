"""Resources: the warehouse, dbt, and the Amazon and NetSuite connections."""

import dagster as dg
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource

from vendor_pipelines.dbt_project import DBT_PROJECT_DIR, dbt_executable
from vendor_pipelines.settings import load_settings


@dg.definitions
def resources() -> dg.Definitions:
    settings = load_settings()
    settings.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
    return dg.Definitions(
        resources={
            "duckdb": DuckDBResource(database=str(settings.duckdb_path.resolve())),
            "dbt": DbtCliResource(
                project_dir=str(DBT_PROJECT_DIR),
                profiles_dir=str(DBT_PROJECT_DIR),
                dbt_executable=dbt_executable(),
            ),
        }
    )
