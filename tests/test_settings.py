"""The one settings mechanism: front-end values, then the environment, then the config file."""

from __future__ import annotations

import pytest

from subsmatch.reference.lists import JURISDICTIONS
from subsmatch.settings import DEFAULT_HOME, SettingsError, config_path, load


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
