"""Names shared by the Dagster definitions: the warehouse pool, owners and groups."""

# Every step that opens the DuckDB file runs in this pool (limit 1 in dagster.yaml): DuckDB allows
# one writer per file across processes.
DUCKDB_POOL = "duckdb"

OPERATIONS_OWNERS = ["team:operations"]
FINANCE_OWNERS = ["team:finance"]
DATA_OWNERS = ["team:data-engineering"]
