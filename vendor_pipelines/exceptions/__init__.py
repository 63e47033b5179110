"""The exceptions model shared by operations and finance (pure SQL, no Dagster)."""
