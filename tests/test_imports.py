"""The shape of the package: where error classes live, and which module may import which."""

from __future__ import annotations

import importlib
import pkgutil

import dockergen
from dockergen.errors import DockergenError

MODULES = sorted(m.name for m in pkgutil.walk_packages(dockergen.__path__, "dockergen."))


def _subclasses(cls: type) -> list[type]:
    found: list[type] = []
    sub: type
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def test_every_expected_failure_is_defined_in_errors() -> None:
    for name in MODULES:
        importlib.import_module(name)
    outside = [
        f"{c.__module__}.{c.__qualname__}"
        for c in _subclasses(DockergenError)
        if c.__module__.startswith("dockergen.") and c.__module__ != "dockergen.errors"
    ]
    assert outside == [], "a DockergenError subclass belongs in dockergen/errors.py"
