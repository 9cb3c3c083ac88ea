"""dockergen: production-grade BuildKit Dockerfiles from a Python project's own metadata."""

from __future__ import annotations

from dockergen.detect import detect_project
from dockergen.errors import DockergenError
from dockergen.model import Decided, Installer, Overrides, ProjectSpec, RenderedFile
from dockergen.render import render_files
from dockergen.version import __version__
from dockergen.write import write_files

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
