"""The simulated world's parameters: the fourteen archetypes, their mix, rhythms, rates,
content styles and review noise, and the label regimes (:class:`LabelRegime`).

Every other module of the simulator reads these; docs/simulated-world.md explains them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# ------------------------------------------------------------------ constants
ARCHETYPES = [
    "human_regular",
    "human_night_shift",
    "human_power_user",
    "human_scheduler",
    "human_traveller",
    "ai_assisted",
    "ai_managed_naive",
    "ai_managed_stealth",
    "human_expat",
    "ai_managed_farm",
    "ai_managed_sold",
    "ai_managed_impostor",
    "human_family",
    "human_cybercafe",
]
A = {name: i for i, name in enumerate(ARCHETYPES)}
(
    HREG,
    HNIGHT,
    HPOWER,
    HSCHED,
    HTRAV,
    ASSIST,
    NAIVE,
    STEALTH,
    HEXPAT,
    FARM,
    SOLD,
    IMPOST,
    HFAMILY,
    HCAFE,
) = range(14)
N_ARCH = len(ARCHETYPES)
CLASSES = ["human", "ai_assisted", "ai_managed"]
CLASS_OF = np.array([0, 0, 0, 0, 0, 1, 2, 2, 0, 2, 2, 2, 0, 0])
TRUE_CLASS = [CLASSES[c] for c in CLASS_OF]
IS_BOT = CLASS_OF == 2
# archetypes whose automation runs in fixed daily slots copied from human hours
SCRIPTED = (STEALTH, FARM, SOLD, IMPOST)

DEFAULT_MIX = {
    "human_regular": 0.595,
    "human_family": 0.02,
    "human_cybercafe": 0.01,
    "human_night_shift": 0.03,
    "human_power_user": 0.03,
    "human_scheduler": 0.03,
    "human_traveller": 0.03,
    "human_expat": 0.02,
    "ai_assisted": 0.11,
    "ai_managed_naive": 0.05,
    "ai_managed_stealth": 0.03,
    "ai_managed_farm": 0.025,
    "ai_managed_sold": 0.01,
    "ai_managed_impostor": 0.01,
}

TYPES = ["post", "comment", "like", "follow", "dm", "group_message", "login"]
POST, COMMENT, LIKE, FOLLOW, DM, GROUP, LOGIN = range(7)
CLIENTS = ["app_ios", "app_android", "web", "api"]
IOS, ANDROID, WEB, API = range(4)
COUNTRIES = [
    "CN",
    "HK",
    "TW",
    "JP",
    "KR",
    "SG",
    "MY",
    "US",
    "CA",
    "AU",
    "GB",
    "TH",
    "FR",
    "DE",
    "KH",
    "PH",
]
CN, MY, US, KH, PH = 0, 6, 7, 14, 15
ABROAD = np.arange(1, 14)
TRIP = np.array([3, 4, 5, 11, 12, 13, 7, 1])  # JP KR SG TH FR DE US HK
DATACENTER = np.array([0, 0, 0, 0, 0, 7, 5, 1])  # mostly CN clouds, some US SG HK
EXPAT_FROM = np.array([7, 10, 8, 9, 12, 13, 3, 4])  # US GB CA AU FR DE JP KR
IMPOSTOR_CLAIM = np.array([7, 7, 10, 9, 8, 7])  # US GB AU CA: where the persona "lives"
IMPOSTOR_OPS = np.array([0, 0, 0, 6, 14, 15])  # where the operators really are

DAY_US = 86_400_000_000
SEC = 1_000_000

# Local (UTC+8) hour-of-day weights.
HUMAN_HOURS = np.array(
    [
        1.2,
        0.6,
        0.3,
        0.15,
        0.1,
        0.15,
        0.5,
        1.5,
        2.2,
        2.0,
        2.0,
        2.6,
        4.2,
        4.0,
        2.5,
        2.2,
        2.2,
        2.4,
        3.0,
        3.8,
        4.6,
        5.2,
        5.0,
        2.8,
    ]
)
NIGHT_HOURS = np.array(
    [
        5.0,
        5.0,
        4.5,
        4.5,
        4.0,
        3.5,
        2.0,
        0.6,
        0.25,
        0.12,
        0.1,
        0.1,
        0.2,
        0.2,
        0.15,
        0.15,
        0.2,
        0.3,
        0.5,
        0.8,
        1.2,
        2.0,
        4.5,
        5.0,
    ]
)

# Event-type mix of the non-login, non-reply activity: post comment like follow dm group.
# SOLD is the mix after the sale; before it the account is a person's (HREG's mix).
TYPE_MIX = {
    HREG: [0.05, 0.16, 0.52, 0.06, 0.07, 0.14],
    HNIGHT: [0.05, 0.16, 0.52, 0.06, 0.07, 0.14],
    HPOWER: [0.04, 0.18, 0.55, 0.08, 0.05, 0.10],
    HSCHED: [0.005, 0.18, 0.525, 0.07, 0.08, 0.14],
    HTRAV: [0.06, 0.16, 0.50, 0.06, 0.07, 0.15],
    ASSIST: [0.12, 0.16, 0.46, 0.05, 0.07, 0.14],
    NAIVE: [0.22, 0.30, 0.22, 0.20, 0.06, 0.0],
    # stealth rings copy people's mix of actions (they run bought, aged accounts)
    STEALTH: [0.05, 0.16, 0.52, 0.06, 0.07, 0.14],
    HEXPAT: [0.05, 0.16, 0.52, 0.06, 0.08, 0.13],
    HFAMILY: [0.05, 0.16, 0.52, 0.06, 0.07, 0.14],
    HCAFE: [0.05, 0.16, 0.52, 0.06, 0.07, 0.14],
    FARM: [0.16, 0.22, 0.36, 0.16, 0.04, 0.06],
    SOLD: [0.24, 0.24, 0.22, 0.20, 0.10, 0.0],
    IMPOST: [0.08, 0.14, 0.26, 0.14, 0.30, 0.08],
}
# People (and the people's accounts before a sale): (median events/day, lognormal sigma,
# probability of a day off; human_regular draws its own per account, see _build_accounts)
HUMAN_RATE = {
    HREG: (3.5, 0.8, 0.12),
    HNIGHT: (3.5, 0.8, 0.12),
    HPOWER: (30.0, 0.4, 0.04),
    HSCHED: (3.5, 0.7, 0.12),
    HTRAV: (3.5, 0.8, 0.12),
    ASSIST: (4.5, 0.7, 0.10),
    HEXPAT: (3.5, 0.8, 0.12),
    SOLD: (3.5, 0.8, 0.15),
    HFAMILY: (3.5, 0.8, 0.12),
    HCAFE: (3.0, 0.8, 0.15),
}
# Share of posts with: image, location tag, commercial (farm and sold: before turning;
# after it see COMMERCIAL_PHASE)
POST_ATTR = {
    HREG: (0.7, 0.3, 0.02),
    HNIGHT: (0.7, 0.3, 0.02),
    HPOWER: (0.75, 0.35, 0.05),
    HSCHED: (0.8, 0.2, 0.08),
    HTRAV: (0.8, 0.5, 0.02),
    ASSIST: (0.8, 0.3, 0.12),
    NAIVE: (0.6, 0.1, 0.55),
    STEALTH: (0.7, 0.3, 0.15),
    HEXPAT: (0.75, 0.35, 0.02),
    FARM: (0.85, 0.3, 0.03),
    SOLD: (0.7, 0.3, 0.02),
    IMPOST: (0.9, 0.5, 0.05),
    HFAMILY: (0.7, 0.3, 0.02),
    HCAFE: (0.6, 0.3, 0.02),
}
COMMERCIAL_PHASE = {FARM: 0.75, SOLD: 0.6}
# probability of a post carrying ai_metadata / ai_label, by archetype (ASSIST: per account)
# (stealth rings strip the metadata: 0.01)
P_META = np.array([0.005] * 5 + [0, 0.6, 0.01, 0.005, 0.08, 0.15, 0.05, 0.005, 0.005])
P_LABEL = np.array([0.002] * 5 + [0, 0.1, 0.002, 0.002, 0.002, 0.002, 0.002, 0.002, 0.002])
# share of a bot's image posts that reuse a picture from a shared pool
IMG_REUSE = np.array([0.0] * 6 + [0.5, 0.1, 0.0, 0.35, 0.3, 0.7, 0.0, 0.0])
# stealth rings answer about as often as people do (always answering is a tell)
REPLY_P = np.array([0.65, 0.6, 0.75, 0.65, 0.6, 0.7, 0.97, 0.7, 0.6, 0.9, 0.9, 0.97, 0.65, 0.6])

TEXT_KINDS = {POST: "post", COMMENT: "comment", DM: "dm", GROUP: "group_message"}
# texts in a stealth ring's script, per kind: all its members draw from these
RING_SCRIPT_SIZE = {"post": 14, "comment": 10, "dm": 8, "group_message": 6}
STYLES = [
    "human",
    "assisted",
    "naive",
    "stealth",
    "farm_life",
    "farm_ad",
    "impostor",
    "human_en",
    "impostor_en",
    "ring",
]
S_HUMAN, S_ASSIST, S_NAIVE, S_STEALTH, S_FLIFE, S_FAD, S_IMP, S_HEN, S_IEN, S_RING = range(10)
# ``stealth`` is the farms' scripted small talk; stealth rings write in ``ring``: their
# ring's script of people-like texts (see texts.ring_script), lightly paraphrased
POST_STYLE = np.array([0, 0, 0, 0, 0, 1, 2, S_RING, 0, 4, 0, 6, 0, 0])
OTHER_STYLE = np.array([0, 0, 0, 0, 0, 0, 2, S_RING, 0, 3, 0, 6, 0, 0])

# Moderation.  Label noise by true archetype: how often a verdict is wrong.  Hard cases
# are misjudged more often: unlabelled AI help looks human, a bought account has a long
# human history, a scheduler's regular api posts look automated.
REVIEW_NOISE = np.array(
    [0.015, 0.02, 0.03, 0.04, 0.02, 0.07, 0.005, 0.02, 0.025, 0.02, 0.04, 0.015, 0.015, 0.015]
)


@dataclass(frozen=True)
class LabelRegime:
    """How moderators label the world: one setting, so a test or a demo can pick a young
    platform's few reviews or a mature one's many.

    ``audit_rate``: share of existing accounts reviewed a day at random (``random_sample``;
    it stays uniform so prevalence and precision estimates from it are unbiased).
    ``report_rate``: user reports a day, either one share of all accounts (a float, drawn
    in proportion to what users noticed) or a share per true class (a dict: reviews per
    class per day; within a class still in proportion to what users noticed).
    ``report_bias``: exponent on what users noticed (0: reports pick at random within
    their class; 1: proportional to it).  ``noise_scale`` multiplies :data:`REVIEW_NOISE`.
    """

    audit_rate: float = 0.001
    report_rate: float | dict = field(
        default_factory=lambda: {"human": 0.00015, "ai_assisted": 0.0004, "ai_managed": 0.0004}
    )
    report_bias: float = 1.0
    noise_scale: float = 1.0

    @classmethod
    def resolve(cls, value) -> LabelRegime:
        """A regime from None (the default), a preset name, a dict of fields or a regime."""
        if value is None:
            return LABEL_REGIMES["scarce"]
        if isinstance(value, LabelRegime):
            return value
        if isinstance(value, str):
            if value not in LABEL_REGIMES:
                raise ValueError(
                    f"unknown label regime {value!r}; presets: {sorted(LABEL_REGIMES)}"
                )
            return LABEL_REGIMES[value]
        return cls(**value)


# ``scarce`` (default): ~0.1 % of accounts audited a day plus a few reports per class, so
# the 20,000-account, 14-day demo gets 30-50 ai_managed reviews (42 for seed 7), as a young platform
# would.  ``rich``: the mature regime of earlier versions (1.1 % audited and 0.5 %
# reported a day, about 20 % of accounts reviewed over 14 days).
LABEL_REGIMES = {
    "scarce": LabelRegime(),
    "rich": LabelRegime(audit_rate=0.011, report_rate=0.005),
}
