"""dockergen: production-grade BuildKit Dockerfiles from a Python project's own metadata."""

from __future__ import annotations

from dockergen.detect import detect_project
from dockergen.errors import DockergenError
from dockergen.model import Decided, Installer, Overrides, ProjectSpec, RenderedFile
from dockergen.render import render_files
from dockergen.write import write_files

# The single source of the version (hatch reads it); no importlib.metadata at start-up.
__version__ = "0.1.0"

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
