"""The MLP JSON files onnxgrad reads follow the JSON Schema in docs/, and the schema refuses
what onnxgrad refuses."""
import copy
import json
import pathlib

import jsonschema
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "onnxgrad-mlp.schema.json").read_text())
MODELS = sorted((ROOT / "Tests" / "Fixtures").glob("*/model.mlp.json"))


def test_schema_is_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_there_are_mlp_json_fixtures():
    assert len(MODELS) >= 5


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.parent.name)
def test_fixture_follows_schema(path):
    jsonschema.validate(json.loads(path.read_text()), SCHEMA, cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize("change", [
    lambda d: d.pop("format"),
    lambda d: d.update(version=2),
    lambda d: d["layers"][0].update(type="lineer"),
    lambda d: d["layers"][0].update(negative_slop=0.1),
    lambda d: d.update(weights="../outside.npz"),
    lambda d: d["inputs"][0].update(features=0),
    lambda d: d.update(unknown=1),
], ids=["no format", "version 2", "unknown layer type", "misspelt parameter", "weights outside", "no features", "unknown field"])
def test_schema_refuses_broken_documents(change):
    doc = copy.deepcopy(json.loads((ROOT / "Tests" / "Fixtures" / "generator" / "model.mlp.json").read_text()))
    change(doc)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, SCHEMA, cls=jsonschema.Draft202012Validator)
