"""The limits a public deploy relies on are set in .streamlit/config.toml and agree with the app's own."""

from __future__ import annotations

import re
import tomllib

from streamlit import config as st_config

from geo import settings
from geo.formats import MAX_UPLOAD_BYTES
from geo.ingest import articles

CONFIG = tomllib.loads((settings.ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))


def test_upload_limit_matches_the_apps_own_checks() -> None:
    assert CONFIG["server"]["maxUploadSize"] == settings.MAX_UPLOAD_MB == MAX_UPLOAD_BYTES // 2**20
    assert articles.MAX_ARTICLE_BYTES <= MAX_UPLOAD_BYTES


def test_visitors_never_see_tracebacks() -> None:
    value = CONFIG["client"]["showErrorDetails"]
    assert value == "none" and value in {v.value for v in st_config.ShowErrorDetailsConfigOptions}


def test_the_dataframe_toolbar_exports_nothing() -> None:
    assert CONFIG["client"]["disableDataExport"] is True
    assert st_config._config_options_template["client.disableDataExport"].type is bool  # an option of this Streamlit


def test_every_option_is_one_this_streamlit_knows() -> None:
    for section, options in CONFIG.items():
        for name in options:
            assert f"{section}.{name}" in st_config._config_options_template, f"{section}.{name}"


def test_the_secrets_example_uncommented_configures_editors() -> None:
    from geo import roles

    example = (settings.ROOT / ".streamlit" / "secrets.toml.example").read_text(encoding="utf-8")
    lines = [line[2:] if re.match(r"# ([a-z_]+ = |\[)", line) else line for line in example.splitlines()]
    secrets = tomllib.loads("\n".join(lines))
    config = roles.auth_config(secrets["mode"], secrets["auth"], secrets["editors"], secrets["editor_token"],
                               secrets["editor_tokens"])
    assert config.mode == "private" and config.providers == ("default",) and config.editors == {"ana@example.org"}
    assert set(config.tokens) == {"editor", "ana"} and config.problems == ()
    assert secrets["incidents_db"] and "editors" not in secrets["editor_tokens"]  # the tables do not swallow keys
