"""RealPeople's model code: plain functions on data frames, no Dagster.

Usable from a notebook and unit-tested directly; ``realpeople.defs.model`` wraps it.
"""
