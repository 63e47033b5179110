"""A tiny code location for the daemon tests: two writers that share the `duckdb` pool.

`slow_writer` records its process id and then works for minutes, holding the pool's single
slot; `next_writer` needs that slot. The tests kill the first run's worker and expect the
daemon to let it go so the second run gets the slot.
"""

import os
import time
from pathlib import Path

import dagster as dg

OUT = Path(os.environ.get("DAEMON_TEST_DIR", "."))


@dg.asset(
    pool="duckdb", group_name="daemon_test", kinds={"python"}, owners=["team:data-engineering"]
)
def slow_writer() -> None:
    """Holds the pool slot for minutes, like a long NetSuite posting."""
    (OUT / "slow_writer.pid").write_text(str(os.getpid()))
    time.sleep(600)


@dg.asset(
    pool="duckdb", group_name="daemon_test", kinds={"python"}, owners=["team:data-engineering"]
)
def next_writer() -> None:
    """Needs the slot the slow writer held."""
    (OUT / "next_writer.done").write_text(str(time.time()))


defs = dg.Definitions(
    assets=[slow_writer, next_writer],
    executor=dg.in_process_executor,  # as the project's code location
    jobs=[
        # No automatic retry here: the test watches the dead run itself.
        dg.define_asset_job("slow_job", [slow_writer], tags={"dagster/max_retries": "0"}),
        dg.define_asset_job("next_job", [next_writer]),
    ],
)
