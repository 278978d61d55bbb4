"""Landing zone -> raw tables: one partitioned asset per contract table."""
