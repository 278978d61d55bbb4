"""RealPeople's built-in world simulator.

``simulate()`` writes daily deliveries of accounts, events, reviews and appeals
to a landing zone that follows the activity-data contract
(shared/contract/activity-data.md), plus a ground-truth file outside it.
See docs/simulated-world.md.
"""
from .schema import SCHEMAS, read_delivery_csv, write_delivery_as_csv
from .parameters import ARCHETYPES, DEFAULT_MIX, LABEL_REGIMES, LabelRegime
from .world import simulate

__all__ = ["simulate", "write_delivery_as_csv", "read_delivery_csv", "SCHEMAS", "ARCHETYPES",
           "DEFAULT_MIX", "LabelRegime", "LABEL_REGIMES"]
