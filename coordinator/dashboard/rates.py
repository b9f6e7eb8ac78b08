"""The three rates 三率 and the composite score, exactly as DOMAIN.md defines them.

On the month's valid call-backs 有效回访 (every recorded call-back):

* response rate 响应率 = contacted / valid call-backs
* resolution rate 解决率 = solved / valid call-backs
* satisfaction rate 满意率 = (satisfied + 0.9 × basically satisfied) / valid call-backs, i.e.
  the sum of Callback.score (SATISFACTION_SCORE) over their number
* composite 综合成绩 = w_response·response + w_resolution·resolution + w_satisfaction·satisfaction,
  weights DASHBOARD_WEIGHTS (config; DOMAIN.md: 0.1, 0.5, 0.4), in points out of 100.

Rounding: rates are shown in per cent to one decimal, the composite to two decimals, each
rounded half up from the unrounded values (never from rounded rates). No call-backs → None
(shown as —), never 0. Ranks: by the unrounded composite, highest first; equal composites share
a rank (1, 2, 2, 4); communities without call-backs get no rank.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from coordinator.cases.models import SATISFACTION_SCORE

DEFAULT_WEIGHTS = {"response": 0.1, "resolution": 0.5, "satisfaction": 0.4}


@dataclass(frozen=True)
class Rates:
    callbacks: int
    response: float | None  # fractions 0..1, unrounded
    resolution: float | None
    satisfaction: float | None
    composite: float | None  # points 0..100, unrounded


def rates(callbacks: int, contacted: int, solved: int, score: float, weights=None) -> Rates:
    """The rates of one community's month from its counters (score = Σ Callback.score)."""
    if not callbacks:
        return Rates(0, None, None, None, None)
    w = dict(DEFAULT_WEIGHTS, **(weights or {}))
    response = contacted / callbacks
    resolution = solved / callbacks
    satisfaction = score / callbacks
    composite = 100 * (
        w["response"] * response + w["resolution"] * resolution + w["satisfaction"] * satisfaction
    )
    return Rates(callbacks, response, resolution, satisfaction, composite)


def from_answers(answers, weights=None) -> Rates:
    """The rates of a list of call-backs (objects with contacted, solved, satisfaction)."""
    answers = list(answers)
    return rates(
        len(answers),
        sum(1 for a in answers if a.contacted),
        sum(1 for a in answers if a.solved),
        sum(SATISFACTION_SCORE.get(a.satisfaction, 0.0) for a in answers),
        weights,
    )


def _half_up(value: float, places: int) -> float:
    # repr() first: 0.1 + 0.2 style binary noise must not decide a half-up.
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))


def percent(rate: float | None) -> float | None:
    """A rate in per cent, one decimal (0.8765 → 87.7); None stays None."""
    return None if rate is None else _half_up(rate * 100, 1)


def points(composite: float | None) -> float | None:
    """The composite to two decimals; None stays None."""
    return None if composite is None else _half_up(composite, 2)


def ratio_percent(part: int, whole: int) -> float | None:
    """part/whole in per cent, one decimal (on-time %); None without a whole."""
    return percent(part / whole) if whole else None


def ranks(composites: dict) -> dict:
    """{key: composite or None} → {key: rank}: highest first, ties share a rank, None none."""
    scored = sorted((v for v in composites.values() if v is not None), reverse=True)
    first = {}
    for place, value in enumerate(scored, start=1):
        first.setdefault(value, place)
    return {k: (first[v] if v is not None else None) for k, v in composites.items()}
