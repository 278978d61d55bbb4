"""Moderator reviews (under the world's label regime), appeals and the ground truth.

Grain: reviews, one row per review of the day; appeals, one row per appeal filed or
decided on the day; ground truth, one row per account.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .arrays import _codes, _new_ids, _ts, hex_ids
from .parameters import (
    ARCHETYPES,
    CLASS_OF,
    CLASSES,
    DAY_US,
    HPOWER,
    HSCHED,
    REVIEW_NOISE,
    SEC,
)
from .schema import GROUND_TRUTH_SCHEMA, SCHEMAS


class LabelsMixin:
    """The labels half of :class:`realpeople.simulator.world.World`."""

    def reviews_for_day(self, d: int):
        """Moderator reviews made on day ``d`` (after that day's activity), and the appeals
        they lead to.  Review rows are returned; appeal rows and the reviews that decided
        appeals are queued in ``self.queued_*`` by the day they are delivered."""
        rng, arch = self.rng_rev, self.arch
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
                        picks.append(
                            rng.choice(existing[pool], k_rep, replace=False, p=wc / wc.sum())
                        )
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
        for i in np.flatnonzero((f_day < d_day) & (f_day < self.days)):  # pending row
            q.setdefault(int(f_day[i]), []).append(
                (appeal_ids[i], a_acc[i], action[i], filed[i], 0, 0)
            )
        for i in np.flatnonzero(d_day < self.days):  # decided row
            q.setdefault(int(d_day[i]), []).append(
                (appeal_ids[i], a_acc[i], action[i], filed[i], outcome[i], decided[i])
            )
            # a decided appeal is a fresh review: the truth if overturned, else the verdict
            self.queued_reviews.setdefault(int(d_day[i]), []).append(
                (a_acc[i], decided[i], tc[i] if over[i] else verdict[i], 3)
            )
        late = self.queued_reviews.pop(d, [])
        if late:
            la = np.array(late, dtype=np.int64)
            r_acc = np.concatenate([r_acc, la[:, 0]])
            r_ts = np.concatenate([r_ts, la[:, 1]])
            r_v = np.concatenate([r_v, la[:, 2]])
            r_src = np.concatenate([r_src, la[:, 3]])
        return {
            "acc": r_acc,
            "ts": r_ts,
            "verdict": r_v,
            "source": r_src,
            "id": _new_ids(rng, len(r_acc)),
        }

    def _verdicts(self, rng, rows):
        """The true class, wrong with the archetype's REVIEW_NOISE: a person mistaken
        mostly for AI help (schedulers and power users for automation), AI help mostly
        for a person, automation mostly for a person."""
        a = self.arch[rows]
        v = CLASS_OF[a].copy()
        wrong = rng.random(len(rows)) < np.minimum(1.0, REVIEW_NOISE[a] * self.labels.noise_scale)
        u = rng.random(len(rows))
        to_managed = np.where(np.isin(a, (HSCHED, HPOWER)), 0.5, 0.25)
        alt = np.select(
            [v == 0, v == 1],
            [np.where(u < to_managed, 2, 1), np.where(u < 0.85, 0, 2)],
            np.where(u < 0.7, 0, 1),
        )
        v[wrong] = alt[wrong]
        return v

    def reviews_table(self, r) -> pa.Table:
        o = np.lexsort((r["id"], r["ts"]))
        return pa.table(
            {
                "review_id": hex_ids(r["id"][o]),
                "account_id": self.id_str.take(pa.array(r["acc"][o])),
                "reviewed_at": _ts(r["ts"][o]),
                "verdict": _codes(CLASSES, r["verdict"][o]),
                "source": _codes(["", "random_sample", "user_report", "appeal"], r["source"][o]),
            },
            schema=SCHEMAS["reviews"],
        )

    def appeals_table(self, d) -> pa.Table:
        rows = self.queued_appeals.pop(d, [])
        ap = np.array(rows, dtype=np.uint64).reshape(-1, 6) if rows else np.zeros((0, 6), np.uint64)
        ids = ap[:, 0]
        acc, action, filed, out, decided = (ap[:, k].astype(np.int64) for k in range(1, 6))
        o = np.lexsort((ids, filed))
        out = out[o]
        return pa.table(
            {
                "appeal_id": hex_ids(ids[o]),
                "account_id": self.id_str.take(pa.array(acc[o])),
                "action": _codes(["terminate", "warn_and_limit"], action[o]),
                "filed_at": _ts(filed[o]),
                "outcome": _codes(["pending", "upheld", "overturned"], out),
                "decided_at": _ts(decided[o], valid=out > 0),
            },
            schema=SCHEMAS["appeals"],
        )

    def ground_truth(self) -> pa.Table:
        t = pa.table(
            {
                "account_id": self.id_str,
                "archetype": _codes(ARCHETYPES, self.arch),
                "true_class": _codes(CLASSES, CLASS_OF[self.arch]),
            },
            schema=GROUND_TRUTH_SCHEMA,
        )
        return t.take(pc.sort_indices(t, [("account_id", "ascending")]))
