"""Instance-level pieces of a deployment (named in dagster.yaml), not definitions."""
