"""What the accounts do: one day's events, per archetype, vectorised.

Grain of :meth:`EventsMixin.day_events`: one row per event of the day, all archetypes.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from . import texts
from .arrays import _bools, _codes, _local_hour_to_utc_seconds, _new_ids, _ts, hex_ids
from .parameters import (
    ABROAD,
    API,
    ASSIST,
    CLIENTS,
    CN,
    COMMENT,
    COMMERCIAL_PHASE,
    COUNTRIES,
    DAY_US,
    DM,
    FARM,
    FOLLOW,
    HCAFE,
    HFAMILY,
    HNIGHT,
    HREG,
    HSCHED,
    HUMAN_HOURS,
    HUMAN_RATE,
    IMG_REUSE,
    IMPOST,
    IS_BOT,
    LIKE,
    LOGIN,
    N_ARCH,
    NAIVE,
    NIGHT_HOURS,
    OTHER_STYLE,
    P_LABEL,
    P_META,
    POST,
    POST_ATTR,
    POST_STYLE,
    REPLY_P,
    RING_SCRIPT_SIZE,
    S_FAD,
    S_HEN,
    S_HUMAN,
    S_IEN,
    S_IMP,
    S_NAIVE,
    S_RING,
    SCRIPTED,
    SEC,
    SOLD,
    STEALTH,
    STYLES,
    TEXT_KINDS,
    TYPE_MIX,
    TYPES,
)
from .schema import SCHEMAS


class EventsMixin:
    """The events half of :class:`realpeople.simulator.world.World`."""

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
        sold_now = (arch == SOLD) & (self.sale_day <= d)  # run by the buyer's automation
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
            trav = (
                self.travels[acc]
                & (d >= self.trip_start[acc])
                & (d < self.trip_start[acc] + self.trip_len[acc])
            )
            ipc[trav] = self.trip_cc[acc[trav]]
            return ipc

        # --- people and AI-assisted creators (and bought accounts before the sale):
        # sessions at human hours
        for a in HUMAN_RATE:
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
            e_s = np.repeat(first, n_ev) + (rng.random(n_ev.sum()) * np.repeat(n_s, n_ev)).astype(
                np.int64
            )
            e_ts = day0 + ((s_start[e_s] + rng.random(len(e_s)) * s_dur[e_s]) * SEC)
            mix = TYPE_MIX[HREG if a == SOLD else a]
            e_typ = rng.choice(6, len(e_s), p=np.array(mix) / sum(mix))
            add(s_acc[e_s], e_ts, e_typ, s_cl[e_s], s_dev[e_s], s_ip[e_s])
            add(
                s_acc, day0 + s_start * SEC - 2 * SEC, np.full(len(s_acc), LOGIN), s_cl, s_dev, s_ip
            )
            if a == HSCHED:
                # a scheduling tool posts at fixed times through the api
                k = np.where(rng.random(len(acc)) < 0.85, 1, 0) + (rng.random(len(acc)) < 0.2)
                p_acc = np.repeat(acc, k)
                which = np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k)
                h = self.sched_h[p_acc, which]
                m = self.sched_m[p_acc, which]
                sec = ((h - 8) % 24) * 3600.0 + m * 60.0 + rng.random(len(p_acc)) * 2.0
                add(
                    p_acc,
                    day0 + sec * SEC,
                    np.full(len(p_acc), POST),
                    np.full(len(p_acc), API),
                    np.full(len(p_acc), -1),
                    self.home[p_acc],
                )

        # --- naive automation: round the clock, fixed period, tiny jitter
        acc = np.flatnonzero((arch == NAIVE) & exists)
        if len(acc):
            k = self.k_naive[acc] + rng.integers(-1, 2, len(acc))
            e_acc = np.repeat(acc, k)
            j = np.arange(k.sum()) - np.repeat(np.concatenate([[0], np.cumsum(k)[:-1]]), k)
            period = 86400.0 / np.repeat(k, k)
            sec = (
                self.phase[e_acc] + d * 37.0 + j * period + rng.normal(0, 15, len(e_acc))
            ) % 86400.0
            typ = rng.choice(6, len(e_acc), p=np.array(TYPE_MIX[NAIVE]))
            add(
                e_acc,
                day0 + sec * SEC,
                typ,
                self.cl[e_acc, 0],
                self.dev[e_acc, 0],
                self.home[e_acc],
            )
            lsec = (self.phase[acc] + d * 37.0 - 5.0) % 86400.0
            add(
                acc,
                day0 + lsec * SEC,
                np.full(len(acc), LOGIN),
                self.cl[acc, 0],
                self.dev[acc, 0],
                self.home[acc],
            )

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
            s_start[in_ring] = (
                self.slots[s_acc[in_ring], s_j[in_ring]]
                + ring_shift[ring[in_ring], s_j[in_ring]]
                + rng.normal(0, 90, in_ring.sum())
            )
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
        t[mates] = np.where(
            self.created[t[mates]] < ts[rows[mates]], t[mates], existing[pos[mates]]
        )
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
        lat = np.where(
            r_scripted, np.clip(self.reply_base[recv] + rng.normal(0, 2.5, m), 20, 250), lat
        )
        # stealth rings answer after minutes, varying like people's (a little steadier)
        lat = np.where(
            ra == STEALTH, np.maximum(20.0, self.reply_base[recv] * rng.lognormal(0, 0.8, m)), lat
        )
        r_ts = ts[dm_rows] + (lat * SEC).astype(np.int64)
        # people (and stealth rings, which copy them) do not answer in their sleep: push
        # to the morning (07-09h UTC+8)
        lh = ((r_ts // (3600 * SEC)) + 8) % 24
        asleep = (~r_bot | (ra == STEALTH)) & (ra != HNIGHT) & (lh >= 1) & (lh < 7)
        r_ts[asleep] += ((7 - lh[asleep]) * 3600 + rng.uniform(0, 7200, asleep.sum())).astype(
            np.int64
        ) * SEC
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
            rng.integers(0, len(self.persona_imgs), persona.sum())
        ]
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
        style = np.where((a_ev == SOLD) & selling, np.where(typ == POST, S_FAD, S_NAIVE), style)
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
        seen = (
            1.0 * (comm == 1)
            + 0.25 * first_dm
            + 0.5 * fast_reply
            + 0.04 * f
            + 0.3 * ((typ == COMMENT) & (style >= S_NAIVE) & (style != S_HEN) & (style != S_RING))
        )
        self.notice = 0.6 * self.notice + np.bincount(acc, weights=seen, minlength=n)

        return pa.table(
            {
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
            },
            schema=SCHEMAS["events"],
        )

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
            bucket = (
                np.zeros(len(rows), np.int64)
                if is_follow
                else np.clip((ts[rows] - day0) // (3600 * SEC), 0, hours - 1)
            )
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
            hi = np.searchsorted(p_ts, start - 300 * SEC)  # a comment follows its post
            has = hi > lo
            post = lo + (pick[r, bucket, k] * (hi - lo)).astype(np.int64)
            post = np.where(has, post, 0)
            author = p_acc[post] if len(p_acc) else np.full(len(rows), -1)
            ok = has & (author != a)
            tacc[rows[ok]] = author[ok]
            com = ok & (typ[rows] == COMMENT)
            tev[rows[com]] = p_id[post[com]]
