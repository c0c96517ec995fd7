"""Tests for the demo data generator."""

from __future__ import annotations

import itertools
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from cxtext import demo, schema
from cxtext.demo.files import write_demo

MAIN_LANGUAGES = ("en", "nl", "ro", "pt", "ar", "af")
SCORE = demo.SURVEY_COLUMNS[schema.NPS_SCORE]
SUBMITTED = demo.SURVEY_COLUMNS[schema.CREATED_AT]


@pytest.fixture(scope="module")
def survey() -> tuple[pd.DataFrame, pd.DataFrame]:
    return demo.generate_survey(2000, seed=0, with_truth=True)


@pytest.fixture(scope="module")
def tickets() -> tuple[pd.DataFrame, pd.DataFrame]:
    return demo.generate_tickets(800, seed=0, with_truth=True)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_demo(tmp_path_factory.mktemp("demo"), n_survey=300, n_tickets=120, seed=3)


def _has(truth: pd.DataFrame, cause: str) -> pd.Series:
    return truth["causes"].str.split("|").map(lambda causes: cause in causes)


# --- phrase banks --------------------------------------------------------------------------


def _surface_forms(language: str, cause: str) -> set[str]:
    """Every clause a template of ``cause`` can become (amounts from one market)."""
    bank = demo.BANKS[language]
    market = next(m for m in demo.MARKETS.values() if language in m.languages)
    values = {
        **bank.fillers,
        "amount": tuple(market.money(n, language) for n in market.amounts),
        "product": tuple(itertools.chain.from_iterable(bank.products.values())),
    }
    forms = set()
    for template in bank.clauses[cause]:
        names = demo._fields(template)
        for combo in itertools.product(*(values[name] for name in names)):
            forms.add(template.format(**dict(zip(names, combo, strict=True))))
    return forms


@pytest.mark.parametrize("language", demo.LANGUAGES)
def test_bank_is_complete(language: str) -> None:
    bank = demo.BANKS[language]
    assert set(bank.clauses) == set(demo.CAUSES)
    assert set(bank.products) == set(demo.PRODUCTS)
    assert set(bank.subjects) == set(demo.NEGATIVE_CAUSES)
    known = {*bank.fillers, "amount", "product"}
    for templates in bank.clauses.values():
        for template in templates:
            assert set(demo._fields(template)) <= known, template
            assert not template.endswith((".", "!", "?")), template
    for request in bank.requests:
        assert set(demo._fields(request)) <= {"phone", "email"}


@pytest.mark.parametrize(
    ("language", "cause"), list(itertools.product(MAIN_LANGUAGES, demo.CAUSES))
)
def test_main_languages_have_fifteen_surface_forms_per_cause(language: str, cause: str) -> None:
    assert len(_surface_forms(language, cause)) >= 15


def test_market_languages_have_banks() -> None:
    for market in demo.MARKETS.values():
        assert set(market.languages) <= set(demo.BANKS)
    assert set(demo.LANGUAGES) == set(schema.DEFAULT_LANGUAGES)


# --- survey --------------------------------------------------------------------------------


def test_survey_shape_and_truth_alignment(survey: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    export, truth = survey
    assert len(export) == len(truth) == 2000
    expected = {*demo.SURVEY_COLUMNS.values(), *demo.SURVEY_SEGMENTS.values()}
    assert set(export.columns) == expected
    assert (export["ResponseID"] == truth["ResponseID"]).all()
    assert export["ResponseID"].is_unique
    assert not {"causes", "language", "bad"} & set(export.columns)


def test_same_seed_same_frames_other_seed_other_frames() -> None:
    a = demo.generate_survey(300, seed=5)
    pd.testing.assert_frame_equal(a, demo.generate_survey(300, seed=5))
    assert not a.equals(demo.generate_survey(300, seed=6))
    pd.testing.assert_frame_equal(demo.generate_tickets(100, 5), demo.generate_tickets(100, 5))


def test_every_language_present(survey: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    _, truth = survey
    assert set(demo.LANGUAGES) <= set(truth["language"])


def test_countries_decide_languages(survey: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    export, truth = survey
    worded = truth["language"] != schema.UNDETERMINED_LANGUAGE
    pairs = set(zip(export["Country"][worded], truth["language"][worded], strict=True))
    for country, language in pairs:
        assert language in demo.MARKETS[country].languages


def test_scores_depend_on_causes(survey: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    export, truth = survey
    good = truth["bad"] == ""
    scores = pd.to_numeric(export[SCORE][good])
    assert scores.between(0, 10).all()
    causes = truth["causes"][good].str.split("|")
    only_negative = causes.map(lambda cs: cs != [""] and all(c in demo.NEGATIVE_CAUSES for c in cs))
    only_positive = causes.map(lambda cs: cs != [""] and not set(cs) & set(demo.NEGATIVE_CAUSES))
    assert scores[only_negative].mean() + 3 < scores[only_positive].mean()
    for cause in demo.NEGATIVE_CAUSES:
        assert scores[_has(truth[good], cause)].mean() < scores.mean()


def test_two_cause_comments_use_connectives(survey: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    export, truth = survey
    contrastive = truth["connective"] == "contrastive"
    assert contrastive.sum() > 100
    assert (truth["connective"] == "additive").sum() > 100
    for text, language in zip(export["Comment"][contrastive], truth["language"][contrastive],
                              strict=True):  # fmt: skip
        assert any(joiner in text for joiner in demo.BANKS[language].contrastive), text
    two = truth["causes"].str.contains("|", regex=False)
    assert (two == (truth["connective"] != "")).all()


def test_some_answers_are_empty(survey: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    export, truth = survey
    empty = truth["causes"] == ""
    assert 100 < empty.sum() < 400
    assert (export["Comment"] == "").any()
    assert export["Comment"][empty].str.len().max() < 30


def test_emerging_cause_rises_in_last_month(survey: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    export, truth = survey
    recent = export[SUBMITTED] >= demo.EMERGING_SINCE
    emerging = _has(truth, demo.EMERGING_CAUSE)
    assert emerging[recent].mean() > 2 * emerging[~recent].mean()


def test_dates_span_the_period(survey: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    export, truth = survey
    when = pd.to_datetime(export[SUBMITTED][truth["bad"] != ""], errors="coerce")
    assert when.isna().any()
    when = pd.to_datetime(export[SUBMITTED][truth["bad"] == ""])
    assert when.min() >= pd.Timestamp(demo.PERIOD_START)
    assert when.max() < pd.Timestamp(demo.PERIOD_END)
    assert (when.max() - when.min()).days > 170
    assert when.is_monotonic_increasing


def test_survey_fields(survey: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    export, _ = survey
    assert set(export["Survey type"]) == {str(t) for t in schema.SurveyType}
    assert set(export["Main problem"]) <= {*demo.PROBLEM_OPTIONS, ""}
    assert (export["Main problem"] == "").any() and (export["Main problem"] != "").any()
    csat = export["CSAT (1-5)"]
    assert (csat == "").any() and set(csat[csat != ""]) <= {"1", "2", "3", "4", "5"}
    assert set(export["Country"]) == set(demo.MARKETS)
    assert set(export["Product"]) == {p.name for p in demo.PRODUCTS.values()}
    assert export["Customer ID"].duplicated().any()


@pytest.mark.parametrize("n_bad", [0, 7])
def test_bad_rows_counted_and_marked(n_bad: int) -> None:
    export, truth = demo.generate_survey(400, seed=1, n_bad=n_bad, with_truth=True)
    bad = truth["bad"] != ""
    assert bad.sum() == n_bad
    score_bad = pd.to_numeric(export[SCORE], errors="coerce").gt(10)
    date_bad = pd.to_datetime(export[SUBMITTED], errors="coerce", format="%Y-%m-%d %H:%M:%S").isna()
    assert ((score_bad | date_bad) == bad).all()


def test_default_bad_rows_and_validation() -> None:
    _, truth = demo.generate_survey(1000, seed=2, with_truth=True)
    assert (truth["bad"] != "").sum() == 5
    with pytest.raises(ValueError):
        demo.generate_survey(5, n_bad=6)


# --- tickets -------------------------------------------------------------------------------


def test_ticket_shape(tickets: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    export, truth = tickets
    assert len(export) == len(truth) == 800
    assert set(demo.TICKET_COLUMNS.values()) <= set(export.columns)
    assert export["Ticket ID"].is_unique
    assert set(export["Channel"]) == set(demo.TICKET_CHANNELS)
    assert not set("|".join(truth["causes"]).split("|")) - set(demo.NEGATIVE_CAUSES)
    assert set(demo.LANGUAGES) <= set(truth["language"])
    assert truth["pii"].any() and not truth["pii"].all()


def test_ticket_times(tickets: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    export, _ = tickets

    def times(column: str) -> pd.Series:
        return pd.to_datetime(export[column].replace("", None), utc=True)

    created, first = times("Created"), times("First reply")
    solved, last = times("Solved"), times("Last solved")
    replied = first.notna()
    assert (first[replied] > created[replied]).all()
    delay = (first - created).dt.total_seconds() / 60
    chat, email = export["Channel"] == "chat", export["Channel"] == "email"
    assert delay[chat].median() < 15 < 60 < delay[email].median()
    assert (solved.dropna() >= first[solved.notna()]).all()
    assert (last.dropna() >= solved.dropna()).all()
    reopened = export["Reopens"] != "0"
    assert reopened.any() and (last[reopened] > solved[reopened]).all()


def test_open_tickets_have_blank_solved(tickets: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    export, _ = tickets
    unsolved = export["Status"].isin(["open", "pending"])
    assert unsolved.sum() > 20
    assert (export["Solved"][unsolved] == "").all()
    assert (export["Solved"][~unsolved] != "").all()


def test_tickets_share_customers_and_language(
    survey: tuple[pd.DataFrame, pd.DataFrame], tickets: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    s_export, s_truth = survey
    t_export, t_truth = tickets
    s = pd.DataFrame({"cid": s_export["Customer ID"], "language": s_truth["language"]})
    t = pd.DataFrame({"cid": t_export["Customer ID"], "language": t_truth["language"]})
    both = t.merge(s[s["language"] != schema.UNDETERMINED_LANGUAGE], on="cid")
    assert len(both) > 100
    assert (both["language_x"] == both["language_y"]).all()


# --- files ---------------------------------------------------------------------------------


def test_write_demo_files(written: dict[str, Path]) -> None:
    assert set(written) == {
        "survey", "tickets", "survey_mapping", "tickets_mapping", "survey_truth", "tickets_truth",
        "themes_config",
    }  # fmt: skip
    for path in written.values():
        assert path.is_file()
        path.read_text(encoding="utf-8")
    survey = pd.read_csv(written["survey"], dtype=str, keep_default_na=False)
    assert len(survey) == 300
    assert len(pd.read_csv(written["tickets"], dtype=str, keep_default_na=False)) == 120
    assert "causes" not in survey.columns


def test_write_demo_is_byte_identical(written: dict[str, Path], tmp_path: Path) -> None:
    again = write_demo(tmp_path, n_survey=300, n_tickets=120, seed=3)
    for key, path in written.items():
        assert path.read_bytes() == again[key].read_bytes(), key


@pytest.mark.parametrize(
    ("key", "data", "source"),
    [("survey_mapping", "survey", "survey"), ("tickets_mapping", "tickets", "ticket")],
)
def test_mappings_parse_and_name_existing_columns(
    written: dict[str, Path], key: str, data: str, source: str
) -> None:
    mapping = tomllib.loads(written[key].read_text(encoding="utf-8"))
    header = set(pd.read_csv(written[data], nrows=0).columns)
    assert mapping["source"] == source
    assert set(mapping["columns"]) <= schema.MAPPABLE_FIELDS
    assert {schema.ID, schema.TEXT, schema.CREATED_AT} <= set(mapping["columns"])
    assert set(mapping["columns"].values()) <= header
    assert set(mapping.get("segments", {}).values()) <= header


def test_themes_config_seeds_the_problem_list(written: dict[str, Path]) -> None:
    from cxtext.demo import PROBLEM_OPTIONS
    from cxtext.themes.config import load_config

    config = load_config(written["themes_config"])
    assert {seed.name for seed in config.seeds} == set(PROBLEM_OPTIONS) - {"Other"}
    assert all(len(seed.phrases) >= 4 for seed in config.seeds)


def test_the_planted_fix_is_found_and_a_placebo_date_is_not(
    survey: tuple[pd.DataFrame, pd.DataFrame], tmp_path: Path
) -> None:
    """The demo's true causes, as themes, through the store's action effect."""
    from datetime import date

    from cxtext.store import Store
    from cxtext.store.actions import action_effect

    export, truth = survey
    good = (truth["bad"] == "").to_numpy()
    export, truth = export[good], truth[good]
    ids = {cause: k for k, cause in enumerate(demo.CAUSES)}
    themes = [[ids[c] for c in causes.split("|") if c] for causes in truth["causes"]]
    frame = pd.DataFrame(
        {
            schema.ID: export[demo.SURVEY_COLUMNS[schema.ID]].to_numpy(),
            schema.CREATED_AT: pd.to_datetime(export[SUBMITTED]).dt.tz_localize("UTC").to_numpy(),
            schema.NPS_SCORE: export[SCORE].astype(int).to_numpy(),
            "country": export[demo.SURVEY_SEGMENTS["country"]].to_numpy(),
            schema.THEME_IDS: themes,
            schema.PARENT_THEME_IDS: [[] for _ in themes],
            schema.CLAUSE_THEME_IDS: themes,
            schema.CLAUSE_PARENT_IDS: [[-1] * len(t) for t in themes],
            schema.CLAUSE_SENTIMENTS: [[0.0] * len(t) for t in themes],
            schema.THEME_ID: [t[0] if t else -1 for t in themes],
        }
    )
    store = Store(tmp_path / "truth.duckdb")
    store.write_tagged(
        frame,
        run={"kind": "tag"},
        manifest={"name": "truth", "version": "v1"},
        themes=[{"id": k, "label": cause} for cause, k in ids.items()],
        parents=[],
        segments=["country"],
    )

    def did(shipped: date, window: int) -> dict:
        action = store.add_action(
            theme_id=ids[demo.FIXED_CAUSE],
            description="clearer invoices",
            owner="billing",
            shipped_on=shipped,
            segments={"country": [demo.FIXED_COUNTRY]},
        )
        with store.reader() as reader, reader.cursor() as cur:
            effect = action_effect(cur, action["action_id"], window_days=window)
        assert effect is not None and effect["effect"] is not None
        return effect["effect"]["did"]

    found = did(date.fromisoformat(demo.FIXED_SINCE), 60)
    assert found["significant"] and found["ci"][1] < 0
    placebo = did(date(2025, 2, 1), 28)  # both windows before the fix
    assert not placebo["significant"]
