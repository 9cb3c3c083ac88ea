"""The package indexes of pip's configuration on this machine, as pipenv counts them.

pipenv (2026.10.3, `Project.__init__`) adds every `index-url` and `extra-index-url` of pip's
configuration to the sources of a Pipfile that declares no [[source]], and hashes them into
Pipfile.lock's `_meta.hash`, while `_meta.sources` records only the default index. The image
build has no pip configuration, so its `pipenv install --deploy` refuses such a lock, and
`pipenv lock` on the same machine makes the same lock again. This module exists only to name
that cause: it never changes what dockergen decides (the lock is refused either way).

It reads what pip reads: with PIP_CONFIG_FILE=/dev/null nothing, else the global files
($XDG_CONFIG_DIRS/pip/pip.conf, /etc/pip.conf), the user's (~/.pip/pip.conf,
$XDG_CONFIG_HOME/pip/pip.conf) unless PIP_CONFIG_FILE names a file, that file, and the PIP_*
variables. The site file of the interpreter that ran pipenv cannot be known from here.
"""

from __future__ import annotations

import configparser
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Final

GLOBAL_DIRS: Final = ("/etc",)  # after $XDG_CONFIG_DIRS, as pip's site_config_dirs()
_KINDS: Final = ("index-url", "extra-index-url")

Source = dict[str, Any]


def pip_config_sources(environ: Mapping[str, str] | None = None) -> tuple[list[Source], ...]:
    """(the index-url sources, the extra-index-url sources), named and ordered as pipenv
    makes them (`pip_conf_index_<section>`, `pip_conf_extra_index_<section>[_<n>]`)."""
    environ = os.environ if environ is None else environ
    merged: dict[str, str] = {}
    for values in _loaded(environ):
        merged.update(values)
    indexes: list[Source] = []
    extras: list[Source] = []
    for key, value in merged.items():
        section, _, option = key.partition(".")
        if option not in _KINDS:
            continue
        trusted = merged.get(f"{section}.trusted-host", "").split()
        urls = value.split() if option == "extra-index-url" else [value]
        for number, url in enumerate(urls):
            verify = not any(host in url for host in trusted) and "https://" in url
            if option == "index-url":
                indexes.append(
                    {"url": url, "verify_ssl": verify, "name": f"pip_conf_index_{section}"}
                )
            else:
                suffix = f"_{number}" if len(urls) > 1 else ""
                name = f"pip_conf_extra_index_{section}{suffix}"
                extras.append({"url": url, "verify_ssl": verify, "name": name})
    return indexes, extras


def _loaded(environ: Mapping[str, str]) -> Iterator[dict[str, str]]:
    """Each file's `section.option` values, then the environment's, in pip's override order."""
    named = environ.get("PIP_CONFIG_FILE")
    if named != os.devnull:
        home = Path(environ.get("HOME", "~")).expanduser()
        xdg_dirs = environ.get("XDG_CONFIG_DIRS") or "/etc/xdg"
        files = [Path(d, "pip", "pip.conf") for d in xdg_dirs.split(os.pathsep) if d]
        files += [Path(d, "pip.conf") for d in GLOBAL_DIRS]
        if not (named and Path(named).exists()):
            config_home = environ.get("XDG_CONFIG_HOME") or str(home / ".config")
            files += [home / ".pip" / "pip.conf", Path(config_home, "pip", "pip.conf")]
        files += [Path(named)] if named else []
        yield from map(_read, files)
    yield {
        f":env:.{_normal(key[4:])}": value
        for key, value in environ.items()
        if key.startswith("PIP_") and key[4:].lower() not in ("version", "help")
    }


def _read(path: Path) -> dict[str, str]:
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError):
        return {}  # pip would refuse to start: this explains nothing
    return {
        f"{section}.{_normal(name)}": value
        for section in parser.sections()
        for name, value in parser.items(section)
    }


def _normal(name: str) -> str:
    name = name.lower().replace("_", "-")
    return name.removeprefix("--")
