"""Publish: the enforcement list, compliance metrics and the report for a run date."""
