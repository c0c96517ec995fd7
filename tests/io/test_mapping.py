"""Column mapping: TOML shape, quick flags, refusals, missing columns."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxtext.errors import ConfigError, DataValidationError
from cxtext.io import ColumnMapping, iter_ingest, load_mapping

FULL = """
source = "ticket"

[columns]
id = ["conv", "turn"]
text = ["Title", "Body"]
csat = "Rating"
created_at = "Opened"
first_response_at = "Replied"

[segments]
country = "Country"

[constants]
channel = "Email"
ces_scale = "1-7"

[options]
dayfirst = true
date_format = "%d/%m/%Y"
nps_scale = "0-10"
encoding = "cp1252"
delimiter = ";"
sheet = "Data"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mapping.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_full_mapping_file(tmp_path: Path) -> None:
    mapping = ColumnMapping.from_toml(write(tmp_path, FULL))
    assert load_mapping(tmp_path / "mapping.toml") == mapping
    assert mapping.columns == {
        "id": ("conv", "turn"),
        "text": ("Title", "Body"),
        "csat": ("Rating",),
        "created_at": ("Opened",),
        "first_response_at": ("Replied",),
    }
    assert mapping.segments == {"country": "Country"}
    assert mapping.constants == {"source": "ticket", "channel": "Email", "ces_scale": "1-7"}
    assert (mapping.dayfirst, mapping.date_format) == (True, "%d/%m/%Y")
    assert (mapping.encoding, mapping.delimiter, mapping.sheet) == ("cp1252", ";", "Data")
    assert mapping.input_columns() == [
        *("conv", "turn", "Title", "Body", "Rating", "Opened", "Replied", "Country")
    ]
    assert list(mapping.output_dtypes(with_language=True)) == [
        "id",
        "source",
        "created_at",
        "text",
        "text_flag",
        "language",
        "csat",
        "ces_scale",
        "first_response_at",
        "channel",
        "source_row",
        "country",
    ]


def test_segment_list_short_form_and_default_source(tmp_path: Path) -> None:
    mapping = ColumnMapping.from_toml(
        write(tmp_path, 'segments = ["Country", "Plan"]\n[columns]\ntext = "c"\nnps_score = "s"\n')
    )
    assert mapping.segments == {"Country": "Country", "Plan": "Plan"}
    assert mapping.constants == {"source": "survey"}
    dtypes = mapping.output_dtypes(with_language=False)
    assert dtypes["nps_group"] == "string" and "language" not in dtypes
    assert dtypes["nps_score"] == "Int64" and dtypes["Country"] == "string"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[columns]\nscore = "Q1"\n', "'score' is not a canonical field"),
        ('[columns]\nnps_group = "G"\n', "'nps_group' is not a canonical field"),
        ('[columns]\nnps_score = ["a", "b"]\n', "takes one column"),
        ('[columns]\ntext = ""\n', "names no column"),
        ("[columns]\ntext = 3\n", "must be a column name"),
        ('[colums]\ntext = "c"\n', r"unknown key\(s\) in mapping: colums"),
        ("[options]\nday_first = true\n", r"unknown key\(s\) in \[options\]: day_first"),
        ('[options]\nnps_scale = "1-5"\n', "never rescaled"),
        ('[options]\nnps_scale = "0-100"\n', "not supported"),
        ('[options]\ndayfirst = "yes"\n', "true or false"),
        ('[options]\ndelimiter = ";;"\n', "one character"),
        ('source = "email"\n', "source = 'email' is not allowed"),
        ('[constants]\nsurvey_type = "annual"\n', "survey_type = 'annual' is not allowed"),
        ('[constants]\nces_scale = "0-10"\n', "ces_scale = '0-10' is not allowed"),
        ('[constants]\nnps_score = "9"\n', "'nps_score' cannot be a constant"),
        ('[constants]\nchannel = "x"\n[columns]\nchannel = "C"\n', "both a column and a constant"),
        ('source = "survey"\n[constants]\nsource = "ticket"\n', "both at the top level"),
        ('[segments]\nlanguage = "Lang"\n', "collides with a canonical column"),
        ("[columns\n", "not valid TOML"),
    ],
)
def test_bad_mappings_are_refused(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as info:
        ColumnMapping.from_toml(path)
    assert str(path) in str(info.value)


def test_missing_mapping_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read mapping file"):
        ColumnMapping.from_toml(tmp_path / "absent.toml")


def test_constant_values_are_normalized_only_where_checked() -> None:
    mapping = ColumnMapping(constants={"source": " Ticket ", "channel": "Email"})
    assert mapping.constants == {"source": "ticket", "channel": "Email"}


def test_from_flags_builds_a_mapping() -> None:
    mapping = ColumnMapping.from_flags(text_col="Comment", score_col="Q1", date_col="When")
    assert mapping.columns == {
        "text": ("Comment",),
        "nps_score": ("Q1",),
        "created_at": ("When",),
    }
    assert mapping.constants == {"source": "survey"}
    assert mapping.segments == {}


def test_from_flags_keeps_named_segments_beside_the_base_ones(tmp_path: Path) -> None:
    base = ColumnMapping.from_toml(write(tmp_path, FULL))
    mapping = ColumnMapping.from_flags(segments=["Region"], base=base)
    assert mapping.segments == {**base.segments, "Region": "Region"}
    with pytest.raises(ConfigError, match="collides"):
        ColumnMapping.from_flags(text_col="Comment", segments=["language"])


def test_from_flags_overrides_a_loaded_mapping(tmp_path: Path) -> None:
    base = ColumnMapping.from_toml(write(tmp_path, FULL))
    mapping = ColumnMapping.from_flags(text_col="Other", id_col="Key", source="survey", base=base)
    assert mapping.columns["text"] == ("Other",)
    assert mapping.columns["id"] == ("Key",)
    assert mapping.columns["csat"] == ("Rating",)  # untouched fields stay
    assert mapping.constants["source"] == "survey"
    assert mapping.segments == base.segments and mapping.dayfirst
    source_column = ColumnMapping(columns={"source": ("Kind",)})
    assert "source" not in ColumnMapping.from_flags(source="ticket", base=source_column).columns
    with pytest.raises(ConfigError):
        ColumnMapping.from_flags(source="chat")


def test_missing_columns_are_a_file_error_naming_them(write_csv) -> None:
    path = write_csv(["Comment", "Score"], [["hi", "9"]])
    mapping = ColumnMapping(
        columns={"text": ("Comment",), "nps_score": ("Q1",), "created_at": ("Date",)},
        segments={"country": "Country"},
    )
    with pytest.raises(DataValidationError) as info:
        iter_ingest(path, mapping)  # before any data row is read
    error = info.value
    assert error.file == str(path)
    assert error.column == "Q1, Date, Country"
    assert "'Q1', 'Date', 'Country'" in str(error) and str(path) in str(error)
