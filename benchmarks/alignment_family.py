"""The instances of the alignment family (issue 22): what each one is, not how it is built
(alignment_gen.py). An instance is deterministic from its Spec: region (a state or the 48
contiguous states and DC), size, call pattern, balance tolerance and seed, plus the few
settings that issue 22's own cases fix (rep counts, capacity hours, disruption limits)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np

ROLES = ("farmer", "hunter", "closer")
ROLE_SHARE = {"farmer": 0.6, "hunter": 0.2, "closer": 0.2}
CONTIGUOUS = tuple(
    "AL AZ AR CA CO CT DE DC FL GA ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM "
    "NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY".split())
REGIONS: dict[str, tuple[str, ...]] = {
    "tx": ("TX",), "nv": ("NV",), "nj": ("NJ",), "mi": ("MI",), "tn": ("TN",), "ga": ("GA",),
    "us": CONTIGUOUS}
#: accounts per rep by call pattern (capacity then follows from u)
ACCOUNTS_PER_REP = {"visit": 190, "phone": 350}
CAPACITY_DEFAULTS = {"speed_kmh": 60.0, "circuity": 1.3, "visits_per_trip": 3}


def _t(channel: str, per_year: float, minutes: float) -> dict[str, Any]:
    return {"channel": channel, "per_year": per_year, "minutes": minutes}


#: call patterns; "visit" is the SPEC default (None: the scenario leaves the key out)
PATTERNS: dict[str, dict[str, Any] | None] = {
    "visit": None,
    "phone": {
        "farmer": {"A": [_t("visit", 12, 60), _t("video", 12, 30)],
                   "B": [_t("phone", 12, 20), _t("video", 4, 30)], "C": [_t("email", 12, 5)]},
        "hunter": {"A": [_t("visit", 4, 45), _t("phone", 6, 20)], "B": [_t("phone", 7, 20)],
                   "C": [_t("email", 7, 5)]},
        "closer": {"A": [_t("visit", 4, 90), _t("video", 4, 60)], "B": [_t("video", 4, 60)],
                   "C": [_t("video", 4, 45)]},
    },
}


@dataclass(frozen=True)
class Spec:
    """One instance of the family. ``reps`` = (farmers, hunters, closers), default from size;
    ``capacity`` fixes every rep's hours (default: from u); ``infeasible`` builds a known
    impossible variant ("keep" or "cap"); ``fixup`` False leaves the grown ownership as it is
    (keep-owner work may then exceed capacity, as in the issue's national case)."""

    region: str
    size: int
    pattern: str
    tol: float
    seed: int
    reps: tuple[int, int, int] | None = None
    capacity: float | None = None
    keep_owner_tiers: tuple[str, ...] = ("A",)
    max_moved_share: float = 0.40
    infeasible: str = ""
    fixup: bool = True
    time_limit: float = 60.0

    @property
    def name(self) -> str:
        k = f"{self.size // 1000}k" if self.size % 1000 == 0 else str(self.size)
        tail = f"-x{self.infeasible}" if self.infeasible else ("" if self.fixup else "-raw")
        return (f"{self.region}-{k}-{self.pattern}-t{round(self.tol * 100):02d}-s{self.seed}"
                f"{tail}")

    def rep_counts(self) -> dict[str, int]:
        if self.reps is not None:
            return dict(zip(ROLES, self.reps, strict=True))
        total = max(6, round(self.size / ACCOUNTS_PER_REP[self.pattern]))
        out = {r: max(2, round(total * s)) for r, s in ROLE_SHARE.items()}
        out["farmer"] = max(2, total - out["hunter"] - out["closer"])
        return out

    def rng(self) -> np.random.Generator:
        key = f"{self.region}|{self.size}|{self.seed}|{self.pattern}|{self.tol:.4f}"
        return np.random.default_rng([zlib.crc32(key.encode()), self.seed])


def scenario_dict(spec: Spec, accounts: str = "accounts.csv",
                  reps: str = "reps.csv") -> dict[str, Any]:
    sc: dict[str, Any] = {
        "name": spec.name, "data": {"accounts": accounts, "reps": reps},
        "capacity": {"hours_per_year": spec.capacity or 1500,
                     "visits_per_trip": CAPACITY_DEFAULTS["visits_per_trip"]},
        "balance": {"measure": "workload", "tolerance": spec.tol},
        "disruption": {"max_moved_share": spec.max_moved_share,
                       "keep_owner_tiers": list(spec.keep_owner_tiers)},
        "solver": {"time_limit_s": spec.time_limit, "seed": 0, "workers": 2},
    }
    if PATTERNS[spec.pattern] is not None:
        sc["call_patterns"] = PATTERNS[spec.pattern]
    return sc


#: the family: issue 22's cases, then states × sizes × patterns × tolerances × seeds
FAMILY: tuple[Spec, ...] = (
    Spec("tx", 8000, "visit", 0.10, 0, reps=(28, 8, 6), capacity=1500),
    Spec("us", 50000, "visit", 0.10, 0, reps=(120, 45, 35), time_limit=120),
    Spec("us", 50000, "visit", 0.10, 0, reps=(120, 45, 35), fixup=False, time_limit=120),
    Spec("us", 40000, "visit", 0.15, 0, reps=(170, 45, 35), capacity=1800, keep_owner_tiers=(),
         max_moved_share=0.6, time_limit=120),
    Spec("tx", 2000, "visit", 0.05, 1),
    Spec("tx", 12000, "phone", 0.10, 1),
    Spec("tx", 20000, "visit", 0.15, 2),
    Spec("nv", 2000, "visit", 0.10, 0),
    Spec("nv", 5000, "phone", 0.15, 1),
    Spec("nv", 8000, "visit", 0.05, 2),
    Spec("nj", 4000, "phone", 0.05, 0),
    Spec("nj", 10000, "visit", 0.10, 1),
    Spec("nj", 16000, "visit", 0.15, 2),
    Spec("mi", 3000, "visit", 0.15, 0),
    Spec("mi", 8000, "phone", 0.10, 1),
    Spec("mi", 14000, "visit", 0.05, 2),
    Spec("tn", 3000, "phone", 0.10, 0),
    Spec("tn", 6000, "visit", 0.05, 1),
    Spec("tn", 12000, "visit", 0.10, 2),
    Spec("ga", 4000, "visit", 0.15, 0),
    Spec("ga", 10000, "phone", 0.05, 1),
    Spec("ga", 18000, "visit", 0.10, 2),
    Spec("us", 20000, "phone", 0.15, 1),
    Spec("tn", 5000, "visit", 0.10, 3, infeasible="keep"),
    Spec("nj", 6000, "phone", 0.10, 3, infeasible="cap"),
)
