"""dockergen: production-grade BuildKit Dockerfiles from a Python project's own metadata.

The names below are loaded when first used, so importing one module of the package (a
renderer, the version) does not import detection and everything else.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Final

from dockergen.version import __version__

if TYPE_CHECKING:
    from dockergen.detect import detect_project
    from dockergen.errors import DockergenError
    from dockergen.model import Decided, Installer, Overrides, ProjectSpec, RenderedFile
    from dockergen.render import render_files
    from dockergen.write import write_files

_WHERE: Final = {
    "Decided": "dockergen.model",
    "DockergenError": "dockergen.errors",
    "Installer": "dockergen.model",
    "Overrides": "dockergen.model",
    "ProjectSpec": "dockergen.model",
    "RenderedFile": "dockergen.model",
    "detect_project": "dockergen.detect",
    "render_files": "dockergen.render",
    "write_files": "dockergen.write",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'dockergen' has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name]), name)


__all__ = [
    "Decided",
    "DockergenError",
    "Installer",
    "Overrides",
    "ProjectSpec",
    "RenderedFile",
    "__version__",
    "detect_project",
    "render_files",
    "write_files",
]
