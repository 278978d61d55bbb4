"""Data-quality expectations (Great Expectations suites as JSON) and their runner.

Importing this package is cheap: Great Expectations itself is imported on the
first validation. No Dagster here; realpeople.defs wraps :func:`validate_frame`.
"""

from realpeople.expectations.runner import (
    SUITES_DIR,
    FailedExpectation,
    PassedExpectation,
    ValidationSummary,
    list_suites,
    load_suite,
    validate_frame,
)

__all__ = [
    "SUITES_DIR",
    "FailedExpectation",
    "PassedExpectation",
    "ValidationSummary",
    "list_suites",
    "load_suite",
    "validate_frame",
]
