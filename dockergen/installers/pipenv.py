"""pipenv: Pipfile, enforced by Pipfile.lock (`pipenv install --deploy`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Final

from dockergen.installers import lockhash
from dockergen.installers.base import (
    BaseInstaller,
    Evidence,
    Index,
    LockedPackage,
    Strength,
)
from dockergen.installers.recipes import lock_note
from dockergen.installers.tables import (
    git_if_any,
    local_copies,
    local_warning,
    path_dependencies,
    source_tables,
    table_entries,
)
from dockergen.model import Decided, DevTarget, Installer, InstallFacts, ProjectSpec
from dockergen.project import ProjectDir, check_shape
from dockergen.safety import checked
from dockergen.steps import Recipe, command, install
from dockergen.text import shown

PIPFILE: Final = "Pipfile"
_SHAPES: Final = ((("requires",), dict), (("packages",), dict))
_VERSION: Final = re.compile(r"\d{1,4}\.\d{1,4}(?:\.\d{1,4})?", re.ASCII)
# Pipfile tables that are not package categories (every other table is one, and is hashed).
_NOT_CATEGORIES: Final = frozenset(
    {"source", "packages", "dev-packages", "requires", "scripts", "pipfile", "pipenv"}
    | {"default", "develop"}
)


class Pipenv(BaseInstaller):
    installer = Installer.PIPENV
    lockfile = "Pipfile.lock"
    lock_command = "pipenv lock"
    lock_manifest: str = PIPFILE
    stale_lock_output: str | None = r"Pipfile\.lock \(\w+\) out of date"
    # No setting in the Pipfile asks for a pipenv release (checked in pipenv itself), so the pin
    # is the only one; uv's required-version and poetry's requires-poetry have no pipenv twin.
    requirements = ("pipenv==2026.10.3",)

    def evidence(self, project: ProjectDir) -> tuple[Evidence, ...]:
        found = []
        if project.is_file("Pipfile.lock"):
            found.append(Evidence(Strength.LOCK, "Pipfile.lock"))
        if project.is_file(PIPFILE):
            found.append(Evidence(Strength.MANIFEST, PIPFILE))
        return tuple(found)

    def facts(self, project: ProjectDir, python: str) -> InstallFacts:
        locked = project.is_file("Pipfile.lock")
        warnings: tuple[str, ...] = (
            ()
            if locked
            else (
                "Pipfile has no Pipfile.lock: the build resolves versions afresh and is not "
                "reproducible; run `pipenv lock` and commit Pipfile.lock",
            )
        )
        packages = _pipfile(project).get("packages", {})
        pairs = path_dependencies(packages)
        local = tuple(name for name, _ in pairs)
        copies = local_copies(project, [(path, PIPFILE) for _, path in pairs])
        if locked and not any(self.python_pins(project)) and not _lock_names_python(project):
            warnings += (
                "neither Pipfile nor Pipfile.lock names a Python version, so the lock was "
                "resolved for an interpreter dockergen cannot know; if the build or the app "
                "fails on this Python, pass --python with the one the lock was made with",
            )
        return InstallFacts(
            manifests=checked(PIPFILE, "Pipfile.lock") if locked else checked(PIPFILE),
            locked=locked,
            lockfile="Pipfile.lock" if locked else None,
            apt_build=git_if_any(packages.values()),
            warnings=(*warnings, *local_warning(local if copies is None else ())),
            deps_before_source=copies is not None,
            local_dependencies=local,
            local_paths=copies or (),
        )

    def dev_target(self, project: ProjectDir) -> DevTarget:
        """[dev-packages], installed by `pipenv install --dev`."""
        return DevTarget(groups=("dev-packages",) if "dev-packages" in _pipfile(project) else ())

    def declared(self, project: ProjectDir) -> Iterator[tuple[str, tuple[str, ...]]]:
        yield from table_entries(_pipfile(project).get("packages"))

    def locked(self, project: ProjectDir) -> Iterator[LockedPackage]:
        if not project.is_file("Pipfile.lock"):
            return
        lock = project.read_json("Pipfile.lock", fix="regenerate it with `pipenv lock`")
        default = lock.get("default")
        for name in default if isinstance(default, dict) else ():
            yield LockedPackage(str(name), (), default=True)

    def python_pins(self, project: ProjectDir) -> Iterator[Decided[str]]:
        requires = _pipfile(project).get("requires", {})
        for key in ("python_full_version", "python_version"):
            value = str(requires.get(key, ""))
            if _VERSION.fullmatch(value):
                yield Decided(value, PIPFILE, f"Pipfile [requires] {key} = {value!r}")
                return

    def indexes(self, project: ProjectDir, manifests: tuple[str, ...]) -> Iterator[Index]:
        """Pipfile [[source]]; pipenv's resolver and pip read the credentials from ~/.netrc."""
        yield from source_tables(
            _pipfile(project).get("source"), "Pipfile [[source]]", frozenset({"pypi"})
        )

    def stale_lock(self, project: ProjectDir) -> str | None:
        if not project.is_file("Pipfile.lock") or not project.is_file(PIPFILE):
            return None
        lock = project.read_json("Pipfile.lock", fix="regenerate it with `pipenv lock`")
        meta = lockhash.table(lock, "_meta")
        stored = lockhash.table(meta, "hash").get("sha256")
        pipfile = _pipfile(project)
        # Without [[source]], pipenv hashes its implicit default index, which pip.conf can
        # change; the lock lists the sources it was made with. Neither: undecided.
        sources = pipfile["source"] if "source" in pipfile else meta.get("sources")
        if not isinstance(stored, str) or not sources:
            return None
        computed = pipfile_hash(pipfile, sources)
        if computed is None or stored == computed:
            return None
        if "source" not in pipfile and (added := _pip_config_indexes(pipfile, sources, stored)):
            return (
                "its _meta.hash counts package indexes from this machine's pip configuration "
                f"({added}), which the Pipfile does not declare and the image build does not "
                "have, so the build's `pipenv install --deploy` refuses it; declare them as "
                "[[source]] in the Pipfile, or make the lock with PIP_CONFIG_FILE=/dev/null"
            )
        return "its _meta.hash does not match Pipfile"

    def recipe(self, spec: ProjectSpec) -> Recipe:
        if spec.install.locked:
            deploy: tuple[str, ...] = ("--deploy",)
            refuses = "--deploy refuses a Pipfile.lock that is out of date"
            notes = (f"{refuses} with the Pipfile; no dev packages.",)
            dev_notes = (f"[dev-packages] too; {refuses.replace('refuses', 'still refuses')}.",)
        else:
            deploy, notes = (), (lock_note(spec.install, "Pipfile.lock", ""),)
            dev_notes = notes
        return Recipe(
            env=_ENV,
            tool=self.requirements,
            dependencies=install((command("pipenv", "install", *deploy),), notes=notes),
            dev_dependencies=install(
                (command("pipenv", "install", "--dev", *deploy),), notes=dev_notes
            ),
        )


# The environment in /app/.venv, without pip, setuptools or wheel; no spinner in build logs.
_ENV: Final = (
    ("PIPENV_VENV_IN_PROJECT", "1"),
    ("PIPENV_NOSPIN", "1"),
    ("VIRTUALENV_NO_PIP", "1"),
    ("VIRTUALENV_NO_SETUPTOOLS", "1"),
    ("VIRTUALENV_NO_WHEEL", "1"),
)


def pipfile_hash(pipfile: dict[str, Any], sources: Any) -> str | None:
    """Pipfile.lock's `_meta.hash.sha256` (pipenv 2026), with `sources` as [[source]]."""
    from packaging.utils import canonicalize_name

    def category(packages: Any) -> dict[str, Any]:  # pipenv 2026 normalises package names
        items = packages.items() if isinstance(packages, dict) else ()
        return {canonicalize_name(name): spec for name, spec in items}

    data = {
        "_meta": {"sources": sources, "requires": pipfile.get("requires", {})},
        "default": category(pipfile.get("packages")),
        "develop": category(pipfile.get("dev-packages")),
    }
    for name, packages in pipfile.items():
        if name not in _NOT_CATEGORIES:
            data[name] = category(packages)
    return lockhash.sha256_json(data, compact=True)


def _pip_config_indexes(pipfile: dict[str, Any], sources: Any, stored: str) -> str | None:
    """The pip configuration's indexes (names and hosts) when the lock's hash is the one
    pipenv makes with them added to the Pipfile's implicit sources; else None."""
    from urllib.parse import urlsplit

    from dockergen.pipconfig import pip_config_sources

    if not isinstance(sources, list):
        return None
    indexes, extras = pip_config_sources()
    added = [s for s in (*indexes, *extras) if s not in sources]
    if not added or pipfile_hash(pipfile, [*sources, *added]) != stored:
        return None
    return shown(
        ", ".join(f"{s['name']} at {urlsplit(s['url']).hostname or s['url']}" for s in added)
    )


def _lock_names_python(project: ProjectDir) -> bool:
    lock = project.read_json("Pipfile.lock", fix="regenerate it with `pipenv lock`")
    meta = lock.get("_meta")
    requires = meta.get("requires") if isinstance(meta, dict) else None
    return isinstance(requires, dict) and any(k.startswith("python") for k in requires)


def _pipfile(project: ProjectDir) -> dict[str, Any]:
    if not project.is_file(PIPFILE):
        return {}
    data = project.read_toml(PIPFILE)
    check_shape(PIPFILE, data, _SHAPES, "fix it")
    return data


PIPENV: Final = Pipenv()
