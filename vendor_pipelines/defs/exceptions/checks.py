"""Asset checks that turn open exceptions of a type into red/amber in the UI."""

from collections.abc import Sequence

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from vendor_pipelines.defs.constants import DUCKDB_POOL
from vendor_pipelines.exceptions.store import loudest_open_severity, open_exceptions
from vendor_pipelines.exceptions.types import exception_type


def exception_checks(
    asset_key: Sequence[str], types: Sequence[str], *, blocking: bool = False
) -> dg.AssetChecksDefinition:
    """One check per exception type on the asset whose flow detects it; fails while any is open."""
    key = dg.AssetKey(list(asset_key))
    specs = [
        dg.AssetCheckSpec(
            name=name, asset=key, blocking=blocking, description=exception_type(name).description
        )
        for name in types
    ]

    @dg.multi_asset_check(
        specs=specs,
        name=f"{'_'.join(asset_key)}_exceptions",
        pool=DUCKDB_POOL,
        can_subset=False,
    )
    def _checks(duckdb: DuckDBResource):
        with duckdb.get_connection() as conn:
            for name in types:
                count, rows = open_exceptions(conn, name)
                kind = exception_type(name)
                yield dg.AssetCheckResult(
                    asset_key=key,
                    check_name=name,
                    passed=count == 0,
                    # Red as soon as one open exception is an error: a type may grow louder
                    # per detection (a dispute window two days from closing).
                    severity=dg.AssetCheckSeverity.ERROR
                    if (loudest_open_severity(conn, name) or kind.severity) == "error"
                    else dg.AssetCheckSeverity.WARN,
                    metadata={
                        "open_exceptions": count,
                        "owner": kind.owner,
                        "offending_rows": dg.MetadataValue.md(
                            pd.DataFrame(rows).to_markdown(index=False) if rows else "none"
                        ),
                    },
                )

    return _checks
