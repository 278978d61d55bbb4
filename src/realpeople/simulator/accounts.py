"""The account population: who each account is (archetype, rings, devices, profile),
built once per world; and the accounts table of a delivery day.

Grain of :meth:`AccountsMixin.accounts_table`: one row per account created or changed
on the day.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import texts
from .arrays import _codes, _exact_counts, _new_ids, _ts, hex_ids
from .parameters import (
    ABROAD,
    ANDROID,
    API,
    ASSIST,
    CLIENTS,
    CN,
    COUNTRIES,
    DATACENTER,
    DAY_US,
    EXPAT_FROM,
    FARM,
    HCAFE,
    HEXPAT,
    HFAMILY,
    HPOWER,
    HREG,
    HTRAV,
    HUMAN_HOURS,
    HUMAN_RATE,
    IMPOST,
    IMPOSTOR_CLAIM,
    IMPOSTOR_OPS,
    IOS,
    IS_BOT,
    N_ARCH,
    NAIVE,
    RING_SCRIPT_SIZE,
    S_ASSIST,
    S_FLIFE,
    S_HEN,
    S_HUMAN,
    S_IMP,
    S_NAIVE,
    SEC,
    SOLD,
    STEALTH,
    STYLES,
    TEXT_KINDS,
    TRIP,
    WEB,
)
from .schema import SCHEMAS


class AccountsMixin:
    """The accounts half of :class:`realpeople.simulator.world.World`."""

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
        farm_t[farm_fresh] = self.start_us + (
            rng.random(farm_fresh.sum()) * self.days * DAY_US
        ).astype(np.int64)
        # account farms cultivate for weeks before they sell: batches 1-5 months old
        g0, k = first_group[FARM]
        farm_t[g0 : g0 + k] = self.start_us - (rng.uniform(3, 150, k) * DAY_US).astype(np.int64)
        # stealth rings run bought, aged accounts: as old as people's, not registered in batches
        batch = bot & ~is_[SOLD] & ~is_[STEALTH]
        fi = farm[batch]
        created[batch] = farm_t[fi] + (rng.exponential(1800, batch.sum()) * SEC).astype(np.int64)
        fresh &= ~bot | is_[STEALTH]
        created[fresh] = self.start_us + (rng.random(fresh.sum()) * self.days * DAY_US).astype(
            np.int64
        )
        created = np.minimum(created, self.end_us - 3600 * SEC)
        self.created = created
        # an account farm turns commercial 3-12 weeks after registration
        self.turn_us = np.full(n, np.iinfo(np.int64).max, np.int64)
        turn_g = farm_t + (rng.uniform(21, 84, nf) * DAY_US).astype(np.int64)
        self.turn_us[is_[FARM]] = turn_g[farm[is_[FARM]]] + (
            rng.uniform(0, 2, is_[FARM].sum()) * DAY_US
        ).astype(np.int64)
        # a bought account changes hands on one day: a third before the window
        self.sale_day = np.full(n, 10**6, np.int64)
        self.sale_day[is_[SOLD]] = rng.integers(
            -(self.days // 2), max(1, self.days - 1), is_[SOLD].sum()
        )

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
        declared[is_[IMPOST]] = IMPOSTOR_CLAIM[
            rng.integers(0, len(IMPOSTOR_CLAIM), is_[IMPOST].sum())
        ]
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
        dev[cafe, 1] = (
            n_dev_ids
            + rng.integers(0, n_cafe, len(cafe)) * pcs_per_cafe
            + rng.integers(0, pcs_per_cafe, len(cafe))
        )
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
        self.trip_start[is_[HEXPAT]] = np.where(
            rng.random(is_[HEXPAT].sum()) < 0.25, self.trip_start[is_[HEXPAT]], 10**6
        )
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
        ring_slots = np.sort(
            ((rng.choice(24, (k, 8), p=HUMAN_HOURS / HUMAN_HOURS.sum()) - 8) % 24) * 3600.0
            + rng.random((k, 8)) * 3600.0,
            axis=1,
        )
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
        self.ring_texts = {
            kind: texts.ring_script(rng, kind, k, RING_SCRIPT_SIZE[kind])
            for kind in TEXT_KINDS.values()
        }
        # ai_assisted creators: how often they label, how often metadata survives
        self.p_label = np.where(rng.random(n) < 0.3, rng.uniform(0.5, 1.0, n), 0.0)
        self.p_meta = np.where(rng.random(n) < 0.4, rng.uniform(0.4, 1.0, n), 0.0)

        # follower counts
        fol = rng.lognormal(np.log(80), 1.5, n)
        fing = rng.lognormal(np.log(120), 1.0, n)
        for a, f_med, f_sig, g_med, g_sig in (
            (ASSIST, 1500, 1.2, None, None),
            (HPOWER, 600, 1.2, None, None),
            (NAIVE, 300, 0.6, 1500, 0.5),
            (FARM, 900, 0.7, 600, 0.5),
            (IMPOST, 400, 0.8, 1200, 0.6),
        ):
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
            [S_HEN, S_ASSIST, S_NAIVE, S_FLIFE, S_IMP],
            S_HUMAN,
        )
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

    # ------------------------------------------------------------ accounts table
    def accounts_table(self, rows: np.ndarray, d: int) -> pa.Table:
        rows = np.sort(rows)
        changed = pa.array(self.change_day[rows] <= d)
        t = pa.table(
            {
                "account_id": self.id_str.take(pa.array(rows)),
                "created_at": _ts(self.created[rows]),
                "declared_country": _codes(COUNTRIES, self.declared[rows]),
                "bio": pc.if_else(
                    changed, self.bio_after.take(pa.array(rows)), self.bio.take(pa.array(rows))
                ),
                "avatar_hash": pc.if_else(
                    changed,
                    self.avatar_after.take(pa.array(rows)),
                    self.avatar.take(pa.array(rows)),
                ),
                "signup_client": _codes(CLIENTS, self.signup_client[rows]),
                "signup_ip_country": _codes(COUNTRIES, self.signup_ip[rows]),
                "follower_count": pa.array(self.followers[rows], pa.int64()),
                "following_count": pa.array(self.following[rows], pa.int64()),
            },
            schema=SCHEMAS["accounts"],
        )
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
