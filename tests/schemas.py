"""The CI files' own JSON schemas, offline: SchemaStore's copies vendored by check-jsonschema.

Documents are read as YAML 1.2 (ruamel.yaml, as check-jsonschema reads them), where the
workflow key `on` stays a string; PyYAML (YAML 1.1) would read it as the boolean true.
"""

from __future__ import annotations

import functools
import io
import json
from importlib.resources import files
from typing import Any

import jsonschema
from ruamel.yaml import YAML

VENDOR = "check_jsonschema.builtin_schemas.vendor"


@functools.cache
def _validator(name: str) -> jsonschema.protocols.Validator:
    schema = json.loads((files(VENDOR) / f"{name}.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def load_yaml(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(io.StringIO(text))


def schema_errors(name: str, text: str) -> list[str]:
    """Every violation of the vendored schema `name` (github-workflows, dependabot, gitlab-ci)."""
    document = load_yaml(text)
    errors = _validator(name).iter_errors(document)
    return [f"{list(error.absolute_path)}: {error.message}" for error in errors]
