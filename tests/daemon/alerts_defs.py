"""A code location for the alerts daemon test: the project's alerts sensor and resources only.

The real sensor, with the `alerts` resource the project builds from the environment (ALERT_*
settings); nothing else, so no other sensor or schedule starts a run (or fails one) meanwhile.
It is evaluated at every daemon loop (5 s): SENSOR_INTERVAL_SECONDS cannot go below 5, and a
5 s minimum interval misses every other loop by a fraction of a second.
"""

import dagster as dg

from vendor_pipelines.defs.exceptions.alerts import owner_alerts_sensor_at
from vendor_pipelines.defs.resources import resources

defs = dg.Definitions.merge(resources(), dg.Definitions(sensors=[owner_alerts_sensor_at(1)]))
