"""The version of dockergen: its single source (hatch reads it), in a module of its own, so a
renderer that writes it into a file (the CI workflows) imports nothing else."""

from __future__ import annotations

__version__ = "0.1.0"
