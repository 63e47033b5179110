"""What this code location fixes when Dagster loads it: crons, sensor intervals, timezones.

Schedules, sensors and partitions are built when the code location loads, so their values are
read once, here, by the start-up check of the definitions (`connections.load_configuration`:
the settings, and the simulator's wherever a side runs on it), before any schedule or
partition is built. The modules building them import `DEPLOYMENT`; everything a run or a
sensor's look reads comes from the resources (`defs/resources.py`).
"""

from vendor_pipelines.connections import load_configuration

DEPLOYMENT = load_configuration()
