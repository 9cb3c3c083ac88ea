"""setup.cfg metadata (setuptools' declarative config): name, Python range, console scripts.

Read leniently: a setup.cfg dockergen cannot parse is one it learns nothing from (setuptools
reports its own errors at build time).
"""

from __future__ import annotations

from dataclasses import dataclass

from dockergen.errors import DockergenError
from dockergen.project import ProjectDir

SETUP_CFG = "setup.cfg"


@dataclass(frozen=True, slots=True)
class SetupCfg:
    """What dockergen reads from setup.cfg; empty values when it has none."""

    name: str = ""
    python_requires: str = ""
    console_scripts: tuple[str, ...] = ()  # the script names


def setup_cfg(project: ProjectDir) -> SetupCfg:
    return project.cached(SETUP_CFG, lambda: _read(project))


def _read(project: ProjectDir) -> SetupCfg:
    try:
        if not project.is_file(SETUP_CFG):
            return SetupCfg()
        text = project.read_text(SETUP_CFG)
    except DockergenError:
        return SetupCfg()
    import configparser  # here: only a project with a setup.cfg pays for importing it

    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error:
        return SetupCfg()
    scripts = parser.get("options.entry_points", "console_scripts", fallback="")
    names = [line.split("=", 1)[0].strip() for line in scripts.splitlines() if "=" in line]
    return SetupCfg(
        name=parser.get("metadata", "name", fallback="").strip(),
        python_requires=parser.get("options", "python_requires", fallback="").strip(),
        console_scripts=tuple(n for n in names if n),
    )
