"""The one settings mechanism: front-end values, then the environment, then the config file."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from subsmatch.reference.lists import JURISDICTIONS
from subsmatch.settings import DEFAULT_HOME, SettingsError, config_path, load
from subsmatch.store.engine import make_engine
from subsmatch.store.models import IngestedFile
from tests.helpers import EXAMPLES, run


def test_defaults_are_the_benelux_the_eu_and_the_un_and_european_usage():
    settings = load({}, environ={}, path=None)
    assert settings.home == DEFAULT_HOME == ("BE", "NL", "LU", "EU", "UN")
    assert settings.region == "Europe"
    assert set(settings.origin.values()) == {"default"}


def test_option_beats_environment_beats_config_file(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('home = ["DE"]\nregion = "nl"\n[service]\nhome = ["US"]\n', encoding="utf-8")
    from_file = load({}, environ={}, path=config)
    assert (from_file.home, from_file.region) == (("DE",), "NL")
    assert from_file.origin["home"] == f"config file {config}"
    env = {"SUBSMATCH_HOME": "be nl", "SUBSMATCH_CONFIG": str(config)}
    assert load({}, environ=env).home == ("BE", "NL")  # the file is found through the env
    assert load({"home": ["CN"], "region": None}, environ=env).home == ("CN",)
    assert load({"home": ()}, environ=env).origin["home"] == "environment variable SUBSMATCH_HOME"


def test_a_missing_config_file_is_no_error(tmp_path):
    assert load({}, environ={}, path=tmp_path / "absent.toml").home == DEFAULT_HOME
    assert config_path({"SUBSMATCH_CONFIG": "/x/y.toml"}).name == "y.toml"
    assert config_path({}).name == "config.toml"


@pytest.mark.parametrize(
    ("options", "config", "message"),
    [
        ({"home": "BE,XX"}, "", "unknown jurisdiction XX in home (option)"),
        ({"home": " , "}, "", "home (option) names no jurisdiction"),
        ({"region": "Benelux!"}, "", "region (option) is 'Benelux!', not a region"),
        ({}, "home = 3\n", "home (config file"),
        ({}, "hom = ['BE']\n", "unknown setting hom in the config file"),
        ({}, "home = [\n", "is not valid TOML"),
    ],
)
def test_a_bad_setting_says_where_it_was_set_and_how_to_fix_it(tmp_path, options, config, message):
    path = tmp_path / "config.toml"
    path.write_text(config, encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        load(options, environ={}, path=path, jurisdictions=JURISDICTIONS)
    assert message in caught.value.reason
    assert caught.value.hint


def test_without_the_reference_codes_a_home_must_look_like_codes():
    """settings is core and reads no reference: the front ends pass the codes a home may name."""
    assert load({"home": "be,xx"}, environ={}, path=None).home == ("BE", "XX")
    with pytest.raises(SettingsError, match="unknown jurisdiction BEL"):
        load({"home": "BEL"}, environ={}, path=None)


def test_the_checker_refuses_a_home_it_cannot_judge():
    from subsmatch.matchers.checker import Checker

    with pytest.raises(SettingsError, match="unknown jurisdiction XX"):
        Checker(home=("BE", "XX"))


@pytest.mark.parametrize(
    ("value", "message"),
    [("0", "not a positive number"), ("soon", "not a positive number"), ("-5", "positive")],
)
def test_stale_minutes_must_be_a_positive_number(value, message):
    with pytest.raises(SettingsError, match=message):
        load({}, environ={"SUBSMATCH_STALE_MINUTES": value}, path=None)


def test_stale_minutes_default_and_where_they_come_from(tmp_path):
    assert load({}, environ={}, path=None).stale_after == timedelta(minutes=15)
    config = tmp_path / "config.toml"
    config.write_text("stale_minutes = 90\n", encoding="utf-8")
    assert load({}, environ={}, path=config).stale_after == timedelta(minutes=90)
    chosen = load({}, environ={"SUBSMATCH_STALE_MINUTES": "2.5"}, path=config)
    assert chosen.stale_minutes == 2.5
    assert chosen.origin["stale_minutes"] == "environment variable SUBSMATCH_STALE_MINUTES"


def test_ingest_workers_default_and_where_they_come_from(tmp_path):
    cores = len(os.sched_getaffinity(0))
    assert load({}, environ={}, path=None).ingest_workers == (1 if cores > 1 else 0)
    config = tmp_path / "config.toml"
    config.write_text("ingest_workers = 0\n", encoding="utf-8")
    assert load({}, environ={}, path=config).ingest_workers == 0
    chosen = load({}, environ={"SUBSMATCH_INGEST_WORKERS": "2"}, path=config)
    assert chosen.ingest_workers == 2
    assert chosen.origin["ingest_workers"] == "environment variable SUBSMATCH_INGEST_WORKERS"


@pytest.mark.parametrize("value", ["-1", "two", "1.5", "true"])
def test_ingest_workers_must_be_a_whole_number(value):
    with pytest.raises(SettingsError, match=r"ingest_workers .* not a whole number"):
        load({}, environ={"SUBSMATCH_INGEST_WORKERS": value}, path=None)


def test_an_ingest_removes_the_unfinished_files_older_than_the_setting(db_url, monkeypatch):
    """A file left unfinished 10 minutes ago (its ingest died) stays while the setting says an
    ingest may be silent for 30 minutes, and goes at the next ingest once it says 5."""
    code, out = run(db_url, "ingest", str(EXAMPLES / "lims_case_extract.csv"))
    assert code == 0, out
    engine = make_engine(db_url)
    with Session(engine) as session, session.begin():
        (stored,) = session.scalars(select(IngestedFile)).all()
        sha256 = stored.sha256
        left = datetime.now(UTC) - timedelta(minutes=10)
        session.add(
            IngestedFile(
                **{
                    column: getattr(stored, column)
                    for column in ("source_name", "sha256", "format", "reader", "data_version")
                },
                tool_version=stored.tool_version,
                version=stored.version + 1,
                ingested_at=left,
                writing_since=left,
            )
        )
    for minutes, files in (("30", 2), ("5", 1)):
        monkeypatch.setenv("SUBSMATCH_STALE_MINUTES", minutes)
        code, out = run(db_url, "ingest", str(EXAMPLES / "trunarc_raman.csv"), "--force")
        assert code == 0, out
        with Session(engine) as session:
            lims = select(IngestedFile).where(IngestedFile.sha256 == sha256)
            assert len(session.scalars(lims).all()) == files, minutes
