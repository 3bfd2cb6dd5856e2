"""Generate a year (2026) of activities and deals for the Ohio demo accounts:
scenarios/demo/activities.csv and scenarios/demo/deals.csv, read by ``territory-opt measure``,
and scenarios/demo/orders.csv, the farmer accounts' won orders that
scenarios/demo_profit_history.yaml fits its sales-response curves to.

Everything is drawn from one seeded numpy generator in a fixed order and written with fixed
formats, so two runs produce byte-identical files. Run from anywhere (after make_demo.py)::

    python scenarios/make_activity_demo.py

Tiers, roles and call patterns come from scenarios/demo.yaml through the package; owner_id of
the accounts is the rep who works each account. Patterns built in for the measure to find:

- each owner works the call pattern of the account's role and tier, at a personal discipline
  (75–105% of plan) with Poisson noise per account; unowned accounts get no calls;
- farmers R05 and R14 over-serve C accounts (2.5× plan, longer calls) and under-serve A ones;
- 12% of A accounts are neglected (0–30% of plan);
- about 1% of activities are logged by another rep of the owner's role (a non-owner touch);
- 85% of touches use the pattern's channel, the rest a substitute (a video call for a visit…);
- deals, created from 2025-10-01 so the pipeline is running when the year starts: 45% of
  hunter accounts, 90% of closer accounts and 10% of farmer accounts (upsell) get one, worked
  by the owner from lead to won or lost; hunter R11 qualifies poorly, closer R07 has a slow
  cycle and closer R12 loses many proposals; the lead source changes how many leads qualify.
  A deal still running on 2026-12-31 is open, with the stage it has reached;
- four bad activity rows and one bad deal row, as a CRM export has, to show how ``measure``
  reports and leaves them out (``--strict`` stops on them);
- orders (orders.csv, the deals layout, every order won): each farmer account's yearly won
  revenue is its potential × the tier's curve in ``TRUE_CURVES`` at its calls a year (its
  activities above, every channel) × lognormal noise (σ ``ORDER_NOISE``, mean 1), split into
  1 to 4 orders on business days of 2026. They come from their own generator (``ORDERS_SEED``)
  after the other tables, so those stay as they were. tests/measure/test_calibration.py fits
  curves to them and checks that the fit recovers ``TRUE_CURVES``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from territory_opt.io.load import load_planning_data

SEED = 20260101
HERE = Path(__file__).resolve().parent
SCENARIO = HERE / "demo.yaml"
OUT_DIR = HERE / "demo"
YEAR_START, YEAR_END = pd.Timestamp("2026-01-01"), pd.Timestamp("2026-12-31")
DEALS_FROM = pd.Timestamp("2025-10-01")  # deals already running when the year starts

C_OVERSERVERS = {"R05": {"A": 0.6, "B": 0.9, "C": 2.5}, "R14": {"A": 0.55, "B": 0.85, "C": 2.6}}
NEGLECTED_A_SHARE = 0.12
NON_OWNER_SHARE = 0.01
SAME_CHANNEL = 0.85
SUBSTITUTE = {"visit": ("video", "phone"), "phone": ("email", "video"), "video": ("phone",),
              "email": ("phone",)}
DEFAULT_MINUTES = {"visit": 45.0, "phone": 15.0, "video": 30.0, "email": 5.0}
MONTH_WEIGHT = {8: 0.75, 12: 0.7}  # summer holidays and December are quieter

DEAL_STAGES = ("lead", "opportunity", "proposal", "negotiation", "won")
SOURCES = ("web", "outbound", "event", "referral")
SOURCE_SHARE = (0.35, 0.30, 0.15, 0.20)
QUALIFY = {"web": 0.3, "outbound": 0.2, "event": 0.4, "referral": 0.6}  # lead → opportunity
ADVANCE = {"opportunity": 0.65, "proposal": 0.6, "negotiation": 0.65}  # → next stage
STAGE_DAYS = {"lead": 10.0, "opportunity": 20.0, "proposal": 25.0, "negotiation": 20.0}
REP_QUALIFY = {"R11": 0.5}
REP_ADVANCE = {"R12": {"proposal": 0.2}}
REP_SLOW = {"R07": 2.0}
DEAL_CHANCE = {"hunter": 0.45, "closer": 0.9, "farmer": 0.1}

#: the curves farmer orders are drawn from: tier -> (s0, smax, γ, δ) of the ADBUDG share of
#: potential sold a year at c calls, s0 + (smax − s0) · c^γ / (δ + c^γ)
TRUE_CURVES = {"A": (0.18, 0.62, 0.85, 9.0), "B": (0.20, 0.58, 0.9, 6.0),
               "C": (0.24, 0.50, 1.0, 5.0)}
ORDER_NOISE = 0.25
ORDERS_SEED = SEED + 1


def business_days() -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Weekdays of 2026 and their sampling weights (quieter months weigh less)."""
    days = pd.bdate_range(YEAR_START, YEAR_END)
    w = np.array([MONTH_WEIGHT.get(d.month, 1.0) for d in days])
    return days, w / w.sum()


def round_minutes(rng: np.random.Generator, base: np.ndarray) -> np.ndarray:
    """Lognormal around ``base``, rounded to 5 minutes (short ones to whole minutes)."""
    m = base * np.exp(0.3 * rng.standard_normal(len(base)))
    return np.where(base < 10, np.maximum(1, np.round(m)), np.maximum(5, np.round(m / 5) * 5))


def make_activities(rng: np.random.Generator, accounts: pd.DataFrame, reps: pd.DataFrame,
                    scenario: object) -> pd.DataFrame:
    days, weights = business_days()
    discipline = dict(zip(reps["rep_id"], rng.uniform(0.75, 1.05, len(reps)), strict=True))
    role_of = dict(zip(reps["rep_id"], reps["role"], strict=True))
    by_role = {r: sorted(g["rep_id"]) for r, g in reps.groupby("role")}
    neglected = rng.random(len(accounts)) < NEGLECTED_A_SHARE
    parts = []
    for i, acc in enumerate(accounts.itertuples(index=False)):
        owner = acc.owner_id
        if owner == "":
            continue
        factor = discipline[owner] * C_OVERSERVERS.get(owner, {}).get(acc.tier, 1.0)
        if acc.tier == "A" and neglected[i]:
            factor = rng.uniform(0.0, 0.3)
        for touch in scenario.touches(acc.role, acc.tier):  # type: ignore[attr-defined]
            n = int(rng.poisson(touch.per_year * factor * rng.gamma(8.0, 1 / 8.0)))
            if n == 0:
                continue
            kind = np.where(rng.random(n) < SAME_CHANNEL, touch.channel,
                            rng.choice(SUBSTITUTE[touch.channel], n))
            stretch = 1.4 if owner in C_OVERSERVERS and acc.tier == "C" else 1.0
            base = np.array([touch.minutes if k == touch.channel else DEFAULT_MINUTES[k]
                             for k in kind])
            minutes = round_minutes(rng, stretch * base)
            rep = np.full(n, owner, dtype=object)
            others = [r for r in by_role[role_of[owner]] if r != owner]
            swap = rng.random(n) < NON_OWNER_SHARE
            rep[swap] = rng.choice(others, int(swap.sum()))
            parts.append(pd.DataFrame({"account_id": acc.account_id, "rep_id": rep,
                                       "date": rng.choice(days, n, p=weights), "type": kind,
                                       "minutes": minutes.astype(int)}))
    acts = pd.concat(parts, ignore_index=True)
    acts = acts.sort_values(["date", "rep_id", "account_id", "type", "minutes"],
                            kind="mergesort", ignore_index=True)
    acts.insert(0, "activity_id", [f"ACT{i + 1:06d}" for i in range(len(acts))])
    acts["date"] = acts["date"].dt.strftime("%Y-%m-%d")
    acts["minutes"] = acts["minutes"].astype(str)
    # a few broken rows, as CRM exports have (spreadsheet row = index + 2)
    n = len(acts)
    acts.loc[n // 7, "account_id"] = "A99999"
    acts.loc[n // 3, "minutes"] = "-15"
    acts.loc[n // 2, "date"] = "2026-13-01"
    acts.loc[4 * n // 5, "rep_id"] = "R99"
    return acts


def simulate_deal(rng: np.random.Generator, rep: str, source: str,
                  created: pd.Timestamp) -> tuple[str, str, str]:
    """(stage_reached, outcome, closed) of one deal: it spends a lognormal time in each stage,
    then moves on or is lost there."""
    day = created
    for i in range(4):
        stage = DEAL_STAGES[i]
        day = day + pd.Timedelta(days=int(np.ceil(
            STAGE_DAYS[stage] * REP_SLOW.get(rep, 1.0) * rng.lognormal(0.0, 0.4))))
        if day > YEAR_END:
            return stage, "open", ""
        p = QUALIFY[source] * REP_QUALIFY.get(rep, 1.0) if stage == "lead" else \
            REP_ADVANCE.get(rep, {}).get(stage, ADVANCE[stage])
        if rng.random() >= p:
            return stage, "lost", f"{day:%Y-%m-%d}"
    return "won", "won", f"{day:%Y-%m-%d}"


def make_deals(rng: np.random.Generator, accounts: pd.DataFrame,
               reps: pd.DataFrame) -> pd.DataFrame:
    days = pd.bdate_range(DEALS_FROM, pd.Timestamp("2026-12-15"))
    by_role = {r: sorted(g["rep_id"]) for r, g in reps.groupby("role")}
    rows = []
    for acc in accounts.itertuples(index=False):
        if rng.random() >= DEAL_CHANCE[acc.role]:
            continue
        rep = acc.owner_id or str(rng.choice(by_role[acc.role]))
        source = str(rng.choice(SOURCES, p=SOURCE_SHARE))
        created = days[int(rng.integers(len(days)))]
        stage, outcome, closed = simulate_deal(rng, rep, source, created)
        amount = acc.potential * rng.uniform(0.15, 0.5)
        rows.append({"account_id": acc.account_id, "rep_id": rep,
                     "created": f"{created:%Y-%m-%d}", "closed": closed, "outcome": outcome,
                     "amount": f"{amount:.2f}", "stage_reached": stage, "source": source})
    deals = pd.DataFrame(rows).sort_values(["created", "account_id"], kind="mergesort",
                                           ignore_index=True)
    deals.insert(0, "deal_id", [f"D{i + 1:05d}" for i in range(len(deals))])
    deals.loc[len(deals) // 2, "stage_reached"] = "closed"  # a stage the measure does not know
    return deals


def true_share(tier: str, calls: np.ndarray) -> np.ndarray:
    """The share of potential a farmer account of ``tier`` buys a year at ``calls``."""
    s0, smax, gamma, delta = TRUE_CURVES[tier]
    c = np.asarray(calls, dtype=float) ** gamma
    return np.asarray(s0 + (smax - s0) * c / (delta + c))


def make_orders(rng: np.random.Generator, accounts: pd.DataFrame, reps: pd.DataFrame,
                acts: pd.DataFrame) -> pd.DataFrame:
    """Won orders of the farmer accounts, drawn from TRUE_CURVES at their calls a year."""
    days = pd.bdate_range(YEAR_START, YEAR_END)
    farmers = sorted(reps.loc[reps["role"] == "farmer", "rep_id"])
    calls = acts["account_id"].value_counts()
    rows = []
    for acc in accounts.itertuples(index=False):
        if acc.role != "farmer":
            continue
        c = float(calls.get(acc.account_id, 0))
        noise = np.exp(ORDER_NOISE * rng.standard_normal() - ORDER_NOISE**2 / 2)
        revenue = acc.potential * float(true_share(acc.tier, np.array([c]))[0]) * noise
        n = int(rng.integers(1, 5))
        parts = rng.dirichlet(np.ones(n)) * revenue
        when = np.sort(rng.choice(len(days), n))
        rep = acc.owner_id or str(rng.choice(farmers))
        for amount, day in zip(parts, when, strict=True):
            date = f"{days[int(day)]:%Y-%m-%d}"
            rows.append({"account_id": acc.account_id, "rep_id": rep, "created": date,
                         "closed": date, "outcome": "won", "amount": f"{amount:.2f}",
                         "stage_reached": "won", "source": "order"})
    orders = pd.DataFrame(rows).sort_values(["created", "account_id"], kind="mergesort",
                                            ignore_index=True)
    orders.insert(0, "deal_id", [f"O{i + 1:05d}" for i in range(len(orders))])
    return orders


def write_csv(df: pd.DataFrame, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(df.columns)
        writer.writerows(df.astype(str).itertuples(index=False))


def main(out_dir: Path = OUT_DIR) -> None:
    """Generate and write both tables."""
    data = load_planning_data(SCENARIO)
    rng = np.random.default_rng(SEED)
    accounts = data.accounts.sort_values("account_id", ignore_index=True)
    acts = make_activities(rng, accounts, data.reps, data.scenario)
    deals = make_deals(rng, accounts, data.reps)
    orders = make_orders(np.random.default_rng(ORDERS_SEED), accounts, data.reps, acts)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_csv(acts, out_dir / "activities.csv")
    write_csv(deals, out_dir / "deals.csv")
    write_csv(orders, out_dir / "orders.csv")
    print(f"{len(acts):,} activities, {len(deals):,} deals "
          f"({(deals['outcome'] == 'won').sum()} won, {(deals['outcome'] == 'open').sum()} open)"
          f", {len(orders):,} orders written to {out_dir}")


if __name__ == "__main__":
    main()
