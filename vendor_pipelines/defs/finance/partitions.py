"""Settlement days: the one daily partitioning of the finance layer, in the finance timezone."""

import dagster as dg

from vendor_pipelines.defs.deployment import DEPLOYMENT

settlement_days = dg.DailyPartitionsDefinition(
    start_date="2026-01-01", timezone=DEPLOYMENT.finance_timezone, end_offset=1
)
