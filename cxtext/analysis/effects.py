"""Did a fix move its theme? Before/after and difference-in-differences from counts.

Given, for a window before and one of the same length after the day a fix shipped, the
comments in the fix's scope (``treated``) and a comparison (``control``): how many there
were, how many mention the theme, and the NPS groups of both:

- ``share``: the theme's share of the treated comments after minus before, in points,
  with a 95% interval (two independent proportions);
- ``impact``: the theme's impact on NPS (:func:`cxtext.analysis.drivers.theme_impact`)
  after minus before, its interval from the two intervals' standard errors;
- ``did``: the relative change of the share in the treated scope against that in the
  control, a difference in differences of log shares reported in %
  (``100 (exp(d) - 1)``), with a 95% interval by the delta method. A season that scales
  every scope alike scales the control too, so it does not read as the fix working.

The control is the comments outside the fix's segments when it applies to some; else the
other themes: the change is then that of the theme's share of all theme mentions, so a
drop of every theme at once leaves it flat (its interval treats mentions as independent,
which they are not quite: a comment can mention several themes).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

from cxtext.analysis.drivers import theme_impact

Z95: Final = 1.959963984540054
GROUPS: Final = ("promoters", "passives", "detractors")
EFFECT_METHOD: Final = (
    "windows of equal length before and after the day the fix shipped; share: theme "
    "mentions / comments, after - before, 95% interval from two independent proportions; "
    "impact on NPS after - before, SE from each window's interval; difference in "
    "differences of log shares: the share's relative change in the fix's scope against "
    "that in the control (comments outside the fix's segments, else the theme's share of "
    "all theme mentions against the other themes), in %, 95% interval by the delta method"
)


def _share(hits: int, n: int) -> tuple[float, float]:
    """A proportion in points and the variance of that estimate."""
    p = hits / n
    return 100 * p, 100**2 * p * (1 - p) / n


def _interval(value: float, variance: float) -> list[float]:
    half = Z95 * math.sqrt(variance)
    return [value - half, value + half]


def window_effect(
    before: Mapping[str, Mapping[str, int]], after: Mapping[str, Mapping[str, int]]
) -> dict[str, Any] | None:
    """The effect from each window's counts: ``treated`` always, ``control`` when the fix
    applies to some segments (the comments outside them).

    ``treated``: ``n`` comments, ``hits`` of them mentioning the theme, ``mentions`` (all
    theme mentions, for the other-themes comparison), the NPS groups of all comments
    (``promoters``, ``passives``, ``detractors``) and of the theme's
    (``theme_promoters``...); ``control``: ``n`` and ``hits``. None when a window has no
    treated comments.
    """
    tb, ta = before["treated"], after["treated"]
    if not tb["n"] or not ta["n"]:
        return None
    share_b, var_b = _share(tb["hits"], tb["n"])
    share_a, var_a = _share(ta["hits"], ta["n"])
    out: dict[str, Any] = {
        "share": {
            "before": share_b,
            "after": share_a,
            "change": share_a - share_b,
            "change_ci": _interval(share_a - share_b, var_a + var_b),
        }
    }
    impacts = []
    for counts in (tb, ta):
        table = theme_impact(
            {g: counts[f"theme_{g}"] for g in GROUPS}, {g: counts[g] for g in GROUPS}
        ).iloc[0]
        impacts.append(table)
    (b, a) = impacts
    se = [(t["impact_ci_hi"] - t["impact_ci_lo"]) / (2 * Z95) for t in impacts]
    change = a["impact"] - b["impact"]
    out["impact"] = {
        "before": _float(b["impact"]),
        "after": _float(a["impact"]),
        "change": _float(change),
        "change_ci": (
            None
            if any(math.isnan(s) for s in se) or math.isnan(change)
            else _interval(change, se[0] ** 2 + se[1] ** 2)
        ),
    }
    if "control" in before:  # the comments outside the fix's segments
        cb, ca = before["control"], after["control"]
        if not cb["n"] or not ca["n"]:
            out["did"] = None
            return out
        pairs = [((tb["hits"], tb["n"]), (ta["hits"], ta["n"])), ((cb["hits"], cb["n"]),
                 (ca["hits"], ca["n"]))]  # fmt: skip
        against = "comments outside the fix's segments"
    else:  # the other themes: the theme's share of all theme mentions
        pairs = [((tb["hits"], tb["mentions"]), (ta["hits"], ta["mentions"]))]
        against = "the other themes (the theme's share of all theme mentions)"
    changes = [_log_ratio(*pair) for pair in pairs]
    estimate = changes[0][0] - (changes[1][0] if len(changes) > 1 else 0.0)
    lo, hi = _interval(estimate, sum(v for _, v in changes))
    out["did"] = {
        "against": against,
        "treated_change": 100 * math.expm1(changes[0][0]),
        "control_change": 100 * math.expm1(changes[1][0]) if len(changes) > 1 else 0.0,
        "estimate": 100 * math.expm1(estimate),
        "ci": [100 * math.expm1(lo), 100 * math.expm1(hi)],
        "significant": lo > 0 or hi < 0,
    }
    return out


def _log_ratio(before: tuple[int, int], after: tuple[int, int]) -> tuple[float, float]:
    """log(share after / share before) and its variance (delta method; half a hit added
    to each count so that a share of 0 stays finite)."""
    (hits_b, n_b), (hits_a, n_a) = before, after
    p_b, p_a = (hits_b + 0.5) / (n_b + 1), (hits_a + 0.5) / (n_a + 1)
    variance = (1 - p_b) / ((n_b + 1) * p_b) + (1 - p_a) / ((n_a + 1) * p_a)
    return math.log(p_a / p_b), variance


def _float(value: Any) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value
