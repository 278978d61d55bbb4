import pytest

from tests.conformance.harness import remove_instance_homes


@pytest.fixture(autouse=True)
def _remove_tmpfs_instances():
    """Each world's Dagster instance (on tmpfs, see harness.py) goes with its test."""
    yield
    remove_instance_homes()
