"""The shipped models: each reads, weighs exactly the features the code computes, and a stale or
damaged file is refused with a message that names the command that rebuilds it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from geo.gazetteer import ranking
from geo.geoparse import location
from geo.models import LinearModel, ModelError

MODELS = [(ranking.MODEL_PATH, ranking.FEATURES, ("outside_min",), "python scripts/fit_ranking.py"),
          (location.MODEL_PATH, location.CUES, ("extra_min",), "python scripts/fit_event_place.py")]


@pytest.mark.parametrize(("path", "features", "settings", "rebuild"), MODELS)
def test_a_shipped_model_reads_and_says_how_it_was_made(path: Path, features: Sequence[str],
                                                         settings: Sequence[str], rebuild: str) -> None:
    model = LinearModel.read(path, features, settings, rebuild)
    assert len(model.weights) == len(features) and set(model.settings) == set(settings)
    assert model.about["rebuild"] == rebuild and model.about["layers"]  # how it was fitted, on what
    assert 0.0 < model.probability([0.0] * len(features)) < 1.0


@pytest.mark.parametrize(("path", "features", "settings", "rebuild"), MODELS)
def test_a_stale_or_damaged_model_names_the_command_that_rebuilds_it(
        tmp_path: Path, path: Path, features: Sequence[str], settings: Sequence[str], rebuild: str) -> None:
    stale = json.loads(path.read_text(encoding="utf-8"))
    stale["weights"]["a_feature_this_code_lacks"] = 1.0
    (tmp_path / "stale.json").write_text(json.dumps(stale), encoding="utf-8")
    with pytest.raises(ModelError, match="other features") as caught:
        LinearModel.read(tmp_path / "stale.json", features, settings, rebuild)
    assert rebuild in str(caught.value)
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    with pytest.raises(ModelError, match=f"cannot be read.*{rebuild}"):
        LinearModel.read(tmp_path / "broken.json", features, settings, rebuild)
    with pytest.raises(ModelError, match="cannot be read"):
        LinearModel.read(tmp_path / "missing.json", features, settings, rebuild)
