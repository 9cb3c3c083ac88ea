"""dockergen: production-grade BuildKit Dockerfiles from a Python project's own metadata.

The names below are imported on first use, so that `import dockergen` (and the start of every
`dockergen` command) costs nothing until they are needed.
"""

from __future__ import annotations

from dockergen.version import __version__  # its single source (hatch reads it); imports nothing

TYPE_CHECKING = False  # not typing's: importing typing costs start-up time before Ctrl-C is handled
if TYPE_CHECKING:
    from dockergen.detect import detect_project
    from dockergen.errors import DockergenError
    from dockergen.model import Decided, Installer, Overrides, ProjectSpec, RenderedFile
    from dockergen.render import render_files
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
_HOMES = {
    "Decided": "model",
    "DockergenError": "errors",
    "Installer": "model",
    "Overrides": "model",
    "ProjectSpec": "model",
    "RenderedFile": "model",
    "detect_project": "detect",
    "render_files": "render",
    "write_files": "write",
}


def __getattr__(name: str) -> object:
    import importlib  # here: the entry point imports this package before it handles Ctrl-C

    if name not in _HOMES:
        raise AttributeError(f"module 'dockergen' has no attribute {name!r}")
    return getattr(importlib.import_module(f"dockergen.{_HOMES[name]}"), name)
