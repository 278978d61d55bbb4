"""dbt models as Dagster assets (features)."""
