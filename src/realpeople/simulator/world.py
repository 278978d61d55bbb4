"""The simulated world: accounts of fourteen archetypes and everything they do,
delivered day by day to a landing zone that follows the activity-data contract.

Moderator reviews follow a label regime (:class:`LabelRegime`): how many accounts of
each class are reviewed a day, how noisy the verdicts are, how strongly user reports
follow what users notice.  The default is scarce, as on a young platform.

Everything is vectorised with numpy per archetype and per day; no Python code
runs per event.  All randomness comes from ``numpy.random.Generator(PCG64)``
streams spawned from the seed, and nothing reads the wall clock (except the
``seconds`` figure in the returned summary), so the same seed gives
byte-identical files.  Memory is bounded by one day of events plus per-account
state (a few hundred bytes per account).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import texts
from .schema import GROUND_TRUTH_SCHEMA, SCHEMAS, write_csv, write_parquet

# ------------------------------------------------------------------ constants
ARCHETYPES = [
    "human_regular", "human_night_shift", "human_power_user", "human_scheduler",
    "human_traveller", "ai_assisted", "ai_managed_naive", "ai_managed_stealth",
    "human_expat", "ai_managed_farm", "ai_managed_sold", "ai_managed_impostor",
    "human_family", "human_cybercafe",
]
A = {name: i for i, name in enumerate(ARCHETYPES)}
(HREG, HNIGHT, HPOWER, HSCHED, HTRAV, ASSIST, NAIVE, STEALTH,
 HEXPAT, FARM, SOLD, IMPOST, HFAMILY, HCAFE) = range(14)
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
COUNTRIES = ["CN", "HK", "TW", "JP", "KR", "SG", "MY", "US", "CA", "AU", "GB", "TH", "FR", "DE",
             "KH", "PH"]
CN, MY, US, KH, PH = 0, 6, 7, 14, 15
ABROAD = np.arange(1, 14)
TRIP = np.array([3, 4, 5, 11, 12, 13, 7, 1])          # JP KR SG TH FR DE US HK
DATACENTER = np.array([0, 0, 0, 0, 0, 7, 5, 1])       # mostly CN clouds, some US SG HK
EXPAT_FROM = np.array([7, 10, 8, 9, 12, 13, 3, 4])    # US GB CA AU FR DE JP KR
IMPOSTOR_CLAIM = np.array([7, 7, 10, 9, 8, 7])        # US GB AU CA: where the persona "lives"
IMPOSTOR_OPS = np.array([0, 0, 0, 6, 14, 15])         # where the operators really are

DAY_US = 86_400_000_000
SEC = 1_000_000

# Local (UTC+8) hour-of-day weights.
HUMAN_HOURS = np.array([1.2, 0.6, 0.3, 0.15, 0.1, 0.15, 0.5, 1.5, 2.2, 2.0, 2.0, 2.6,
                        4.2, 4.0, 2.5, 2.2, 2.2, 2.4, 3.0, 3.8, 4.6, 5.2, 5.0, 2.8])
NIGHT_HOURS = np.array([5.0, 5.0, 4.5, 4.5, 4.0, 3.5, 2.0, 0.6, 0.25, 0.12, 0.1, 0.1,
                        0.2, 0.2, 0.15, 0.15, 0.2, 0.3, 0.5, 0.8, 1.2, 2.0, 4.5, 5.0])

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
HUMAN_RATE = {HREG: (3.5, 0.8, 0.12), HNIGHT: (3.5, 0.8, 0.12), HPOWER: (30.0, 0.4, 0.04),
              HSCHED: (3.5, 0.7, 0.12), HTRAV: (3.5, 0.8, 0.12), ASSIST: (4.5, 0.7, 0.10),
              HEXPAT: (3.5, 0.8, 0.12), SOLD: (3.5, 0.8, 0.15), HFAMILY: (3.5, 0.8, 0.12),
              HCAFE: (3.0, 0.8, 0.15)}
# Share of posts with: image, location tag, commercial (farm and sold: before turning;
# after it see COMMERCIAL_PHASE)
POST_ATTR = {HREG: (0.7, 0.3, 0.02), HNIGHT: (0.7, 0.3, 0.02), HPOWER: (0.75, 0.35, 0.05),
             HSCHED: (0.8, 0.2, 0.08), HTRAV: (0.8, 0.5, 0.02), ASSIST: (0.8, 0.3, 0.12),
             NAIVE: (0.6, 0.1, 0.55), STEALTH: (0.7, 0.3, 0.15), HEXPAT: (0.75, 0.35, 0.02),
             FARM: (0.85, 0.3, 0.03), SOLD: (0.7, 0.3, 0.02), IMPOST: (0.9, 0.5, 0.05),
             HFAMILY: (0.7, 0.3, 0.02), HCAFE: (0.6, 0.3, 0.02)}
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
STYLES = ["human", "assisted", "naive", "stealth", "farm_life", "farm_ad", "impostor",
          "human_en", "impostor_en", "ring"]
S_HUMAN, S_ASSIST, S_NAIVE, S_STEALTH, S_FLIFE, S_FAD, S_IMP, S_HEN, S_IEN, S_RING = range(10)
# ``stealth`` is the farms' scripted small talk; stealth rings write in ``ring``: their
# ring's script of people-like texts (see texts.ring_script), lightly paraphrased
POST_STYLE = np.array([0, 0, 0, 0, 0, 1, 2, S_RING, 0, 4, 0, 6, 0, 0])
OTHER_STYLE = np.array([0, 0, 0, 0, 0, 0, 2, S_RING, 0, 3, 0, 6, 0, 0])

# Moderation.  Label noise by true archetype: how often a verdict is wrong.  Hard cases
# are misjudged more often: unlabelled AI help looks human, a bought account has a long
# human history, a scheduler's regular api posts look automated.
REVIEW_NOISE = np.array([0.015, 0.02, 0.03, 0.04, 0.02, 0.07, 0.005, 0.02, 0.025, 0.02,
                         0.04, 0.015, 0.015, 0.015])


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
    report_rate: float | dict = field(default_factory=lambda: {
        "human": 0.00015, "ai_assisted": 0.0004, "ai_managed": 0.0004})
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
                raise ValueError(f"unknown label regime {value!r}; presets: {sorted(LABEL_REGIMES)}")
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

# ------------------------------------------------------------------- helpers
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def hex_ids(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """uint64 -> 16-char lowercase hex strings, vectorised (``valid`` False -> null)."""
    values = np.ascontiguousarray(values, dtype=np.uint64)
    n = len(values)
    b = values.astype(">u8").view(np.uint8).reshape(n, 8)
    chars = np.empty((n, 16), dtype=np.uint8)
    chars[:, 0::2] = _HEX[b >> 4]
    chars[:, 1::2] = _HEX[b & 15]
    offsets = np.arange(0, 16 * n + 1, 16, dtype=np.int32)
    validity = None
    null_count = 0
    if valid is not None and not valid.all():
        validity = pa.py_buffer(np.packbits(valid.astype(np.uint8), bitorder="little"))
        null_count = int((~valid).sum())
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(chars.tobytes()),
                                       validity, null_count)


def _codes(values: list[str], idx: np.ndarray) -> pa.Array:
    """Index array -> string array from ``values`` (``-1`` -> null)."""
    idx = np.asarray(idx, dtype=np.int64)
    mask = idx < 0
    arr = pa.array(idx, mask=mask) if mask.any() else pa.array(idx)
    return pa.array(values, pa.string()).take(arr)


def _bools(v: np.ndarray) -> pa.Array:
    """int8 with -1 null, 0 false, 1 true -> nullable boolean array."""
    return pa.array(v == 1, mask=(v < 0), type=pa.bool_())


def _ts(us: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    us = np.asarray(us, dtype=np.int64)
    if valid is None:
        return pa.array(us, type=pa.timestamp("us", tz="UTC"))
    return pa.array(us, mask=~valid, type=pa.timestamp("us", tz="UTC"))


def _new_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(1, np.iinfo(np.uint64).max, n, dtype=np.uint64, endpoint=True)


def _local_hour_to_utc_seconds(rng, hours: np.ndarray) -> np.ndarray:
    return ((hours - 8) % 24) * 3600.0 + rng.random(len(hours)) * 3600.0


def _resolve_mix(mix: dict | None) -> np.ndarray:
    if not mix:
        shares = dict(DEFAULT_MIX)
    else:
        shares = {}
        coarse = {c: [a for a in ARCHETYPES if TRUE_CLASS[A[a]] == c] for c in CLASSES}
        for key, value in mix.items():
            if key in A:
                shares[key] = shares.get(key, 0.0) + float(value)
            elif key in coarse:
                subs = coarse[key]
                tot = sum(DEFAULT_MIX[s] for s in subs)
                for s in subs:
                    shares[s] = shares.get(s, 0.0) + float(value) * DEFAULT_MIX[s] / tot
            else:
                raise ValueError(f"unknown archetype in mix: {key!r}")
    p = np.array([shares.get(a, 0.0) for a in ARCHETYPES], dtype=float)
    if p.sum() <= 0 or (p < 0).any():
        raise ValueError("mix shares must be non-negative and not all zero")
    return p / p.sum()


def _exact_counts(p: np.ndarray, n: int) -> np.ndarray:
    raw = p * n
    counts = np.floor(raw).astype(np.int64)
    rest = n - counts.sum()
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[:rest]] += 1
    return counts


# ------------------------------------------------------------------ the world
class World:
    def __init__(self, accounts: int, days: int, seed: int, end_date: date, mix=None,
                 labels=None):
        if accounts < 10 or days < 1:
            raise ValueError("need at least 10 accounts and 1 day")
        self.n = n = int(accounts)
        self.days = int(days)
        self.end_date = end_date
        self.labels = LabelRegime.resolve(labels)
        self.start_date = end_date - timedelta(days=self.days - 1)
        epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
        start_dt = datetime(self.start_date.year, self.start_date.month, self.start_date.day,
                            tzinfo=timezone.utc)
        self.start_us = int((start_dt - epoch).total_seconds()) * SEC
        self.end_us = self.start_us + self.days * DAY_US
        ss = np.random.SeedSequence(seed)
        kids = ss.spawn(4 + self.days)
        self.rng_acc = np.random.Generator(np.random.PCG64(kids[0]))
        self.rng_rev = np.random.Generator(np.random.PCG64(kids[1]))
        self.rng_deliv = np.random.Generator(np.random.PCG64(kids[2]))
        self.rng_snap = np.random.Generator(np.random.PCG64(kids[3]))
        self.rng_day = [np.random.Generator(np.random.PCG64(k)) for k in kids[4:]]
        self.queued_appeals: dict[int, list] = {}   # delivery day -> appeal rows
        self.queued_reviews: dict[int, list] = {}   # day -> reviews that decided an appeal
        self._build_accounts(_resolve_mix(mix))

    # ------------------------------------------------------------ accounts
    def _build_accounts(self, p):
        rng, n = self.rng_acc, self.n
        counts = _exact_counts(p, n)
        arch = np.repeat(np.arange(N_ARCH), counts)
        rng.shuffle(arch)
        self.arch = arch
        ids = _new_ids(rng, n)
        while len(np.unique(ids)) < n:  # practically never
            ids = _new_ids(rng, n)
        self.ids = ids
        self.id_str = hex_ids(ids)
        bot = IS_BOT[arch]
        is_ = {a: arch == a for a in range(N_ARCH)}

        # Operators: automation comes in groups that share creation time, devices, pictures.
        # naive farms ~25 accounts, stealth rings ~8 (sharing only their schedule, targets
        # and script), account farms 15-40 registered in one sitting, buyers of sold
        # accounts ~8, impostor operators ~6.
        farm = np.full(n, -1, dtype=np.int64)
        nf = 0
        first_group = {}
        for a, size in ((NAIVE, 25), (STEALTH, 8), (FARM, 28), (SOLD, 8), (IMPOST, 6)):
            idx = np.flatnonzero(is_[a])
            k = max(1, int(np.ceil(len(idx) / size)))
            farm[idx] = nf + rng.integers(0, k, len(idx))
            first_group[a] = (nf, k)
            nf += k
        self.farm, self.n_groups = farm, nf
        self.first_group = first_group
        # members of each group, for follows inside an account farm
        order = np.argsort(farm, kind="stable")
        self.g_members = order
        self.g_start = np.searchsorted(farm[order], np.arange(nf + 1))

        # creation time: people over the prior two years, ~1.5 % inside the window; bot
        # groups in recent batches, minutes apart within a batch; bought accounts were
        # a person's, so they are as old as people's.
        created = self.start_us - (rng.random(n) ** 0.8 * 730 * DAY_US).astype(np.int64)
        fresh = rng.random(n) < 0.015
        farm_t = self.start_us - (rng.random(nf) * 180 * DAY_US).astype(np.int64)
        farm_fresh = rng.random(nf) < 0.12
        farm_t[farm_fresh] = self.start_us + (rng.random(farm_fresh.sum()) * self.days * DAY_US
                                              ).astype(np.int64)
        # account farms cultivate for weeks before they sell: batches 1-5 months old
        g0, k = first_group[FARM]
        farm_t[g0:g0 + k] = self.start_us - (rng.uniform(3, 150, k) * DAY_US).astype(np.int64)
        # stealth rings run bought, aged accounts: as old as people's, not registered in batches
        batch = bot & ~is_[SOLD] & ~is_[STEALTH]
        fi = farm[batch]
        created[batch] = farm_t[fi] + (rng.exponential(1800, batch.sum()) * SEC).astype(np.int64)
        fresh &= ~bot | is_[STEALTH]
        created[fresh] = self.start_us + (rng.random(fresh.sum()) * self.days * DAY_US
                                          ).astype(np.int64)
        created = np.minimum(created, self.end_us - 3600 * SEC)
        self.created = created
        # an account farm turns commercial 3-12 weeks after registration
        self.turn_us = np.full(n, np.iinfo(np.int64).max, np.int64)
        turn_g = farm_t + (rng.uniform(21, 84, nf) * DAY_US).astype(np.int64)
        self.turn_us[is_[FARM]] = turn_g[farm[is_[FARM]]] + (
            rng.uniform(0, 2, is_[FARM].sum()) * DAY_US).astype(np.int64)
        # a bought account changes hands on one day: a third before the window
        self.sale_day = np.full(n, 10**6, np.int64)
        self.sale_day[is_[SOLD]] = rng.integers(-(self.days // 2), max(1, self.days - 1),
                                                is_[SOLD].sum())

        # country: where requests come from (home) and what the profile claims (declared)
        home = np.where(rng.random(n) < 0.95, CN, rng.choice(ABROAD, n))
        home[is_[NAIVE]] = DATACENTER[rng.integers(0, len(DATACENTER), is_[NAIVE].sum())]
        home[is_[STEALTH] | is_[FARM] | is_[HEXPAT]] = CN
        op_home = IMPOSTOR_OPS[rng.integers(0, len(IMPOSTOR_OPS), nf)]
        home[is_[IMPOST]] = op_home[farm[is_[IMPOST]]]
        self.home = home
        # after a sale requests come from the buyer's network
        buyer_home = np.where(rng.random(nf) < 0.8, CN, DATACENTER[rng.integers(0, 8, nf)])
        self.bot_home = home.copy()
        self.bot_home[is_[SOLD]] = buyer_home[farm[is_[SOLD]]]
        declared = np.where(rng.random(n) < 0.05, -1, home)
        declared[bot] = CN
        declared[is_[SOLD]] = home[is_[SOLD]]
        declared[is_[HEXPAT]] = EXPAT_FROM[rng.integers(0, len(EXPAT_FROM), is_[HEXPAT].sum())]
        declared[is_[IMPOST]] = IMPOSTOR_CLAIM[rng.integers(0, len(IMPOSTOR_CLAIM),
                                                            is_[IMPOST].sum())]
        self.declared = declared
        signup_ip = np.where(rng.random(n) < 0.03, -1, home)
        # expats often registered before they moved
        back_home = is_[HEXPAT] & (rng.random(n) < 0.3)
        signup_ip[back_home] = declared[back_home]
        self.signup_ip = signup_ip

        # devices: two slots per account, each a (device index, client); -1 device = none.
        # dev/cl are a person's own phones; bdev/bcl what automation runs on.
        n_dev = np.where(rng.random(n) < 0.35, 2, 1)
        dev = np.stack([np.arange(n), n + np.arange(n)], axis=1).astype(np.int64)
        n_dev_ids = 2 * n
        phone = np.where(rng.random((n, 2)) < 0.5, IOS, ANDROID)
        cl = phone.copy()
        web_second = rng.random(n) < 0.4
        cl[:, 1] = np.where(web_second, WEB, cl[:, 1])
        web_only = rng.random(n) < 0.08
        cl[web_only, 0] = WEB
        # naive farms: api (no device) or a farm-shared web browser
        nv = np.flatnonzero(is_[NAIVE])
        use_api = rng.random(len(nv)) < 0.7
        cl[nv, 0] = np.where(use_api, API, WEB)
        cl[nv, 1] = cl[nv, 0]
        dev[nv, 0] = np.where(use_api, -1, n_dev_ids + farm[nv])
        dev[nv, 1] = dev[nv, 0]
        n_dev[nv] = 1
        n_dev_ids += nf
        # stealth rings rotate device fingerprints: each account has phones of its own
        # (app clients, never a browser or the api), shared with no other account
        stl = np.flatnonzero(is_[STEALTH])
        cl[stl] = phone[stl]
        n_dev[stl] = np.where(rng.random(len(stl)) < 0.5, 2, 1)
        # families share one device (the household tablet or an old phone) as a second
        # device; cybercafe and office regulars also use one of a few shared web PCs
        hh = np.flatnonzero(is_[HFAMILY])
        n_house = max(1, int(np.ceil(len(hh) / 3)))
        self.household = np.full(n, -1, np.int64)
        self.household[hh] = rng.integers(0, n_house, len(hh))
        dev[hh, 1] = n_dev_ids + self.household[hh]
        cl[hh, 1] = np.where(rng.random(n_house) < 0.7, IOS, ANDROID)[self.household[hh]]
        n_dev[hh] = 2
        n_dev_ids += n_house
        cafe = np.flatnonzero(is_[HCAFE])
        n_cafe = max(1, int(np.ceil(len(cafe) / 25)))
        pcs_per_cafe = 3
        dev[cafe, 1] = (n_dev_ids + rng.integers(0, n_cafe, len(cafe)) * pcs_per_cafe
                        + rng.integers(0, pcs_per_cafe, len(cafe)))
        cl[cafe, 1] = WEB
        n_dev[cafe] = 2
        n_dev_ids += n_cafe * pcs_per_cafe
        bdev, bcl = dev.copy(), cl.copy()
        # account farms, impostors and buyers: emulated phones from a pool shared by the
        # group (4 per farm batch, 2 per impostor operator, 3 per buyer)
        farm_os = np.where(rng.random(nf) < 0.8, ANDROID, IOS)
        for a, pool_size in ((FARM, 4), (IMPOST, 2), (SOLD, 3)):
            st = np.flatnonzero(is_[a])
            pool = n_dev_ids + farm[st] * pool_size
            bdev[st, 0] = pool + rng.integers(0, pool_size, len(st))
            bdev[st, 1] = pool + rng.integers(0, pool_size, len(st))
            bcl[st, 0] = farm_os[farm[st]]
            if a == IMPOST:  # impostors also work from a browser
                bcl[st, 0] = np.where(rng.random(len(st)) < 0.5, WEB, IOS)
            bcl[st, 1] = bcl[st, 0]
            n_dev_ids += pool_size * nf
            if a != SOLD:  # a bought account keeps its old phones until the sale
                dev[st], cl[st] = bdev[st], bcl[st]
                n_dev[st] = 2
        self.dev, self.cl, self.n_dev = dev, cl, n_dev
        self.bdev, self.bcl = bdev, bcl
        self.dev_ids = _new_ids(rng, n_dev_ids)

        # activity parameters
        rate = np.zeros(n)
        for a, (med, sig, _) in HUMAN_RATE.items():
            m = is_[a]
            rate[m] = med * rng.lognormal(0, sig, m.sum())
        self.rate = rate
        # people differ in how many days they show up: ordinary users skip ~1 day in 3
        self.p_off = np.full(n, 0.12)
        for a, (_, _, p_off) in HUMAN_RATE.items():
            self.p_off[is_[a]] = p_off
        self.p_off[is_[HREG]] = rng.beta(1.2, 2.4, is_[HREG].sum())
        # scheduler: fixed posting times (local hour, minute)
        self.sched_h = rng.choice(np.array([7, 8, 9, 12, 18, 19, 20, 21]), (n, 2))
        self.sched_m = rng.choice(np.array([0, 0, 0, 30, 15, 45]), (n, 2))
        # traveller: one trip inside the window; expats fly home now and then
        self.trip_start = rng.integers(-2, self.days, n)
        self.trip_len = rng.integers(2, 6, n)
        self.trip_cc = TRIP[rng.integers(0, len(TRIP), n)]
        self.trip_cc[is_[HEXPAT]] = declared[is_[HEXPAT]]
        self.trip_start[is_[HEXPAT]] = np.where(rng.random(is_[HEXPAT].sum()) < 0.25,
                                                self.trip_start[is_[HEXPAT]], 10**6)
        self.travels = is_[HTRAV] | is_[HEXPAT]
        # English: people now and then, expats often, impostors mostly
        self.p_en = np.where(rng.random(n) < 0.1, rng.uniform(0.05, 0.4, n), 0.0)
        self.p_en[is_[HEXPAT]] = rng.uniform(0.3, 0.9, is_[HEXPAT].sum())
        self.p_en[is_[IMPOST]] = rng.uniform(0.5, 0.9, is_[IMPOST].sum())
        self.p_en[bot & ~is_[IMPOST] | is_[ASSIST]] = 0.0
        # naive: events per day around the clock, fixed period and phase
        self.k_naive = rng.integers(16, 41, n)
        self.phase = rng.random(n) * 86400.0
        # scripted automation: fixed daily slots copied from human hours, steady bursts
        self.n_slots = rng.integers(4, 8, n)
        self.n_slots[is_[FARM]] = rng.integers(3, 6, is_[FARM].sum())
        hrs = rng.choice(24, (n, 8), p=HUMAN_HOURS / HUMAN_HOURS.sum())
        self.slots = np.sort(((hrs - 8) % 24) * 3600.0 + rng.random((n, 8)) * 3600.0, axis=1)
        self.slot_events = rng.integers(2, 5, n)
        self.slot_gap = rng.uniform(40, 90, n)
        self.slot_gap[is_[IMPOST]] = rng.uniform(60, 240, is_[IMPOST].sum())
        self.reply_base = rng.uniform(25, 80, n)
        self.reply_base[is_[IMPOST]] = rng.uniform(40, 240, is_[IMPOST].sum())
        # stealth rings: one schedule per ring (what automation cannot cheaply hide: the
        # operator drives its accounts in the same daily slots), each member a minute or
        # two off it; a person's volume (2-4 slots of 1-3 actions, at human gaps), replies after
        # minutes, not seconds
        g0, k = first_group[STEALTH]
        ring_slots = np.sort(((rng.choice(24, (k, 8), p=HUMAN_HOURS / HUMAN_HOURS.sum()) - 8)
                              % 24) * 3600.0 + rng.random((k, 8)) * 3600.0, axis=1)
        ring_n = rng.integers(2, 5, k)
        ring = farm[stl] - g0
        self.slots[stl] = ring_slots[ring] + rng.normal(0, 120, (len(stl), 1))
        self.n_slots[stl] = ring_n[ring]
        self.slot_events[stl] = rng.integers(1, 4, len(stl))
        self.slot_gap[stl] = rng.uniform(30, 120, len(stl))
        self.reply_base[stl] = rng.uniform(240, 1800, len(stl))
        self.ring_of = np.full(n, -1, np.int64)
        self.ring_of[stl] = ring
        self.n_rings = k
        # each ring's script: people-like texts in several registers, reused by all its
        # members (locally fluent, globally repetitive)
        self.ring_texts = {kind: texts.ring_script(rng, kind, k, RING_SCRIPT_SIZE[kind])
                           for kind in TEXT_KINDS.values()}
        # ai_assisted creators: how often they label, how often metadata survives
        self.p_label = np.where(rng.random(n) < 0.3, rng.uniform(0.5, 1.0, n), 0.0)
        self.p_meta = np.where(rng.random(n) < 0.4, rng.uniform(0.4, 1.0, n), 0.0)

        # follower counts
        fol = rng.lognormal(np.log(80), 1.5, n)
        fing = rng.lognormal(np.log(120), 1.0, n)
        for a, f_med, f_sig, g_med, g_sig in (
                (ASSIST, 1500, 1.2, None, None), (HPOWER, 600, 1.2, None, None),
                (NAIVE, 300, 0.6, 1500, 0.5),
                (FARM, 900, 0.7, 600, 0.5), (IMPOST, 400, 0.8, 1200, 0.6)):
            m = is_[a]
            fol[m] = rng.lognormal(np.log(f_med), f_sig, m.sum())
            if g_med:
                fing[m] = rng.lognormal(np.log(g_med), g_sig, m.sum())
        self.followers = fol.astype(np.int64)
        self.following = fing.astype(np.int64)

        # profile: bio and avatar, and what they become when a farm sells or an account
        # is bought (the accounts table delivers the changed snapshot that day)
        en_bio = is_[HEXPAT] & (rng.random(n) < 0.6)
        bio_style = np.select(
            [en_bio, is_[ASSIST], is_[NAIVE], is_[FARM], is_[IMPOST]],
            [S_HEN, S_ASSIST, S_NAIVE, S_FLIFE, S_IMP], S_HUMAN)
        bio = self._styled(rng, texts.make_bio, None, bio_style)
        no_bio = rng.random(n) < np.where(bot & ~is_[STEALTH], 0.02, 0.15)
        no_bio[is_[SOLD]] = rng.random(is_[SOLD].sum()) < 0.15
        self.bio = pc.if_else(pa.array(no_bio), pa.scalar(None, pa.string()), bio)
        self.bio_after = texts.make_bio(rng, "farm_ad", n)
        self.change_day = np.full(n, 10**6, np.int64)
        fm = is_[FARM]
        self.change_day[fm] = (self.turn_us[fm] - self.start_us) // DAY_US
        self.change_day[is_[SOLD]] = self.sale_day[is_[SOLD]]

        avatar = _new_ids(rng, n)
        shared = _new_ids(rng, max(5, int(bot.sum()) // 20))
        reuse = bot & ~is_[STEALTH] & (rng.random(n) < 0.4)
        avatar[reuse] = shared[rng.integers(0, len(shared), reuse.sum())]
        # impostors: AI-made or stolen portraits, reused across accounts, also posted
        self.persona_imgs = _new_ids(rng, max(3, int(is_[IMPOST].sum()) // 3))
        im = np.flatnonzero(is_[IMPOST])
        pick = rng.random(len(im)) < 0.85
        avatar[im[pick]] = self.persona_imgs[rng.integers(0, len(self.persona_imgs), pick.sum())]
        avatar[is_[SOLD]] = _new_ids(rng, is_[SOLD].sum())
        has_avatar = ~((rng.random(n) < 0.08) & (~bot | is_[STEALTH]))
        self.avatar = hex_ids(avatar, valid=has_avatar)
        avatar2 = shared[rng.integers(0, len(shared), n)]
        self.avatar_after = hex_ids(avatar2)
        # stock pictures that automation posts again and again
        self.stock_imgs = _new_ids(rng, max(20, int(bot.sum()) // 5))

        signup = cl[:, 0].copy()
        signup[nv] = np.where(rng.random(len(nv)) < 0.5, API, WEB)
        self.signup_client = signup

        # what users have noticed lately (spam, ads, canned instant replies): user reports
        # follow it.  Decays by half every ~1.4 days.
        self.notice = np.zeros(n)

        # post pool for comments/likes: (ts, id, author)
        self.pool_ts = np.zeros(0, np.int64)
        self.pool_id = np.zeros(0, np.uint64)
        self.pool_acc = np.zeros(0, np.int64)

    @staticmethod
    def _styled(rng, make, kind, style_codes) -> pa.Array:
        """One string per row of ``style_codes`` (indices into STYLES), made in one call per
        style: ``make(rng, style, k)`` or ``make(rng, kind, style, k)``."""
        n = len(style_codes)
        parts, where = [], []
        for s in np.unique(style_codes):
            r = np.flatnonzero(style_codes == s)
            args = (STYLES[s], len(r)) if kind is None else (kind, STYLES[s], len(r))
            parts.append(make(rng, *args))
            where.append(r)
        if not parts:
            return pa.array([], pa.string())
        pos = np.empty(n, np.int64)
        pos[np.concatenate(where)] = np.arange(n)
        return pa.concat_arrays(parts).take(pa.array(pos))

    # ------------------------------------------------------------ events
    def day_events(self, d: int) -> pa.Table:
        """All activity generated for UTC day ``d`` (0-based).  A few events (late
        sessions, DM replies) spill into the next day; the caller routes them."""
        rng = self.rng_day[d]
        n, arch = self.n, self.arch
        day0 = self.start_us + d * DAY_US
        exists = self.created < day0 + DAY_US
        existing = np.flatnonzero(self.created < day0)
        if len(existing) == 0:
            existing = np.flatnonzero(exists)
        sold_now = (arch == SOLD) & (self.sale_day <= d)   # run by the buyer's automation
        cols = {k: [] for k in ("acc", "ts", "typ", "cl", "dev", "ipc")}

        def add(acc, ts, typ, cl, dev, ipc):
            cols["acc"].append(acc)
            cols["ts"].append(ts.astype(np.int64))
            cols["typ"].append(np.asarray(typ, np.int64))
            cols["cl"].append(np.asarray(cl, np.int64))
            cols["dev"].append(np.asarray(dev, np.int64))
            cols["ipc"].append(np.asarray(ipc, np.int64))

        def ip_for(acc, abroad_p=0.02, home=None):
            ipc = (self.home if home is None else home)[acc].copy()
            roam = rng.random(len(acc)) < abroad_p
            ipc[roam] = rng.choice(ABROAD, roam.sum())
            trav = self.travels[acc] & (d >= self.trip_start[acc]) & (
                d < self.trip_start[acc] + self.trip_len[acc])
            ipc[trav] = self.trip_cc[acc[trav]]
            return ipc

        # --- people and AI-assisted creators (and bought accounts before the sale):
        # sessions at human hours
        for a, (med, sig, _) in HUMAN_RATE.items():
            acc = np.flatnonzero((arch == a) & exists & ~sold_now)
            if len(acc) == 0:
                continue
            factor = rng.gamma(2.5, 1 / 2.5, len(acc)) * (rng.random(len(acc)) >= self.p_off[acc])
            n_ev = rng.poisson(self.rate[acc] * factor)
            n_s = np.where(n_ev > 0, np.minimum(1 + rng.poisson(n_ev / 6.0), n_ev), 0)
            s_acc = np.repeat(acc, n_s)
            prof = NIGHT_HOURS if a == HNIGHT else HUMAN_HOURS
            hours = rng.choice(24, len(s_acc), p=prof / prof.sum())
            s_start = _local_hour_to_utc_seconds(rng, hours)
            s_dur = 30.0 + rng.exponential(600.0, len(s_acc))
            # families and cybercafe regulars use the shared device more than people use a
            # second phone
            p_second = np.where(np.isin(arch[s_acc], (HFAMILY, HCAFE)), 0.4, 0.25)
            slot = np.where((self.n_dev[s_acc] == 2) & (rng.random(len(s_acc)) < p_second), 1, 0)
            s_cl = self.cl[s_acc, slot]
            s_dev = self.dev[s_acc, slot]
            s_ip = ip_for(s_acc)
            first = np.concatenate([[0], np.cumsum(n_s)[:-1]])
            e_s = np.repeat(first, n_ev) + (rng.random(n_ev.sum()) * np.repeat(n_s, n_ev)
                                            ).astype(np.int64)
            e_ts = day0 + ((s_start[e_s] + rng.random(len(e_s)) * s_dur[e_s]) * SEC)
            mix = TYPE_MIX[HREG if a == SOLD else a]
            e_typ = rng.choice(6, len(e_s), p=np.array(mix) / sum(mix))
            add(s_acc[e_s], e_ts, e_typ, s_cl[e_s], s_dev[e_s], s_ip[e_s])
            add(s_acc, day0 + s_start * SEC - 2 * SEC, np.full(len(s_acc), LOGIN), s_cl, s_dev,
                s_ip)
            if a == HSCHED:
                # a scheduling tool posts at fixed times through the api
                k = np.where(rng.random(len(acc)) < 0.85, 1, 0) + (rng.random(len(acc)) < 0.2)
                p_acc = np.repeat(acc, k)
                which = np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k)
                h = self.sched_h[p_acc, which]
                m = self.sched_m[p_acc, which]
                sec = ((h - 8) % 24) * 3600.0 + m * 60.0 + rng.random(len(p_acc)) * 2.0
                add(p_acc, day0 + sec * SEC, np.full(len(p_acc), POST),
                    np.full(len(p_acc), API), np.full(len(p_acc), -1), self.home[p_acc])

        # --- naive automation: round the clock, fixed period, tiny jitter
        acc = np.flatnonzero((arch == NAIVE) & exists)
        if len(acc):
            k = self.k_naive[acc] + rng.integers(-1, 2, len(acc))
            e_acc = np.repeat(acc, k)
            j = np.arange(k.sum()) - np.repeat(np.concatenate([[0], np.cumsum(k)[:-1]]), k)
            period = 86400.0 / np.repeat(k, k)
            sec = (self.phase[e_acc] + d * 37.0 + j * period + rng.normal(0, 15, len(e_acc))
                   ) % 86400.0
            typ = rng.choice(6, len(e_acc), p=np.array(TYPE_MIX[NAIVE]))
            add(e_acc, day0 + sec * SEC, typ, self.cl[e_acc, 0], self.dev[e_acc, 0],
                self.home[e_acc])
            lsec = (self.phase[acc] + d * 37.0 - 5.0) % 86400.0
            add(acc, day0 + lsec * SEC, np.full(len(acc), LOGIN), self.cl[acc, 0],
                self.dev[acc, 0], self.home[acc])

        # --- scripted automation (stealth rings, account farms, impostors, bought
        # accounts after the sale): human hours, but the same slots and bursts every day
        acc = np.flatnonzero(np.isin(arch, (STEALTH, FARM, IMPOST)) & exists | sold_now)
        if len(acc):
            ns = self.n_slots[acc]
            s_acc = np.repeat(acc, ns)
            s_j = np.arange(ns.sum()) - np.repeat(np.concatenate([[0], np.cumsum(ns)[:-1]]), ns)
            keep = rng.random(len(s_acc)) < 0.93
            s_acc, s_j = s_acc[keep], s_j[keep]
            s_start = self.slots[s_acc, s_j] + rng.normal(0, 180, len(s_acc))
            # a stealth ring moves its whole schedule together from day to day: the
            # members stay within a minute or two of each other (co-activity)
            ring_shift = rng.normal(0, 240, (self.n_rings, 8))
            ring = self.ring_of[s_acc]
            in_ring = ring >= 0
            s_start[in_ring] = (self.slots[s_acc[in_ring], s_j[in_ring]]
                                + ring_shift[ring[in_ring], s_j[in_ring]]
                                + rng.normal(0, 90, in_ring.sum()))
            slot = rng.integers(0, 2, len(s_acc))
            slot = np.where(in_ring & (self.n_dev[s_acc] < 2), 0, slot)
            s_cl, s_dev = self.bcl[s_acc, slot], self.bdev[s_acc, slot]
            s_ip = ip_for(s_acc, abroad_p=0.0, home=self.bot_home)
            ne = self.slot_events[s_acc] + (rng.random(len(s_acc)) < 0.2)
            e_s = np.repeat(np.arange(len(s_acc)), ne)
            first = np.repeat(np.concatenate([[0], np.cumsum(ne)[:-1]]), ne)
            j = np.arange(ne.sum()) - first
            e_acc = s_acc[e_s]
            sec = s_start[e_s] + (j + 1) * self.slot_gap[e_acc] + rng.normal(0, 4, len(e_s))
            # stealth rings pause like people between actions (lognormal gaps, summed)
            stealthy = self.ring_of[e_acc] >= 0
            gap = self.slot_gap[e_acc] * rng.lognormal(0, 0.7, len(e_s))
            within = np.cumsum(gap)
            within -= (within - gap)[first]
            sec = np.where(stealthy, s_start[e_s] + within, sec)
            typ = np.zeros(len(e_s), np.int64)
            u = rng.random(len(e_s))
            for a in SCRIPTED:
                m = arch[e_acc] == a
                cdf = np.cumsum(TYPE_MIX[a]) / sum(TYPE_MIX[a])
                typ[m] = np.minimum(np.searchsorted(cdf, u[m], "right"), 5)
            add(e_acc, day0 + sec * SEC, typ, s_cl[e_s], s_dev[e_s], s_ip[e_s])
            add(s_acc, day0 + s_start * SEC, np.full(len(s_acc), LOGIN), s_cl, s_dev, s_ip)

        acc = np.concatenate(cols["acc"]).astype(np.int64)
        ts = np.concatenate(cols["ts"])
        typ = np.concatenate(cols["typ"])
        cl = np.concatenate(cols["cl"])
        dev = np.concatenate(cols["dev"])
        ipc = np.concatenate(cols["ipc"])
        ts = np.maximum(ts, day0)  # slots may start a few minutes before midnight
        ok = ts >= self.created[acc]
        acc, ts, typ, cl, dev, ipc = acc[ok], ts[ok], typ[ok], cl[ok], dev[ok], ipc[ok]
        ne = len(acc)
        eid = _new_ids(rng, ne)
        tacc = np.full(ne, -1, np.int64)
        tev = np.zeros(ne, np.uint64)
        a_ev = arch[acc]

        # --- the post pool: recent posts of earlier days plus today's posts
        is_post = typ == POST
        p_ts = np.concatenate([self.pool_ts, ts[is_post]])
        p_id = np.concatenate([self.pool_id, eid[is_post]])
        p_acc = np.concatenate([self.pool_acc, acc[is_post]])
        o = np.argsort(p_ts, kind="stable")
        p_ts, p_id, p_acc = p_ts[o], p_id[o], p_acc[o]

        def pick_posts(rows, lat_s):
            """Latest post at least ``lat_s`` seconds before each row's time."""
            j = np.searchsorted(p_ts, ts[rows] - (lat_s * SEC).astype(np.int64), "right") - 1
            return j

        # comments: latency from the post to the comment depends on who comments
        rows = np.flatnonzero(typ == COMMENT)
        ar = a_ev[rows]
        scripted = np.isin(ar, (STEALTH, FARM, IMPOST)) | sold_now[acc[rows]]
        lat = rng.lognormal(np.log(5400), 1.2, len(rows))
        lat = np.where(ar == NAIVE, rng.uniform(5, 60, len(rows)), lat)
        lat = np.where(scripted, rng.uniform(90, 200, len(rows)), lat)
        j = pick_posts(rows, lat)
        good = j >= 0
        tacc[rows[good]] = p_acc[j[good]]
        tev[rows[good]] = p_id[j[good]]
        typ[rows[~good]] = LIKE  # nothing to comment on yet
        # likes: the author of a recent post
        rows = np.flatnonzero((typ == LIKE) & (tacc < 0))
        lat = rng.lognormal(np.log(7200), 1.3, len(rows))
        j = pick_posts(rows, lat)
        good = j >= 0
        tacc[rows[good]] = p_acc[j[good]]
        rows = rows[~good]
        tacc[rows] = existing[rng.integers(0, len(existing), len(rows))]
        # follows and first DMs: any existing account but oneself; an account farm
        # follows its own batch half of the time, to look popular
        rows = np.flatnonzero((typ == FOLLOW) | (typ == DM))
        pos = rng.integers(0, len(existing), len(rows))
        t = existing[pos]
        mates = (a_ev[rows] == FARM) & (typ[rows] == FOLLOW) & (rng.random(len(rows)) < 0.5)
        g = self.farm[acc[rows[mates]]]
        lo, hi = self.g_start[g], self.g_start[g + 1]
        t[mates] = self.g_members[lo + (rng.random(mates.sum()) * (hi - lo)).astype(np.int64)]
        t[mates] = np.where(self.created[t[mates]] < ts[rows[mates]], t[mates],
                            existing[pos[mates]])
        same = t == acc[rows]
        t[same] = existing[(pos[same] + 1) % len(existing)]
        tacc[rows] = t
        self._ring_targets(rng, day0, acc, ts, typ, tacc, tev, existing, (p_ts, p_id, p_acc))

        # --- DM conversations: the messaged account replies (or not)
        dm_rows = np.flatnonzero(typ == DM)
        recv = tacc[dm_rows]
        ra = arch[recv]
        rep = rng.random(len(dm_rows)) < REPLY_P[ra]
        dm_rows, recv, ra = dm_rows[rep], recv[rep], ra[rep]
        m = len(dm_rows)
        r_bot = IS_BOT[ra] & ((ra != SOLD) | sold_now[recv])
        r_scripted = r_bot & (ra != NAIVE) & (ra != STEALTH)
        lat = np.maximum(20.0, rng.lognormal(np.log(1200), 1.3, m))
        lat = np.where(ra == NAIVE, rng.uniform(1, 5, m), lat)
        lat = np.where(r_scripted,
                       np.clip(self.reply_base[recv] + rng.normal(0, 2.5, m), 20, 250), lat)
        # stealth rings answer after minutes, varying like people's (a little steadier)
        lat = np.where(ra == STEALTH,
                       np.maximum(20.0, self.reply_base[recv] * rng.lognormal(0, 0.8, m)), lat)
        r_ts = ts[dm_rows] + (lat * SEC).astype(np.int64)
        # people (and stealth rings, which copy them) do not answer in their sleep: push
        # to the morning (07-09h UTC+8)
        lh = ((r_ts // (3600 * SEC)) + 8) % 24
        asleep = (~r_bot | (ra == STEALTH)) & (ra != HNIGHT) & (lh >= 1) & (lh < 7)
        r_ts[asleep] += ((7 - lh[asleep]) * 3600 + rng.uniform(0, 7200, asleep.sum())).astype(
            np.int64) * SEC
        r_cl = np.where(r_bot, self.bcl[recv, 0], self.cl[recv, 0])
        r_dev = np.where(r_bot, self.bdev[recv, 0], self.dev[recv, 0])
        r_ip = np.where(r_bot, self.bot_home[recv], self.home[recv])
        r_id = _new_ids(rng, m)
        n_first = ne

        acc = np.concatenate([acc, recv])
        ts = np.concatenate([ts, r_ts])
        typ = np.concatenate([typ, np.full(m, DM)])
        cl = np.concatenate([cl, r_cl])
        dev = np.concatenate([dev, r_dev])
        ipc = np.concatenate([ipc, r_ip])
        tacc = np.concatenate([tacc, acc[dm_rows]])
        tev = np.concatenate([tev, eid[dm_rows]])
        eid = np.concatenate([eid, r_id])
        ne = len(acc)
        a_ev = arch[acc]
        # commercial phase: an account farm after it turned, a bought account after the sale
        selling = ((a_ev == FARM) & (ts >= self.turn_us[acc])) | sold_now[acc]

        # --- post attributes
        img = np.full(ne, -1, np.int64)
        img_val = _new_ids(rng, ne)
        loc = np.full(ne, -1, np.int64)
        ai_label = np.full(ne, -1, np.int8)
        ai_meta = np.full(ne, -1, np.int8)
        comm = np.full(ne, -1, np.int8)
        posts = np.flatnonzero(typ == POST)
        pa_ = a_ev[posts]
        attrs = np.array([POST_ATTR[a] for a in range(N_ARCH)])
        u = rng.random((len(posts), 6))
        has_img = u[:, 0] < attrs[pa_, 0]
        img[posts[has_img]] = 1
        p_reuse = IMG_REUSE[pa_] * (pa_ != SOLD) + 0.3 * selling[posts] * (pa_ == SOLD)
        reuse = has_img & (u[:, 5] < p_reuse)
        stock = reuse & (pa_ != IMPOST)
        img_val[posts[stock]] = self.stock_imgs[rng.integers(0, len(self.stock_imgs), stock.sum())]
        persona = reuse & (pa_ == IMPOST)
        img_val[posts[persona]] = self.persona_imgs[
            rng.integers(0, len(self.persona_imgs), persona.sum())]
        has_loc = u[:, 1] < attrs[pa_, 1]
        lc = np.where(rng.random(len(posts)) < 0.9, CN, rng.choice(ABROAD, len(posts)))
        lc = np.where(ipc[posts] != CN, np.where(rng.random(len(posts)) < 0.7, ipc[posts], lc), lc)
        lc = np.where(pa_ == IMPOST, self.declared[acc[posts]], lc)  # the persona's "home"
        loc[posts[has_loc]] = lc[has_loc]
        p_comm = attrs[pa_, 2]
        for a, p in COMMERCIAL_PHASE.items():
            p_comm = np.where((pa_ == a) & selling[posts], p, p_comm)
        comm[posts] = u[:, 2] < p_comm
        p_lab = np.where(pa_ == ASSIST, self.p_label[acc[posts]], P_LABEL[pa_])
        p_met = np.where(pa_ == ASSIST, self.p_meta[acc[posts]], P_META[pa_])
        p_met = np.where((pa_ == SOLD) & ~selling[posts], 0.005, p_met)
        ai_label[posts] = u[:, 3] < p_lab
        ai_meta[posts] = u[:, 4] < p_met

        # --- texts: a style per event, then one generator call per (kind, style)
        style = np.where(typ == POST, POST_STYLE[a_ev], OTHER_STYLE[a_ev])
        style = np.where((a_ev == FARM) & selling & (typ == POST), S_FAD, style)
        style = np.where((a_ev == SOLD) & selling,
                         np.where(typ == POST, S_FAD, S_NAIVE), style)
        english = rng.random(ne) < self.p_en[acc]
        style = np.where(english & (style == S_HUMAN), S_HEN, style)
        style = np.where(english & (style == S_IMP), S_IEN, style)
        parts, where = [], []
        for t_code, kind in TEXT_KINDS.items():
            rows_t = np.flatnonzero(typ == t_code)
            st = style[rows_t]
            for s in np.unique(st):
                r = rows_t[st == s]
                if s == S_RING:
                    size = RING_SCRIPT_SIZE[kind]
                    pick = self.ring_of[acc[r]] * size + rng.integers(0, size, len(r))
                    parts.append(texts.paraphrase(rng, self.ring_texts[kind].take(pa.array(pick))))
                else:
                    parts.append(texts.make_text(rng, kind, STYLES[s], len(r)))
                where.append(r)
        tpos = np.full(ne, -1, np.int64)
        if parts:
            allr = np.concatenate(where)
            tpos[allr] = np.arange(len(allr))
            text = pa.concat_arrays(parts).take(pa.array(tpos, mask=tpos < 0))
        else:
            text = pa.nulls(ne, pa.string())

        # --- remember today's posts for the next days' comments
        keep_from = day0 - 2 * DAY_US
        sel = p_ts >= keep_from
        self.pool_ts, self.pool_id, self.pool_acc = p_ts[sel], p_id[sel], p_acc[sel]

        # follower/following counts move with follows
        f = typ == FOLLOW
        self.following += np.bincount(acc[f], minlength=n)
        self.followers += np.bincount(tacc[f], minlength=n)

        # what other users notice and report: ads, unsolicited DMs, instant canned
        # replies, follow sprees.  Not the archetype: moderators only see what users flag.
        first_dm = np.zeros(ne, bool)
        first_dm[:n_first] = typ[:n_first] == DM
        fast_reply = np.zeros(ne, bool)
        fast_reply[n_first:] = lat < 10
        seen = (1.0 * (comm == 1) + 0.25 * first_dm + 0.5 * fast_reply + 0.04 * f
                + 0.3 * ((typ == COMMENT) & (style >= S_NAIVE) & (style != S_HEN)
                         & (style != S_RING)))
        self.notice = 0.6 * self.notice + np.bincount(acc, weights=seen, minlength=n)

        return pa.table({
            "event_id": hex_ids(eid),
            "account_id": self.id_str.take(pa.array(acc)),
            "event_ts": _ts(ts),
            "event_type": _codes(TYPES, typ),
            "client": _codes(CLIENTS, cl),
            "device_id": hex_ids(self.dev_ids[np.maximum(dev, 0)], valid=dev >= 0),
            "ip_country": _codes(COUNTRIES, ipc),
            "target_account_id": self.id_str.take(pa.array(tacc, mask=tacc < 0)),
            "target_event_id": hex_ids(tev, valid=tev != 0),
            "text": text,
            "image_hash": hex_ids(img_val, valid=img >= 0),
            "location_tag": _codes(COUNTRIES, loc),
            "ai_label": _bools(ai_label),
            "ai_metadata": _bools(ai_meta),
            "commercial": _bools(comm),
        }, schema=SCHEMAS["events"])

    def _ring_targets(self, rng, day0, acc, ts, typ, tacc, tev, existing, posts):
        """Stealth rings engage the same targets in the same order.  Each hour of the day a
        ring has a list of recent posts (made in the 3 hours before that hour, so the
        delay from post to comment is a person's); the k-th comment or like of each member
        in that hour goes to the list's k-th post.  Each day the ring also has a list of
        accounts to follow, in order.  ``posts`` is (ts, id, author) sorted by time.
        Writes ``tacc`` and ``tev`` in place."""
        ring = self.ring_of[acc]
        if not (ring >= 0).any() or len(existing) == 0:
            return
        p_ts, p_id, p_acc = posts
        n_t = 20
        follow_t = existing[rng.integers(0, len(existing), (self.n_rings, n_t))]
        hours = 26  # a late slot may spill past midnight
        pick = rng.random((self.n_rings, hours, n_t))
        for kinds, is_follow in (((COMMENT, LIKE), False), ((FOLLOW,), True)):
            rows = np.flatnonzero((ring >= 0) & np.isin(typ, kinds))
            if len(rows) == 0:
                continue
            bucket = np.clip((ts[rows] - day0) // (3600 * SEC), 0, hours - 1)
            if is_follow:
                bucket = np.zeros(len(rows), np.int64)
            rows = rows[np.lexsort((ts[rows], bucket, acc[rows]))]
            bucket = (np.zeros(len(rows), np.int64) if is_follow else
                      np.clip((ts[rows] - day0) // (3600 * SEC), 0, hours - 1))
            a = acc[rows]
            starts = np.r_[True, (a[1:] != a[:-1]) | (bucket[1:] != bucket[:-1])]
            group_first = np.maximum.accumulate(np.where(starts, np.arange(len(a)), 0))
            k = (np.arange(len(a)) - group_first) % n_t
            r = ring[rows]
            if is_follow:
                target = follow_t[r, k]
                ok = target != a
                tacc[rows[ok]] = target[ok]
                continue
            start = day0 + bucket * 3600 * SEC
            lo = np.searchsorted(p_ts, start - 3 * 3600 * SEC)
            hi = np.searchsorted(p_ts, start - 300 * SEC)    # a comment follows its post
            has = hi > lo
            post = lo + (pick[r, bucket, k] * (hi - lo)).astype(np.int64)
            post = np.where(has, post, 0)
            author = p_acc[post] if len(p_acc) else np.full(len(rows), -1)
            ok = has & (author != a)
            tacc[rows[ok]] = author[ok]
            com = ok & (typ[rows] == COMMENT)
            tev[rows[com]] = p_id[post[com]]

    # ------------------------------------------------------------ accounts table
    def accounts_table(self, rows: np.ndarray, d: int) -> pa.Table:
        rows = np.sort(rows)
        changed = pa.array(self.change_day[rows] <= d)
        t = pa.table({
            "account_id": self.id_str.take(pa.array(rows)),
            "created_at": _ts(self.created[rows]),
            "declared_country": _codes(COUNTRIES, self.declared[rows]),
            "bio": pc.if_else(changed, self.bio_after.take(pa.array(rows)),
                              self.bio.take(pa.array(rows))),
            "avatar_hash": pc.if_else(changed, self.avatar_after.take(pa.array(rows)),
                                      self.avatar.take(pa.array(rows))),
            "signup_client": _codes(CLIENTS, self.signup_client[rows]),
            "signup_ip_country": _codes(COUNTRIES, self.signup_ip[rows]),
            "follower_count": pa.array(self.followers[rows], pa.int64()),
            "following_count": pa.array(self.following[rows], pa.int64()),
        }, schema=SCHEMAS["accounts"])
        return t.take(pc.sort_indices(t, [("account_id", "ascending")]))

    def account_rows_for_day(self, d: int) -> np.ndarray:
        """The first delivery is a snapshot of every account; later ones hold the accounts
        created that day, the profiles changed that day (a farm that sells, an account that
        is bought) and a random 3 % of older accounts with fresh counts."""
        day0 = self.start_us + d * DAY_US
        if d == 0:
            return np.flatnonzero(self.created < day0 + DAY_US)
        new = np.flatnonzero((self.created >= day0) & (self.created < day0 + DAY_US))
        old = np.flatnonzero(self.created < day0)
        changed = old[self.rng_snap.random(len(old)) < 0.03]
        profile = np.flatnonzero((self.change_day == d) & (self.created < day0))
        return np.union1d(np.union1d(new, changed), profile)

    # ------------------------------------------------------------ reviews, appeals
    def reviews_for_day(self, d: int):
        """Moderator reviews made on day ``d`` (after that day's activity), and the appeals
        they lead to.  Review rows are returned; appeal rows and the reviews that decided
        appeals are queued in ``self.queued_*`` by the day they are delivered."""
        rng, n, arch = self.rng_rev, self.n, self.arch
        cls = CLASS_OF[arch]
        day0 = self.start_us + d * DAY_US
        existing = np.flatnonzero(self.created < day0)
        out = {k: [] for k in ("acc", "ts", "verdict", "source")}
        lab = self.labels
        if len(existing):
            # a random audit: the same share of every class
            r1 = rng.choice(existing, rng.binomial(len(existing), lab.audit_rate), replace=False)
            # user reports, in proportion to what users noticed (to the power report_bias)
            w = (0.4 + self.notice[existing]) ** lab.report_bias
            if isinstance(lab.report_rate, dict):
                # reviews per class per day: a class's reports still follow what users saw
                picks = []
                for c, name in enumerate(CLASSES):
                    pool = cls[existing] == c
                    rate = float(lab.report_rate.get(name, 0.0))
                    k_rep = min(rng.binomial(int(pool.sum()), rate), int(pool.sum()))
                    if k_rep:
                        wc = w[pool]
                        picks.append(rng.choice(existing[pool], k_rep, replace=False,
                                                p=wc / wc.sum()))
                r2 = np.concatenate(picks) if picks else np.zeros(0, np.int64)
            else:
                k_rep = min(rng.binomial(len(existing), float(lab.report_rate)), len(existing))
                r2 = rng.choice(existing, k_rep, replace=False, p=w / w.sum())
            for rows, src in ((r1, 1), (r2, 2)):
                out["acc"].append(rows)
                out["ts"].append(day0 + (rng.random(len(rows)) * DAY_US).astype(np.int64))
                out["source"].append(np.full(len(rows), src))
                out["verdict"].append(self._verdicts(rng, rows))
        r_acc = np.concatenate(out["acc"] or [np.zeros(0, np.int64)]).astype(np.int64)
        r_ts = np.concatenate(out["ts"] or [np.zeros(0, np.int64)])
        r_v = np.concatenate(out["verdict"] or [np.zeros(0, np.int64)])
        r_src = np.concatenate(out["source"] or [np.zeros(0, np.int64)])

        # appeals against AI verdicts: people appeal most, automation rarely
        flagged = np.flatnonzero(r_v >= 1)
        tc = cls[r_acc[flagged]]
        app = flagged[rng.random(len(flagged)) < np.array([0.7, 0.35, 0.2])[tc]]
        m = len(app)
        a_acc, verdict, tc = r_acc[app], r_v[app], cls[r_acc[app]]
        action = np.where(verdict == 2, 0, 1)  # terminate / warn_and_limit
        filed = r_ts[app] + (rng.uniform(18, 54, m) * 3600 * SEC).astype(np.int64)
        decided = filed + (rng.uniform(4, 72, m) * 3600 * SEC).astype(np.int64)
        never = rng.random(m) < 0.1
        # a wrongly accused person usually wins; so does half of any other wrong verdict
        over = rng.random(m) < np.where(tc == 0, 0.85, np.where(tc != verdict, 0.5, 0.05))
        outcome = np.where(over, 2, 1)  # 1 upheld, 2 overturned
        appeal_ids = _new_ids(rng, m)
        f_day = (filed - self.start_us) // DAY_US
        d_day = np.where(never, 10**9, (decided - self.start_us) // DAY_US)
        q = self.queued_appeals
        for i in np.flatnonzero((f_day < d_day) & (f_day < self.days)):   # pending row
            q.setdefault(int(f_day[i]), []).append(
                (appeal_ids[i], a_acc[i], action[i], filed[i], 0, 0))
        for i in np.flatnonzero(d_day < self.days):                        # decided row
            q.setdefault(int(d_day[i]), []).append(
                (appeal_ids[i], a_acc[i], action[i], filed[i], outcome[i], decided[i]))
            # a decided appeal is a fresh review: the truth if overturned, else the verdict
            self.queued_reviews.setdefault(int(d_day[i]), []).append(
                (a_acc[i], decided[i], tc[i] if over[i] else verdict[i], 3))
        late = self.queued_reviews.pop(d, [])
        if late:
            la = np.array(late, dtype=np.int64)
            r_acc = np.concatenate([r_acc, la[:, 0]])
            r_ts = np.concatenate([r_ts, la[:, 1]])
            r_v = np.concatenate([r_v, la[:, 2]])
            r_src = np.concatenate([r_src, la[:, 3]])
        return {"acc": r_acc, "ts": r_ts, "verdict": r_v, "source": r_src,
                "id": _new_ids(rng, len(r_acc))}

    def _verdicts(self, rng, rows):
        """The true class, wrong with the archetype's REVIEW_NOISE: a person mistaken
        mostly for AI help (schedulers and power users for automation), AI help mostly
        for a person, automation mostly for a person."""
        a = self.arch[rows]
        v = CLASS_OF[a].copy()
        wrong = rng.random(len(rows)) < np.minimum(1.0, REVIEW_NOISE[a] * self.labels.noise_scale)
        u = rng.random(len(rows))
        to_managed = np.where(np.isin(a, (HSCHED, HPOWER)), 0.5, 0.25)
        alt = np.select([v == 0, v == 1], [np.where(u < to_managed, 2, 1),
                                           np.where(u < 0.85, 0, 2)],
                        np.where(u < 0.7, 0, 1))
        v[wrong] = alt[wrong]
        return v

    def reviews_table(self, r) -> pa.Table:
        o = np.lexsort((r["id"], r["ts"]))
        return pa.table({
            "review_id": hex_ids(r["id"][o]),
            "account_id": self.id_str.take(pa.array(r["acc"][o])),
            "reviewed_at": _ts(r["ts"][o]),
            "verdict": _codes(CLASSES, r["verdict"][o]),
            "source": _codes(["", "random_sample", "user_report", "appeal"], r["source"][o]),
        }, schema=SCHEMAS["reviews"])

    def appeals_table(self, d) -> pa.Table:
        rows = self.queued_appeals.pop(d, [])
        ap = (np.array(rows, dtype=np.uint64).reshape(-1, 6) if rows
              else np.zeros((0, 6), np.uint64))
        ids = ap[:, 0]
        acc, action, filed, out, decided = (ap[:, k].astype(np.int64) for k in range(1, 6))
        o = np.lexsort((ids, filed))
        out = out[o]
        return pa.table({
            "appeal_id": hex_ids(ids[o]),
            "account_id": self.id_str.take(pa.array(acc[o])),
            "action": _codes(["terminate", "warn_and_limit"], action[o]),
            "filed_at": _ts(filed[o]),
            "outcome": _codes(["pending", "upheld", "overturned"], out),
            "decided_at": _ts(decided[o], valid=out > 0),
        }, schema=SCHEMAS["appeals"])

    def ground_truth(self) -> pa.Table:
        t = pa.table({
            "account_id": self.id_str,
            "archetype": _codes(ARCHETYPES, self.arch),
            "true_class": _codes(CLASSES, CLASS_OF[self.arch]),
        }, schema=GROUND_TRUTH_SCHEMA)
        return t.take(pc.sort_indices(t, [("account_id", "ascending")]))


# ------------------------------------------------------------------ driver
def _csv_day_indices(days: int, csv_days: int) -> set[int]:
    """Which delivery days are written as CSV: the second day onwards (then the first)."""
    csv_days = max(0, min(int(csv_days), days))
    order = list(range(1, days)) + [0]
    return set(order[:csv_days])


def _event_day(table: pa.Table, start_us: int) -> np.ndarray:
    us = table.column("event_ts").cast(pa.int64()).to_numpy()
    return (us - start_us) // DAY_US


def simulate(landing_dir, truth_path, accounts: int = 20000, days: int = 14, seed: int = 7,
             end_date: date = date(2026, 11, 15), csv_days: int = 1, mix: dict | None = None,
             labels: LabelRegime | str | dict | None = None) -> dict:
    """Simulate ``accounts`` accounts for ``days`` days ending on ``end_date`` and write
    the deliveries ``<landing_dir>/<table>/dt=YYYY-MM-DD/part-0.{parquet,csv}`` plus
    the ground truth to ``truth_path``.  ``labels`` is the label regime (a
    :class:`LabelRegime`, a preset name of :data:`LABEL_REGIMES` or a dict of its fields;
    default ``scarce``).  Returns rows written per table, seconds, and (from the truth, for
    whoever runs the simulator; never in the landing zone) reviews per true class."""
    t0 = time.perf_counter()
    landing = Path(landing_dir)
    truth_path = Path(truth_path)
    if isinstance(end_date, str):
        end_date = date.fromisoformat(end_date)
    lr, tr = landing.resolve(), truth_path.resolve()
    if lr == tr.parent or lr in tr.parents:
        raise ValueError("truth_path must be outside the landing zone")
    w = World(accounts, days, seed, end_date, mix, labels)
    csv_idx = _csv_day_indices(w.days, csv_days)
    counts = {"accounts": 0, "events": 0, "reviews": 0, "appeals": 0}
    reviewed_class = np.zeros(len(CLASSES), np.int64)  # non-appeal reviews by true class
    extra = {"late_events": 0, "resent_events": 0}
    carry: dict[int, list[pa.Table]] = {}      # by event day
    pending: dict[int, list[pa.Table]] = {}    # by delivery day
    rng = w.rng_deliv

    for d in range(w.days):
        dt = w.start_date + timedelta(days=d)
        gen = w.day_events(d)
        eday = _event_day(gen, w.start_us)
        for k in np.unique(eday):
            if k <= d:
                continue  # k == d handled below
            if k < w.days:
                carry.setdefault(int(k), []).append(gen.filter(pa.array(eday == k)))
        today = [gen.filter(pa.array(eday == d))] + carry.pop(d, [])
        del gen  # memory: at most about two copies of one day's events are alive at once
        today = pa.concat_tables(today)
        m = today.num_rows
        # delivery problems: ~1% late (1-3 days), ~0.5% re-sent in a later delivery
        # a late event still lands inside the window (so references never dangle)
        lag = np.minimum(rng.integers(1, 4, m), w.days - 1 - d)
        late = (rng.random(m) < 0.01) & (lag > 0)
        resend = (rng.random(m) < 0.005) & ~late
        rlag = rng.integers(1, 4, m)
        for L in (1, 2, 3):
            if d + L < w.days:
                sel = (late & (lag == L))
                if sel.any():
                    pending.setdefault(d + L, []).append(today.filter(pa.array(sel)))
                    extra["late_events"] += int(sel.sum())
                sel = (resend & (rlag == L))
                if sel.any():
                    pending.setdefault(d + L, []).append(today.filter(pa.array(sel)))
                    extra["resent_events"] += int(sel.sum())
        ev = pa.concat_tables([today.filter(pa.array(~late))] + pending.pop(d, []))
        del today
        ev = ev.take(pc.sort_indices(ev, [("event_ts", "ascending"), ("event_id", "ascending")]))

        day_reviews = w.reviews_for_day(d)
        first_look = day_reviews["source"] != 3
        reviewed_class += np.bincount(CLASS_OF[w.arch[day_reviews["acc"][first_look]]],
                                      minlength=len(CLASSES))
        tables = {
            "accounts": w.accounts_table(w.account_rows_for_day(d), d),
            "events": ev,
            "reviews": w.reviews_table(day_reviews),
            "appeals": w.appeals_table(d),
        }
        for name, t in tables.items():
            folder = landing / name / f"dt={dt.isoformat()}"
            if d in csv_idx:
                write_csv(t, folder / "part-0.csv")
            else:
                write_parquet(t, folder / "part-0.parquet")
            counts[name] += t.num_rows
        del tables, ev, t  # free this day before the next one is generated

    write_parquet(w.ground_truth(), truth_path)
    summary = dict(counts)
    summary.update(extra)
    summary["simulated_accounts"] = w.n
    summary["days"] = w.days
    summary["start_date"] = w.start_date.isoformat()
    summary["end_date"] = w.end_date.isoformat()
    summary["csv_days"] = sorted((w.start_date + timedelta(days=i)).isoformat() for i in csv_idx)
    summary["reviews_by_true_class"] = dict(zip(CLASSES, reviewed_class.tolist(), strict=True))
    summary["seconds"] = round(time.perf_counter() - t0, 2)
    return summary
