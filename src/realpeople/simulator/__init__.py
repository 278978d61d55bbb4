"""RealPeople's built-in world simulator.

``simulate()`` writes daily deliveries of accounts, events, reviews and appeals
to a landing zone that follows the activity-data contract
(shared/contract/activity-data.md), plus a ground-truth file outside it.
See docs/simulated-world.md.
"""

from .parameters import ARCHETYPES, DEFAULT_MIX, LABEL_REGIMES, LabelRegime
from .schema import SCHEMAS, read_delivery_csv, write_delivery_as_csv
from .world import simulate

__all__ = [
    "ARCHETYPES",
    "DEFAULT_MIX",
    "LABEL_REGIMES",
    "SCHEMAS",
    "LabelRegime",
    "read_delivery_csv",
    "simulate",
    "write_delivery_as_csv",
]
