"""Deterministic multilingual demo data: exports of a fictional telecom's surveys and tickets.

Qelvo is an invented internet and mobile provider in thirteen countries. Its customers answer
NPS+ surveys and open support tickets in nine languages; every comment is composed from the
hand-written phrase banks in ``banks/<language>.json`` (one per language, written natively,
never copied from a data set), so the root causes behind it are known and recoverable from the text.

The generated frames have the shape of real exports (the survey tool's and the help desk's own
column names, every value a string, blanks as ``""``); :data:`SURVEY_COLUMNS` and
:data:`TICKET_COLUMNS` map them onto :mod:`cxtext.schema`. The ground truth (causes and language
of every row, deliberately broken rows) comes back separately, never inside an export.
"""

from __future__ import annotations

import json
import math
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Final, Literal, TypeVar, overload

import numpy as np
import pandas as pd

from cxtext import schema

COMPANY: Final = "Qelvo"


@dataclass(frozen=True)
class Cause:
    """A root cause behind feedback.

    Attributes
    ----------
    label
        Human-readable name.
    effect
        Shift of the expected 0-10 recommendation score when a comment mentions the cause.
    weight
        Base share among mentioned causes (before segment and date boosts).
    problem
        The NPS+ problem-list option for the cause; ``None`` for positive causes.
    """

    label: str
    effect: float
    weight: float
    problem: str | None

    @property
    def positive(self) -> bool:
        """Whether the cause raises the score."""
        return self.effect > 0


CAUSES: Final[dict[str, Cause]] = {
    "billing": Cause("Billing errors / unexpected charges", -3.2, 0.13, "Billing / invoice"),
    "network": Cause("Slow or dropped internet", -3.5, 0.15, "Internet speed or outages"),
    "support_wait": Cause("Long wait for support", -2.6, 0.10, "Waiting time customer service"),
    "rude_staff": Cause("Rude or unhelpful staff", -3.4, 0.07, "Staff attitude"),
    "app": Cause("App / website problems", -2.2, 0.05, "App or website"),
    "price": Cause("Price too high", -1.8, 0.12, "Price"),
    "friendly_staff": Cause("Friendly, helpful staff", 2.2, 0.22, None),
    "fast_setup": Cause("Fast installation / activation", 1.6, 0.16, None),
}
NEGATIVE_CAUSES: Final = tuple(c for c, cause in CAUSES.items() if not cause.positive)
PROBLEM_OPTIONS: Final = (
    *(cause.problem for cause in CAUSES.values() if cause.problem is not None),
    "Other",
)

# Six months of feedback; app problems emerge in the last one (a buggy app release).
PERIOD_START: Final = "2025-01-01"
PERIOD_END: Final = "2025-07-01"
EMERGING_CAUSE: Final = "app"
EMERGING_SINCE: Final = "2025-06-01"
EMERGING_BOOST: Final = 4.0
# A fix that worked: billing complaints in the Netherlands fall to a tenth from March
# (clearer invoices shipped there), so the demo can show a before/after with its interval.
FIXED_CAUSE: Final = "billing"
FIXED_COUNTRY: Final = "NL"
FIXED_SINCE: Final = "2025-03-01"
FIXED_FACTOR: Final = 0.1

# Export column names: canonical field -> export column, and segment name -> export column.
SURVEY_COLUMNS: Final[dict[str, str]] = {
    schema.ID: "ResponseID",
    schema.TEXT: "Comment",
    schema.NPS_SCORE: "Likelihood to recommend (0-10)",
    schema.CREATED_AT: "Submitted",
    schema.CSAT: "CSAT (1-5)",
    schema.PROBLEM: "Main problem",
    schema.SURVEY_TYPE: "Survey type",
    schema.CUSTOMER_ID: "Customer ID",
    schema.CHANNEL: "Channel",
}
SURVEY_SEGMENTS: Final[dict[str, str]] = {
    "country": "Country",
    "product": "Product",
}
TICKET_COLUMNS: Final[dict[str, str]] = {
    schema.ID: "Ticket ID",
    schema.CREATED_AT: "Created",
    schema.FIRST_RESPONSE_AT: "First reply",
    schema.RESOLVED_AT: "Solved",
    schema.LAST_RESOLVED_AT: "Last solved",
    schema.CHANNEL: "Channel",
    schema.STATUS: "Status",
    schema.CUSTOMER_ID: "Customer ID",
    schema.TEXT: "Description",
}
TICKET_SUBJECT: Final = "Subject"
TICKET_REOPENS: Final = "Reopens"


@dataclass(frozen=True)
class Market:
    """A country Qelvo serves: who writes there, in what money, and what goes wrong more.

    ``amount`` formats a sum ``{n}`` of ``amounts`` in the local currency; ``amount_in``
    overrides it for languages that write money differently there.
    """

    weight: float
    languages: Mapping[str, float]
    amount: str
    amounts: tuple[int, ...]
    phone_code: str
    score_shift: float = 0.0
    boost: Mapping[str, float] = field(default_factory=dict)
    amount_in: Mapping[str, str] = field(default_factory=dict)

    def money(self, n: int, language: str) -> str:
        """``n`` in the local currency as written in ``language``."""
        return self.amount_in.get(language, self.amount).format(n=n)


_EUROS = (8, 10, 12, 15, 20, 25, 30, 45)
MARKETS: Final[dict[str, Market]] = {
    "NL": Market(0.16, {"nl": 1.0}, "€{n}", _EUROS, "31", 0.2, {"app": 1.2}),
    "BE": Market(0.08, {"nl": 0.6, "fr": 0.4}, "€ {n}", _EUROS, "32", amount_in={"fr": "{n} €"}),
    "RO": Market(
        0.12, {"ro": 1.0}, "{n} de lei", (20, 25, 40, 50, 60, 75, 100), "40", -0.3, {"network": 1.5}
    ),
    "PT": Market(0.08, {"pt": 1.0}, "{n}€", _EUROS, "351"),
    "BR": Market(0.08, {"pt": 1.0}, "R$ {n}", (20, 30, 40, 50, 80, 120), "55", 0.3, {"price": 1.4}),
    "ZA": Market(0.10, {"af": 0.5, "en": 0.5}, "R{n}", (150, 200, 250, 300, 450, 600), "27"),
    "EG": Market(
        0.05, {"ar": 1.0}, "{n} جنيه", (100, 200, 300, 500, 750), "20", -0.2, {"network": 1.4}
    ),
    "AE": Market(0.05, {"ar": 1.0}, "{n} درهم", (30, 40, 50, 75, 100, 150), "971", 0.2),
    "ES": Market(0.07, {"es": 1.0}, "{n} €", _EUROS, "34"),
    "DE": Market(0.07, {"de": 1.0}, "{n} €", _EUROS, "49", -0.4, {"support_wait": 1.5}),
    "FR": Market(0.06, {"fr": 1.0}, "{n} €", _EUROS, "33", -0.2),
    "GB": Market(0.05, {"en": 1.0}, "£{n}", _EUROS, "44"),
    "US": Market(0.03, {"en": 1.0}, "${n}", (10, 15, 20, 25, 30, 40, 50), "1", 0.3),
}


@dataclass(frozen=True)
class Product:
    """A Qelvo product line: its export name, share and cause boosts."""

    name: str
    weight: float
    boost: Mapping[str, float] = field(default_factory=dict)


PRODUCTS: Final[dict[str, Product]] = {
    "fibre": Product("Fibre Home", 0.35, {"fast_setup": 1.3, "network": 1.1}),
    "mobile": Product("Mobile Unlimited", 0.30, {"fast_setup": 0.6}),
    "prepaid": Product("Prepaid", 0.15, {"billing": 0.6, "price": 0.7, "fast_setup": 0.5}),
    "tv": Product("TV & Internet", 0.20, {"billing": 1.3}),
}


@dataclass(frozen=True)
class SurveyKind:
    """An NPS+ survey kind: its share, the channels it is sent over and its cause boosts."""

    weight: float
    channels: Mapping[str, float]
    boost: Mapping[str, float] = field(default_factory=dict)


SURVEY_KINDS: Final[dict[schema.SurveyType, SurveyKind]] = {
    schema.SurveyType.RELATIONAL: SurveyKind(
        0.50, {"Email": 0.75, "Web": 0.25}, {"price": 1.3, "network": 1.2}
    ),
    schema.SurveyType.TRANSACTIONAL: SurveyKind(
        0.35,
        {"Email": 0.45, "SMS": 0.55},
        {"support_wait": 1.8, "rude_staff": 1.8, "friendly_staff": 1.6, "price": 0.6},
    ),
    schema.SurveyType.IN_THE_MOMENT: SurveyKind(0.15, {"In-app": 1.0}, {"app": 2.5}),
}
TICKET_CHANNELS: Final[dict[str, float]] = {"email": 0.45, "chat": 0.35, "phone": 0.20}


@dataclass(frozen=True)
class LanguageBank:
    """Everything written in one language.

    Clause templates are main clauses in mid-sentence form (lower-case start where the language
    allows) without final punctuation, so two can be joined by a connective. Placeholders:
    ``{amount}`` (the market's money), ``{product}`` (a noun phrase for the row's product that
    fits every template of the language) and the keys of ``fillers``. In gendered languages the
    ``staff`` filler holds masculine singular noun phrases to keep agreement right.
    """

    clauses: Mapping[str, tuple[str, ...]]
    fillers: Mapping[str, tuple[str, ...]]
    products: Mapping[str, tuple[str, ...]]
    contrastive: tuple[str, ...]
    additive: tuple[str, ...]
    empty: tuple[str, ...]
    subjects: Mapping[str, tuple[str, ...]]
    greetings: tuple[str, ...]
    requests: tuple[str, ...]
    signoffs: tuple[str, ...]


# The order of the languages is the order of the draws; do not sort it.
LANGUAGES: Final = ("en", "nl", "af", "ro", "pt", "ar", "es", "de", "fr")


def _read_bank(code: str) -> LanguageBank:
    """The phrase bank of one language, from ``banks/<code>.json`` (package data)."""
    text = resources.files(__name__).joinpath("banks", f"{code}.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    parts: dict[str, Any] = {
        name: (
            {key: tuple(items) for key, items in value.items()}
            if isinstance(value, dict)
            else tuple(value)
        )
        for name, value in data.items()
    }
    return LanguageBank(**parts)


BANKS: Final[dict[str, LanguageBank]] = {code: _read_bank(code) for code in LANGUAGES}

# Answers that say nothing; these carry no language ("und"), the banks' `empty` lists do.
NO_LANGUAGE_ANSWERS: Final = ("", "-", "n/a", ".", "/", "?")
# Share of survey rows with no cause, one cause, two causes (joined by a connective).
SURVEY_CAUSE_COUNTS: Final = (0.10, 0.62, 0.28)
TICKET_CAUSE_COUNTS: Final = (0.0, 0.85, 0.15)

BadReason = Literal["score_out_of_range", "bad_date"]
BAD_VALUES: Final[dict[BadReason, tuple[str, str]]] = {
    "score_out_of_range": (schema.NPS_SCORE, "11"),
    "bad_date": (schema.CREATED_AT, "2025-02-30 10:15:00"),
}

_SURVEY_STREAM: Final = 0
_TICKET_STREAM: Final = 1
_CUSTOMER_STREAM: Final = 2
_BASE_SCORE: Final = 8.9
_SCORE_NOISE: Final = 1.2
_HOUR_WEIGHTS: Final = np.array(
    [1, 1, 1, 1, 1, 1, 2, 4, 6, 8, 9, 9, 9, 9, 9, 8, 8, 8, 9, 9, 8, 6, 4, 2], dtype=float
)
_ID_ALPHABET: Final = string.ascii_letters + string.digits
_EMAIL_NAMES: Final = (
    "maria",
    "jan",
    "ana",
    "ahmed",
    "pieter",
    "elena",
    "joao",
    "sarah",
    "thomas",
    "lucia",
    "andrei",
    "fatima",
)
_CLOSE_AFTER: Final = np.timedelta64(4, "D")


@dataclass(frozen=True)
class _Profile:
    country: str
    language: str
    product: str


# --- small random helpers ------------------------------------------------------------------


def _pick(rng: np.random.Generator, options: Sequence[str]) -> str:
    return options[int(rng.integers(len(options)))]


_K = TypeVar("_K", bound=str)


def _weighted(rng: np.random.Generator, options: Mapping[_K, float]) -> _K:
    keys = list(options)
    cumulative = np.cumsum([options[k] for k in keys])
    return keys[int(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"))]


@cache
def _fields(template: str) -> tuple[str, ...]:
    return tuple(name for _, name, _, _ in string.Formatter().parse(template) if name)


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


def _customer_id(k: int) -> str:
    # A bijection of 0..8,999,999 that makes sequential customers look unrelated.
    return f"CU{1_000_000 + (k * 7919) % 9_000_000}"


def _profiles(seed: int, customers: np.ndarray) -> dict[int, _Profile]:
    """Country, language and product of each customer, the same in surveys and tickets."""
    profiles = {}
    countries = {c: m.weight for c, m in MARKETS.items()}
    products = {p: prod.weight for p, prod in PRODUCTS.items()}
    for k in np.unique(customers).tolist():
        rng = np.random.default_rng((seed, _CUSTOMER_STREAM, k))
        country = _weighted(rng, countries)
        language = _weighted(rng, MARKETS[country].languages)
        profiles[k] = _Profile(country, language, _weighted(rng, products))
    return profiles


def _timestamps(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` sorted second-resolution times over the period, busier by day than by night."""
    start = np.datetime64(PERIOD_START, "s")
    days = int((np.datetime64(PERIOD_END, "D") - np.datetime64(PERIOD_START, "D")).astype(int))
    day = rng.integers(0, days, n)
    hour = rng.choice(24, size=n, p=_HOUR_WEIGHTS / _HOUR_WEIGHTS.sum())
    second = rng.integers(0, 3600, n)
    offsets = (day * 86_400 + hour * 3600 + second).astype("timedelta64[s]")
    return np.sort(start + offsets)


def _format_times(times: np.ndarray, *, sep: str, suffix: str) -> list[str]:
    return [t.replace("T", sep) + suffix for t in np.datetime_as_string(times, unit="s")]


def _iso(t: np.datetime64) -> str:
    return f"{np.datetime_as_string(t, unit='s')}Z"


def _draw_causes(
    rng: np.random.Generator,
    when: np.ndarray,
    profiles: Sequence[_Profile],
    counts: tuple[float, float, float],
    extra_boost: Sequence[Mapping[str, float]] | None = None,
    allowed: Sequence[str] = tuple(CAUSES),
) -> list[tuple[str, ...]]:
    """Draw 0-2 distinct causes per row, weighted by segment boosts and the emerging trend."""
    ids = list(allowed)
    emerging = when >= np.datetime64(EMERGING_SINCE, "s")
    fixed = (when >= np.datetime64(FIXED_SINCE, "s")) & np.asarray(
        [p.country == FIXED_COUNTRY for p in profiles], dtype=bool
    )
    weights = np.empty((len(profiles), len(ids)))
    for j, cause in enumerate(ids):
        base = CAUSES[cause].weight
        weights[:, j] = [
            base
            * MARKETS[p.country].boost.get(cause, 1.0)
            * PRODUCTS[p.product].boost.get(cause, 1.0)
            * (extra_boost[i].get(cause, 1.0) if extra_boost is not None else 1.0)
            for i, p in enumerate(profiles)
        ]
        if cause == EMERGING_CAUSE:
            weights[emerging, j] *= EMERGING_BOOST
        if cause == FIXED_CAUSE:
            weights[fixed, j] *= FIXED_FACTOR
    how_many = rng.choice(3, size=len(profiles), p=counts)
    drawn: list[tuple[str, ...]] = []
    for row, count in zip(weights, how_many.tolist(), strict=True):
        order = rng.choice(len(ids), size=count, replace=False, p=row / row.sum())
        drawn.append(tuple(ids[j] for j in order.tolist()))
    return drawn


# --- text composition ----------------------------------------------------------------------


def _clause(rng: np.random.Generator, profile: _Profile, cause: str, used: set[str]) -> str:
    """Fill a template of ``cause``; filler values in ``used`` are avoided, then added to it."""
    bank = BANKS[profile.language]
    template = _pick(rng, bank.clauses[cause])
    market = MARKETS[profile.country]
    values = {}
    for name in _fields(template):
        if name == "amount":
            n = market.amounts[int(rng.integers(len(market.amounts)))]
            values[name] = market.money(n, profile.language)
        else:
            options = bank.products[profile.product] if name == "product" else bank.fillers[name]
            values[name] = _pick(rng, [o for o in options if o not in used] or options)
            used.add(values[name])
    return template.format(**values)


def _compose(rng: np.random.Generator, profile: _Profile, causes: Sequence[str]) -> tuple[str, str]:
    """Join one clause per cause, mid-sentence form without final punctuation.

    Returns the text and the kind of connective used (``""`` for one clause). The two clauses
    never share a filler ("the agent was rude, but the agent was lovely").
    """
    bank = BANKS[profile.language]
    used: set[str] = set()
    text = _clause(rng, profile, causes[0], used)
    if len(causes) == 1:
        return text, ""
    contrast = CAUSES[causes[0]].positive != CAUSES[causes[1]].positive
    joiner = _pick(rng, bank.contrastive if contrast else bank.additive)
    second = _clause(rng, profile, causes[1], used)
    text += joiner + (_capitalize(second) if joiner.endswith(". ") else second)
    return text, "contrastive" if contrast else "additive"


def _survey_comment(
    rng: np.random.Generator, profile: _Profile, causes: Sequence[str]
) -> tuple[str, str]:
    """A survey comment, capitalized and punctuated as people type them; see :func:`_compose`."""
    text, connective = _compose(rng, profile, causes)
    if rng.random() < 0.88:
        text = _capitalize(text)
    return text + _weighted(rng, {".": 0.55, "": 0.35, "!": 0.1}), connective


def _empty_answer(rng: np.random.Generator, language: str) -> tuple[str, str]:
    """A comment that names no cause, with its language (``und`` when it has none)."""
    if rng.random() < 0.5:
        return _pick(rng, NO_LANGUAGE_ANSWERS), schema.UNDETERMINED_LANGUAGE
    return _pick(rng, BANKS[language].empty), language


def _ticket_text(
    rng: np.random.Generator, profile: _Profile, causes: Sequence[str]
) -> tuple[str, bool]:
    """A ticket description (greeting, complaint, request, sign-off) and whether it holds PII."""
    bank = BANKS[profile.language]
    body = _compose(rng, profile, causes)[0] + "."
    # After a salutation the complaint goes on in lower case ("Hallo, die Rechnung ...").
    parts = [_pick(rng, bank.greetings), body] if rng.random() < 0.7 else [_capitalize(body)]
    pii = False
    if rng.random() < 0.8:
        request = _pick(rng, bank.requests)
        pii = bool(_fields(request))
        phone = (
            f"+{MARKETS[profile.country].phone_code} 555 "
            f"{rng.integers(100, 1000)} {rng.integers(1000, 10_000)}"
        )
        email = f"{_pick(rng, _EMAIL_NAMES)}{rng.integers(10, 100)}@example.com"
        parts.append(request.format(phone=phone, email=email))
    if rng.random() < 0.5:
        parts.append(_pick(rng, bank.signoffs))
    return " ".join(parts), pii


# --- survey --------------------------------------------------------------------------------


def _score(rng: np.random.Generator, profile: _Profile, causes: Sequence[str]) -> int:
    mean = _BASE_SCORE + MARKETS[profile.country].score_shift
    mean += sum(CAUSES[c].effect for c in causes)
    return int(np.clip(round(mean + rng.normal(0.0, _SCORE_NOISE)), 0, 10))


def _problem(rng: np.random.Generator, score: int, causes: Sequence[str]) -> str:
    """The NPS+ problem pick: asked of passives and detractors, sometimes skipped."""
    if score > 8:
        return ""
    negative = [c for c in causes if not CAUSES[c].positive]
    u = rng.random()
    if negative:
        if u < 0.75:
            return CAUSES[negative[0]].problem or ""
        return "Other" if u < 0.85 else ""
    if u < 0.5:
        return ""
    return "Other" if u < 0.8 else _pick(rng, PROBLEM_OPTIONS[:-1])


def _survey(n: int, seed: int, n_bad: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    if n < 0 or not 0 <= n_bad <= n:
        raise ValueError(f"need 0 <= n_bad <= n, got n={n}, n_bad={n_bad}")
    rng = np.random.default_rng((seed, _SURVEY_STREAM))
    when = _timestamps(rng, n)
    customers = rng.integers(0, max(1, math.ceil(1.25 * n)), n)
    profile_of = _profiles(seed, customers)
    profiles = [profile_of[k] for k in customers.tolist()]
    kind_weights = {t: kind.weight for t, kind in SURVEY_KINDS.items()}
    kinds = [_weighted(rng, kind_weights) for _ in range(n)]
    boosts = [SURVEY_KINDS[t].boost for t in kinds]
    drawn = _draw_causes(rng, when, profiles, SURVEY_CAUSE_COUNTS, boosts)

    rows: dict[str, list[str]] = {col: [] for col in (*SURVEY_COLUMNS, *SURVEY_SEGMENTS)}
    truth: dict[str, list[str]] = {"language": [], "causes": [], "connective": [], "bad": []}
    for i, (profile, causes, kind) in enumerate(zip(profiles, drawn, kinds, strict=True)):
        if causes:
            text, connective = _survey_comment(rng, profile, causes)
            language = profile.language
        else:
            text, language = _empty_answer(rng, profile.language)
            connective = ""
        score = _score(rng, profile, causes)
        has_csat = rng.random() < (0.9 if kind == schema.SurveyType.TRANSACTIONAL else 0.1)
        csat = int(np.clip(round(score / 2.2 + 1.0 + rng.normal(0.0, 0.6)), 1, 5))
        token = rng.integers(len(_ID_ALPHABET), size=15).tolist()
        rows[schema.ID].append("R_" + "".join(_ID_ALPHABET[j] for j in token))
        rows[schema.TEXT].append(text)
        rows[schema.NPS_SCORE].append(str(score))
        rows[schema.CSAT].append(str(csat) if has_csat else "")
        rows[schema.PROBLEM].append(_problem(rng, score, causes))
        rows[schema.SURVEY_TYPE].append(kind.value)
        rows[schema.CUSTOMER_ID].append(_customer_id(int(customers[i])))
        rows["country"].append(profile.country)
        rows["product"].append(PRODUCTS[profile.product].name)
        rows["channel"].append(_weighted(rng, SURVEY_KINDS[kind].channels))
        truth["language"].append(language)
        truth["causes"].append("|".join(causes))
        truth["connective"].append(connective)
        truth["bad"].append("")
    rows[schema.CREATED_AT] = _format_times(when, sep=" ", suffix="")

    reasons = list(BAD_VALUES)
    for j, i in enumerate(sorted(rng.choice(n, size=n_bad, replace=False).tolist())):
        reason = reasons[j % len(reasons)]
        column, value = BAD_VALUES[reason]
        rows[column][i] = value
        truth["bad"][i] = reason

    names = {**SURVEY_COLUMNS, **SURVEY_SEGMENTS}
    order = [
        schema.ID, schema.CREATED_AT, schema.SURVEY_TYPE, "channel", "country", "product",
        schema.CUSTOMER_ID, schema.NPS_SCORE, schema.PROBLEM, schema.CSAT, schema.TEXT,
    ]  # fmt: skip
    export = pd.DataFrame({names[col]: rows[col] for col in order})
    truth_frame = pd.DataFrame({SURVEY_COLUMNS[schema.ID]: rows[schema.ID], **truth})
    return export, truth_frame


@overload
def generate_survey(
    n: int = ..., seed: int = ..., *, n_bad: int | None = ..., with_truth: Literal[False] = ...
) -> pd.DataFrame: ...
@overload
def generate_survey(
    n: int = ..., seed: int = ..., *, n_bad: int | None = ..., with_truth: Literal[True]
) -> tuple[pd.DataFrame, pd.DataFrame]: ...
def generate_survey(
    n: int = 2000, seed: int = 0, *, n_bad: int | None = None, with_truth: bool = False
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Generate a survey tool's export of ``n`` NPS+ answers.

    Parameters
    ----------
    n
        Number of rows, bad ones included.
    seed
        Seed of every random draw; the same seed gives the same frame.
    n_bad
        Rows deliberately broken for ingestion's quarantine (score ``"11"`` or an impossible
        date, alternating); default ``n // 200`` (0.5%).
    with_truth
        Also return the hidden truth frame.

    Returns
    -------
    export
        One string column per export column (:data:`SURVEY_COLUMNS`, :data:`SURVEY_SEGMENTS`),
        sorted by submission time, blanks as ``""``.
    truth
        Only with ``with_truth``: ``ResponseID``, ``language`` (``"und"`` for answers without
        words), ``causes`` (cause ids joined by ``"|"``, ``""`` for none), ``connective``
        (``"contrastive"``, ``"additive"`` or ``""``) and ``bad`` (a :data:`BAD_VALUES` reason
        or ``""``), row-aligned with the export.
    """
    export, truth = _survey(n, seed, n // 200 if n_bad is None else n_bad)
    return (export, truth) if with_truth else export


# --- tickets -------------------------------------------------------------------------------


def _minutes(rng: np.random.Generator, median: float, sigma: float, n: int) -> np.ndarray:
    """Log-normal durations in whole seconds, at least one minute, as ``timedelta64[s]``."""
    seconds = np.maximum(60.0, rng.lognormal(np.log(median * 60.0), sigma, n))
    return seconds.astype(np.int64).astype("timedelta64[s]")


# Median minutes and spread of first reply and of resolution, by ticket channel.
_FIRST_REPLY: Final[dict[str, tuple[float, float]]] = {
    "chat": (3.0, 0.8), "phone": (8.0, 0.7), "email": (300.0, 0.9),
}  # fmt: skip
_RESOLUTION: Final[dict[str, tuple[float, float]]] = {
    "chat": (120.0, 1.0), "phone": (240.0, 1.0), "email": (1800.0, 1.0),
}  # fmt: skip
_REOPEN_GAP: Final = (2880.0, 0.8)
_STUCK_SHARE: Final = 0.05  # tickets left unsolved whatever their age: the backlog


def _tickets(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    if n < 0:
        raise ValueError(f"need n >= 0, got {n}")
    rng = np.random.default_rng((seed, _TICKET_STREAM))
    now = np.datetime64(PERIOD_END, "s")
    created = _timestamps(rng, n)
    customers = rng.integers(0, max(1, 3 * n), n)
    profile_of = _profiles(seed, customers)
    profiles = [profile_of[k] for k in customers.tolist()]
    drawn = _draw_causes(rng, created, profiles, TICKET_CAUSE_COUNTS, allowed=NEGATIVE_CAUSES)
    channels = [_weighted(rng, TICKET_CHANNELS) for _ in range(n)]

    rows: dict[str, list[str]] = {col: [] for col in TICKET_COLUMNS}
    rows[TICKET_SUBJECT], rows[TICKET_REOPENS] = [], []
    truth: dict[str, list[str | bool]] = {"language": [], "causes": [], "pii": []}
    for i, (profile, causes, channel) in enumerate(zip(profiles, drawn, channels, strict=True)):
        start = created[i]
        first = start + _minutes(rng, *_FIRST_REPLY[channel], 1)[0]
        solved = max(
            start + _minutes(rng, *_RESOLUTION[channel], 1)[0], first + np.timedelta64(5, "m")
        )
        reopens = int(rng.choice(3, p=(0.85, 0.12, 0.03)))
        last = solved + _minutes(rng, *_REOPEN_GAP, reopens).sum()
        if last > now:
            reopens, last = 0, solved
        if first > now:
            status = "open"
        elif solved > now or rng.random() < _STUCK_SHARE:
            status = "pending" if rng.random() < 0.4 else "open"
        else:
            status = "closed" if now - last > _CLOSE_AFTER else "solved"
        done = status in ("solved", "closed")
        text, pii = _ticket_text(rng, profile, causes)
        rows[schema.ID].append(str(40_001 + i))
        rows[schema.FIRST_RESPONSE_AT].append(_iso(first) if first <= now else "")
        rows[schema.RESOLVED_AT].append(_iso(solved) if done else "")
        rows[schema.LAST_RESOLVED_AT].append(_iso(last) if done else "")
        rows[TICKET_REOPENS].append(str(reopens if done else 0))
        rows[schema.STATUS].append(status)
        rows[schema.CHANNEL].append(channel)
        rows[schema.CUSTOMER_ID].append(_customer_id(int(customers[i])))
        rows[TICKET_SUBJECT].append(_pick(rng, BANKS[profile.language].subjects[causes[0]]))
        rows[schema.TEXT].append(text)
        truth["language"].append(profile.language)
        truth["causes"].append("|".join(causes))
        truth["pii"].append(pii)
    rows[schema.CREATED_AT] = _format_times(created, sep="T", suffix="Z")

    names = {**TICKET_COLUMNS, TICKET_SUBJECT: TICKET_SUBJECT, TICKET_REOPENS: TICKET_REOPENS}
    order = [
        schema.ID, schema.CREATED_AT, schema.FIRST_RESPONSE_AT, schema.RESOLVED_AT,
        schema.LAST_RESOLVED_AT, TICKET_REOPENS, schema.STATUS, schema.CHANNEL,
        schema.CUSTOMER_ID, TICKET_SUBJECT, schema.TEXT,
    ]  # fmt: skip
    export = pd.DataFrame({names[col]: rows[col] for col in order})
    truth_frame = pd.DataFrame({TICKET_COLUMNS[schema.ID]: rows[schema.ID], **truth})
    return export, truth_frame


@overload
def generate_tickets(
    n: int = ..., seed: int = ..., *, with_truth: Literal[False] = ...
) -> pd.DataFrame: ...
@overload
def generate_tickets(
    n: int = ..., seed: int = ..., *, with_truth: Literal[True]
) -> tuple[pd.DataFrame, pd.DataFrame]: ...
def generate_tickets(
    n: int = 800, seed: int = 0, *, with_truth: bool = False
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Generate a help desk's export of ``n`` support tickets about the negative causes.

    First replies come minutes after creation on chat and phone, hours on email; tickets still
    unsolved at the end of the period are ``open`` or ``pending`` with a blank ``Solved``;
    some solved tickets were reopened (``Reopens`` > 0, ``Last solved`` after ``Solved``).
    Customer ids overlap with :func:`generate_survey`'s for the same seed, and a customer
    writes in the same language in both.

    Returns
    -------
    export
        One string column per export column (:data:`TICKET_COLUMNS` plus ``Subject`` and
        ``Reopens``), sorted by creation time, times as ISO 8601 UTC, blanks as ``""``.
    truth
        Only with ``with_truth``: ``Ticket ID``, ``language``, ``causes`` (joined by ``"|"``)
        and ``pii`` (whether the description holds a phone number or e-mail address).
    """
    export, truth = _tickets(n, seed)
    return (export, truth) if with_truth else export
