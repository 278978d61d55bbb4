"""RealPeople orchestration: Dagster assets that ingest, transform, score and publish."""
