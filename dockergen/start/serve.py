"""How an app found in the code is started in production: the server among the dependencies
that serves it, on every interface, with the environment it needs."""

from __future__ import annotations

import dataclasses
import posixpath
import re
import shlex
from collections.abc import Callable, Iterator
from typing import Final

from dockergen.project import ProjectDir
from dockergen.start.candidate import Candidate, Origin, Role
from dockergen.start.code import Found, Setting, find_apps
from dockergen.start.scan import read_source
from dockergen.start.servers import BIND
from dockergen.start.shell import port_number

# ASGI servers, best first, and how each serves `target` on every interface.
ASGI_SERVERS: Final[dict[str, Callable[[str, bool], tuple[str, ...]]]] = {
    "uvicorn": lambda target, factory: (
        "uvicorn",
        *(("--factory",) if factory else ()),
        target,
        "--host",
        BIND,
        "--port",
        "8000",
    ),
    "hypercorn": lambda target, factory: (
        "hypercorn",
        f"{target}()" if factory else target,
        "--bind",
        f"{BIND}:8000",
    ),
    "granian": lambda target, factory: (
        "granian",
        "--interface",
        "asgi",
        *(("--factory",) if factory else ()),
        "--host",
        BIND,
        target,
    ),
    "daphne": lambda target, factory: ("daphne", "--bind", BIND, "--port", "8000", target),
}
# Entry files, best first: an app there is the app; elsewhere it may be a helper's.
ENTRY_NAMES: Final = (
    "main",
    "app",
    "wsgi",
    "asgi",
    "server",
    "api",
    "application",
    "__init__",
    "web",
    "run",
    "serve",
    "start",
    "manage",
)
# Files an app in is no app to deploy.
_NOT_APPS: Final = ("test", "conftest", "setup", "noxfile", "fabfile", "tasks", "docs")


def code_candidates(
    project: ProjectDir, dependencies: frozenset[str], *, installs_project: bool
) -> Iterator[Candidate]:
    """Candidates from the code, the likeliest first."""
    apps = [f for f in find_apps(project) if _deployable(f)]
    named = _flask_app_named(project)
    apps.sort(key=lambda f: (f.module != named and f.file != named, *_rank(f)))
    for found in apps:
        if found.kind == "main":
            continue
        candidate = _candidate(project, found, dependencies, installs_project)
        if candidate is not None:
            yield candidate


_FLASK_APP: Final = re.compile(r"^\s*(?:export\s+)?FLASK_APP\s*=\s*['\"]?([\w./]+)", re.MULTILINE)


def _flask_app_named(project: ProjectDir) -> str:
    """The module `.flaskenv` (Flask's own file for `flask run`) names in FLASK_APP."""
    found = _FLASK_APP.search(read_source(project, ".flaskenv") or "")
    if not found:
        return ""
    name = found.group(1)
    return name if name.endswith(".py") else name.split(":")[0]


def _deployable(found: Found) -> bool:
    if found.kind == "worker":  # a task queue's module is often tasks.py
        return True
    base = posixpath.basename(found.file).removesuffix(".py")
    return not any(base.startswith(word) or base.endswith("_test") for word in _NOT_APPS)


def _rank(found: Found) -> tuple[int, int, int]:
    base = posixpath.basename(found.file).removesuffix(".py")
    named = ENTRY_NAMES.index(base) if base in ENTRY_NAMES else len(ENTRY_NAMES)
    kinds = ("asgi", "wsgi", "factory-asgi", "factory-wsgi", "streamlit", "script", "worker")
    kind = kinds.index(found.kind) if found.kind in kinds else len(kinds)
    return found.file.count("/"), kind, named


def import_root(project: ProjectDir, found: Found, installs_project: bool) -> tuple[str, str]:
    """(folder the module is imported from, module name): `src/shop/app.py` is `shop.app`
    from `src` unless the project is installed; a file that imports its siblings by plain
    name (`import routes` beside `routes.py`) is imported from its own folder."""
    file = found.file
    folder = posixpath.dirname(file)
    if file.startswith("src/") and not installs_project:
        return "src", _module(file.removeprefix("src/"))
    if file.startswith("src/"):
        return "", _module(file.removeprefix("src/"))
    if folder and _imports_siblings(project, found):
        return folder, _module(posixpath.basename(file))
    return "", _module(file)


def _module(file: str) -> str:
    return file.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def _imports_siblings(project: ProjectDir, found: Found) -> bool:
    import ast

    from dockergen.start.scan import sources

    folder = posixpath.dirname(found.file)
    source = next((s for s in sources(project) if s.name == found.file), None)
    if source is None:
        return False
    for node in ast.walk(source.tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name.split(".")[0] for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module.split(".")[0]]
        for name in names:
            beside = project.kind(f"{folder}/{name}.py") or project.kind(f"{folder}/{name}")
            at_root = project.kind(f"{name}.py") or project.kind(name)
            if beside and not at_root and name != posixpath.basename(folder):
                return True
    return False


def _candidate(
    project: ProjectDir, found: Found, dependencies: frozenset[str], installs_project: bool
) -> Candidate | None:
    root, module = import_root(project, found, installs_project)
    where = Candidate((), found.file, "", Origin.CODE, found.line)
    if found.kind in ("asgi", "factory-asgi"):
        return _asgi(found, module, root, dependencies, where)
    if found.kind in ("wsgi", "factory-wsgi"):
        return _wsgi(found, module, root, dependencies, where)
    if found.kind == "streamlit":
        argv = ("streamlit", "run", found.file, "--server.port", "8501")
        return dataclasses.replace(
            where,
            argv=argv,
            what=f"Streamlit script {found.file}",
            role=Role.SERVER,
            port=8501,
            port_why="Streamlit's default port",
        )
    if found.kind == "script":
        return _script(found, where)
    if found.kind == "worker":
        return _worker(found, module, root, where)
    return None


def _factory(found: Found) -> bool:
    return found.kind.startswith("factory")


def _asgi(
    found: Found, module: str, root: str, dependencies: frozenset[str], where: Candidate
) -> Candidate | None:
    server = next((s for s in ASGI_SERVERS if s in dependencies), None)
    target = f"{module}:{found.attr}"
    what = f"{found.framework} app {target}"
    if server is None:
        return _needs_server(found, target, where, "an ASGI server (uvicorn, hypercorn, granian)")
    argv = ASGI_SERVERS[server](target, _factory(found))
    if root:
        argv = (
            (*argv, "--app-dir", root)
            if server == "uvicorn"
            else ("sh", "-c", f"cd {shlex.quote(root)} && exec {shlex.join(argv)}")
        )
    return dataclasses.replace(
        where, argv=argv, what=f"{what}, served by {server}", role=Role.SERVER
    )


def _wsgi(
    found: Found, module: str, root: str, dependencies: frozenset[str], where: Candidate
) -> Candidate | None:
    target = f"{module}:{found.attr}" + ("()" if _factory(found) else "")
    what = f"{found.framework} app {target}"
    chdir = ("--chdir", root) if root else ()
    if "gunicorn" in dependencies:
        argv = ("gunicorn", *chdir, "--bind", f"{BIND}:8000", target)
        return dataclasses.replace(
            where, argv=argv, what=f"{what}, served by gunicorn", role=Role.SERVER
        )
    if "waitress" in dependencies and not root:
        argv = (
            "waitress-serve",
            "--listen",
            "*:8080",
            *(("--call",) if _factory(found) else ()),
            target.removesuffix("()"),
        )
        return dataclasses.replace(
            where, argv=argv, what=f"{what}, served by waitress", role=Role.SERVER
        )
    if found.framework == "Flask":
        # FLASK_APP, not --app: Flask 1.x, still in many locks, has no --app.
        argv = ("flask", "run", "--host", BIND, "--port", "5000")
        env = (("FLASK_APP", target),) + ((("PYTHONPATH", f"/app/{root}"),) if root else ())
        note = (
            f"{found.file} defines a Flask app and gunicorn is not a dependency, so Flask's "
            "development server runs it; add gunicorn for production"
        )
        return dataclasses.replace(
            where,
            argv=argv,
            what=f"{what}, Flask's own server",
            role=Role.SERVER,
            environment=env,
            warnings=(note,),
        )
    return _needs_server(found, target, where, "a WSGI server (gunicorn, waitress)")


def _needs_server(found: Found, target: str, where: Candidate, server: str) -> Candidate:
    """The app, with no command: none of the servers that could run it is a dependency."""
    warning = (
        f"{found.file}: the {found.framework} app {target} needs {server} among the "
        "dependencies; add one, or pass --command '...'"
    )
    what = f"{found.framework} app {target}"
    return dataclasses.replace(where, argv=(), what=what, role=Role.SERVER, warnings=(warning,))


def _script(found: Found, where: Candidate) -> Candidate:
    """`python file.py`, with what makes its server listen everywhere when the file reads it
    from the environment; a literal loopback address is only warned about."""
    env: list[tuple[str, str]] = []
    warnings: list[str] = []
    port, why = None, ""
    host = found.host
    if found.launcher == "Gradio":
        if host is None or (host.variable and not host.literal):
            env.append(("GRADIO_SERVER_NAME", BIND))
        port, why = 7860, "Gradio's default port"
        if found.port is None:
            env.append(("GRADIO_SERVER_PORT", "7860"))
    if host and host.variable:
        env.append((host.variable, BIND))
    elif host and isinstance(host.literal, str) and host.literal not in (BIND, "", "::", "*"):
        warnings.append(
            f"{found.file}:{found.line}: the server listens on {host.literal}, which nothing "
            "outside the container can reach; make it listen on 0.0.0.0"
        )
    elif host is None and found.launcher in ("uvicorn", "app.run", "Bottle"):
        warnings.append(
            f"{found.file}:{found.line}: the server listens on 127.0.0.1 by default, which "
            "nothing outside the container can reach; pass host='0.0.0.0'"
        )
    port, why = _port(found.port, port, why, env)
    argv = ("python", found.file)
    # app.run() is the framework's own development server (Flask's Werkzeug, Sanic's debug).
    dev = (
        "app.run() starts the framework's development server" if found.launcher == "app.run" else ""
    )
    return dataclasses.replace(
        where,
        argv=argv,
        what=f"{found.file} starts a server ({found.launcher})",
        role=Role.SERVER,
        port=port,
        port_why=why,
        environment=tuple(env),
        warnings=tuple(warnings),
        dev_only=dev,
    )


def _port(
    setting: Setting | None, port: int | None, why: str, env: list[tuple[str, str]]
) -> tuple[int | None, str]:
    if setting is None:
        return port, why
    if isinstance(setting.literal, int):
        return setting.literal, "the port the script passes"
    if isinstance(setting.literal, str) and (literal := port_number(setting.literal)):
        return literal, "the port the script passes"
    if setting.variable:
        default = setting.default
        number = 8000
        if isinstance(default, int):
            number = default
        elif isinstance(default, str) and (stated := port_number(default)):
            number = stated
        env.append((setting.variable, str(number)))
        return number, f"{setting.variable}, which the script reads"
    return port, why


def _worker(found: Found, module: str, root: str, where: Candidate) -> Candidate:
    if found.framework == "Celery":
        argv: tuple[str, ...] = (
            "celery",
            "-A",
            f"{module}:{found.attr}",
            "worker",
            "--loglevel",
            "INFO",
        )
    elif found.framework == "Dramatiq":
        argv = ("dramatiq", module)
    else:
        argv = ("huey_consumer", f"{module}.{found.attr}")
    env = (("PYTHONPATH", f"/app/{root}"),) if root else ()
    return dataclasses.replace(
        where,
        argv=argv,
        what=f"{found.framework} worker {module}",
        role=Role.WORKER,
        environment=env,
    )
