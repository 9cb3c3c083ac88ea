"""Apps found by reading the code: app objects, factories, and scripts that start a server.

Each parsed file (`dockergen.start.scan`) is read with `ast`, never imported or run. Names
are resolved through the file's own imports, so `from fastapi import FastAPI as F; api = F()`
is found in `svc/main.py` as well as in `app.py`. What is looked for:

- an **app object** at module level, made by a framework's app class or function
  (`FastAPI()`, `Flask(__name__)`, `get_wsgi_application()`), or by calling a factory;
- an **app factory**: a module-level function, in a file that imports a framework, that
  returns such an object (`create_app()`);
- a **server started in `if __name__ == "__main__":`** (directly, or in the function the block
  calls): `uvicorn.run(...)`, `app.run(...)`, `web.run_app(...)`, `waitress.serve(...)`, a Gradio
  `launch()`, with the host and port it passes — literals, or environment variables it reads;
- a **Streamlit script** (it imports streamlit and calls it at module level);
- a **task worker**: a Celery app, a Dramatiq broker, a Huey instance.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

from dockergen.project import ProjectDir
from dockergen.start.scan import Source, sources

# Qualified names that make an app, and what serves it.
ASGI: Final = {
    "fastapi.FastAPI": "FastAPI",
    "fastapi.applications.FastAPI": "FastAPI",
    "starlette.applications.Starlette": "Starlette",
    "litestar.Litestar": "Litestar",
    "litestar.app.Litestar": "Litestar",
    "quart.Quart": "Quart",
    "django.core.asgi.get_asgi_application": "Django",
    "channels.routing.ProtocolTypeRouter": "Django Channels",
    "falcon.asgi.App": "Falcon",
    "blacksheep.Application": "BlackSheep",
    "connexion.AsyncApp": "Connexion",
}
WSGI: Final = {
    "flask.Flask": "Flask",
    "flask.app.Flask": "Flask",
    "django.core.wsgi.get_wsgi_application": "Django",
    "falcon.App": "Falcon",
    "falcon.API": "Falcon",
    "bottle.Bottle": "Bottle",
    "bottle.default_app": "Bottle",
    "connexion.FlaskApp": "Connexion",
    "connexion.App": "Connexion",
}
# Dash apps are served through their Flask server: `module:app.server`.
DASH: Final = {"dash.Dash": "Dash", "dash.dash.Dash": "Dash"}
WORKERS: Final = {
    "celery.Celery": "Celery",
    "dramatiq.brokers.redis.RedisBroker": "Dramatiq",
    "dramatiq.brokers.rabbitmq.RabbitmqBroker": "Dramatiq",
    "huey.RedisHuey": "Huey",
    "huey.SqliteHuey": "Huey",
    "huey.Huey": "Huey",
}
# Calls that start a server: qualified name (or method name on an app: ".run"), framework.
SERVER_CALLS: Final = {
    "uvicorn.run": "uvicorn",
    "hypercorn.asyncio.serve": "hypercorn",
    "aiohttp.web.run_app": "aiohttp",
    "waitress.serve": "waitress",
    "cherrypy.quickstart": "CherryPy",
    "cherrypy.engine.start": "CherryPy",
    "bottle.run": "Bottle",
    "nicegui.ui.run": "NiceGUI",
    "tornado.ioloop.IOLoop.current": "Tornado",
    "flask_socketio.SocketIO.run": "Flask-SocketIO",
}
FACTORY_NAMES: Final = ("create_app", "make_app", "get_app", "get_application", "app_factory")
HOST_KEYWORDS: Final = ("host", "server_name", "listen")
PORT_KEYWORDS: Final = ("port", "server_port")


@dataclass(frozen=True, slots=True)
class Setting:
    """A host or port a call passes: a literal, or an environment variable with its default."""

    literal: str | int | None = None
    variable: str = ""  # the environment variable it is read from
    default: str | int | None = None  # the default of that read


@dataclass(frozen=True, slots=True)
class Found:
    """An app, factory or server script found in the project's code."""

    kind: str  # "asgi", "wsgi", "factory-asgi", "factory-wsgi", "script", "streamlit", "worker"
    framework: str
    file: str
    line: int
    attr: str = ""  # the app object or factory (`app`, `create_app`, `app.server` for Dash)
    host: Setting | None = None  # scripts: where the server listens
    port: Setting | None = None
    launcher: str = ""  # scripts: what starts the server (uvicorn, Flask's app.run, Gradio)
    reads: tuple[str, ...] = field(default=())  # environment variables the file reads

    @property
    def module(self) -> str:
        return module_of(self.file)


def module_of(file: str) -> str:
    return file.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def find_apps(project: ProjectDir) -> tuple[Found, ...]:
    """Everything found, in the walk's order (shallow files first)."""
    return project.cached("code:apps", lambda: tuple(_all(project)))


def _all(project: ProjectDir) -> Iterator[Found]:
    for source in sources(project):
        yield from _read(source)


def _read(source: Source) -> Iterator[Found]:
    names = _imports(source.tree)
    frameworks = {q for q in names.values() if q.split(".")[0] in _FRAMEWORK_ROOTS}
    reads = tuple(dict.fromkeys(_env_reads(source.tree)))
    factories = set()
    for node in source.tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and frameworks:
            made = _returns_app(node, names)
            if made:
                factories.add(node.name)
                kind = "factory-asgi" if made[0] in ASGI else "factory-wsgi"
                yield Found(kind, made[1], source.name, node.lineno, node.name, reads=reads)
        target, value = _assignment(node)
        if target is None or not isinstance(value, ast.Call):
            continue
        called = _qualified(value.func, names)
        if called in ASGI:
            yield Found("asgi", ASGI[called], source.name, node.lineno, target, reads=reads)
        elif called in WSGI:
            yield Found("wsgi", WSGI[called], source.name, node.lineno, target, reads=reads)
        elif called in DASH:
            yield Found("wsgi", "Dash", source.name, node.lineno, f"{target}.server", reads=reads)
        elif called in WORKERS:
            yield Found("worker", WORKERS[called], source.name, node.lineno, target, reads=reads)
        elif frameworks and _factory_call(value, names, factories):
            framework = _framework_of(frameworks)
            kind = "asgi" if framework in ASGI.values() else "wsgi"
            yield Found(kind, framework, source.name, node.lineno, target, reads=reads)
    if actor := _actors(source, names):  # tasks without a broker object of their own
        yield Found("worker", "Dramatiq", source.name, actor, reads=reads)
    if streamlit := _streamlit(source, names):
        yield Found("streamlit", "Streamlit", source.name, streamlit, reads=reads)
    yield from _main_block(source, names, reads)


_FRAMEWORK_ROOTS: Final = frozenset(q.split(".")[0] for q in (*ASGI, *WSGI, *DASH))


def _framework_of(qualified: set[str]) -> str:
    for table in (ASGI, WSGI):
        for name, framework in table.items():
            if any(
                q == name or name.startswith(q + ".") or q.startswith(name.split(".")[0])
                for q in qualified
            ):
                return framework
    return "app"


def _imports(tree: ast.Module) -> dict[str, str]:
    """Local name -> qualified name, for module-level imports (and those in `try:`)."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.split(".")[0]
                names[local] = alias.name if alias.asname else alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _qualified(node: ast.expr, names: dict[str, str]) -> str:
    """`web.Application` -> `aiohttp.web.Application` when `from aiohttp import web`."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    head = names.get(node.id, node.id)
    return ".".join([head, *reversed(parts)])


def _assignment(node: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
        if isinstance(target, ast.Name):
            return target.id, node.value
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
        return node.target.id, node.value
    return None, None


def _returns_app(
    function: ast.FunctionDef | ast.AsyncFunctionDef, names: dict[str, str]
) -> tuple[str, str] | None:
    """(qualified class, framework) when the function builds an app and returns it."""
    made: dict[str, str] = {}
    for node in ast.walk(function):
        target, value = _assignment(node) if isinstance(node, ast.stmt) else (None, None)
        if target and isinstance(value, ast.Call):
            called = _qualified(value.func, names)
            if called in ASGI or called in WSGI:
                made[target] = called
        if isinstance(node, ast.Return) and node.value is not None:
            if isinstance(node.value, ast.Name) and node.value.id in made:
                called = made[node.value.id]
                return called, {**ASGI, **WSGI}[called]
            if isinstance(node.value, ast.Call):
                called = _qualified(node.value.func, names)
                if called in ASGI or called in WSGI:
                    return called, {**ASGI, **WSGI}[called]
    return None


def _factory_call(call: ast.Call, names: dict[str, str], factories: set[str]) -> bool:
    """`app = create_app()` / `app = get_application()`: a factory called at module level."""
    func = call.func
    name = (
        func.id
        if isinstance(func, ast.Name)
        else func.attr
        if isinstance(func, ast.Attribute)
        else ""
    )
    return name in factories or name in FACTORY_NAMES


def _actors(source: Source, names: dict[str, str]) -> int:
    """The line of the first `@dramatiq.actor` function, 0 when there is none."""
    for node in source.tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in node.decorator_list:
                call = decorator.func if isinstance(decorator, ast.Call) else decorator
                if _qualified(call, names) == "dramatiq.actor":
                    return node.lineno
    return 0


def _streamlit(source: Source, names: dict[str, str]) -> int:
    """The line of the first module-level streamlit call (one inside a function or a class is
    a library's, not a script's), 0 when there is none."""
    aliases = {local for local, qualified in names.items() if qualified == "streamlit"}
    for node in source.tree.body:
        if not aliases or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.Call):
                root = inner.func
                while isinstance(root, ast.Attribute):
                    root = root.value
                if isinstance(root, ast.Name) and root.id in aliases:
                    return node.lineno
    return 0


def _main_block(source: Source, names: dict[str, str], reads: tuple[str, ...]) -> Iterator[Found]:
    """A server started under `if __name__ == "__main__":`, directly or one call down."""
    functions = {
        n.name: n for n in source.tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    for node in source.tree.body:
        if not (isinstance(node, ast.If) and _is_main_test(node.test)):
            continue
        bodies: list[list[ast.stmt]] = [node.body]
        for inner in ast.walk(ast.Module(body=node.body, type_ignores=[])):
            called = (
                functions.get(inner.func.id)
                if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name)
                else None
            )
            if called:
                bodies.append(called.body)
        for body in bodies:
            for inner in ast.walk(ast.Module(body=body, type_ignores=[])):
                if isinstance(inner, ast.Call) and (launcher := _launcher(inner, names)):
                    host, port = _settings(inner, launcher)
                    yield Found(
                        "script",
                        launcher,
                        source.name,
                        node.lineno,
                        host=host,
                        port=port,
                        launcher=launcher,
                        reads=reads,
                    )
                    return
        # A __main__ block that starts nothing we know: still the file's way to run.
        yield Found("main", "", source.name, node.lineno, reads=reads)
        return


def _is_main_test(test: ast.expr) -> bool:
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and len(test.comparators) == 1
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value == "__main__"
    )


def _launcher(call: ast.Call, names: dict[str, str]) -> str:
    qualified = _qualified(call.func, names)
    if qualified in SERVER_CALLS:
        return SERVER_CALLS[qualified]
    if isinstance(call.func, ast.Attribute):
        method = call.func.attr
        if method == "launch" and "gradio" in {q.split(".")[0] for q in names.values()}:
            return "Gradio"
        if method in ("run", "run_server") and _app_like(call.func.value, names):
            return "app.run"
    return ""


def _app_like(node: ast.expr, names: dict[str, str]) -> bool:
    """`app.run()` / `socketio.run(app)` on an object a web framework made in this file."""
    roots = {q.split(".")[0] for q in names.values()}
    return bool(roots & (_FRAMEWORK_ROOTS | {"flask_socketio", "sanic", "dash"})) and isinstance(
        node, ast.Name
    )


def _settings(call: ast.Call, launcher: str) -> tuple[Setting | None, Setting | None]:
    host = port = None
    for keyword in call.keywords:
        if keyword.arg in HOST_KEYWORDS:
            host = _setting(keyword.value)
        elif keyword.arg in PORT_KEYWORDS:
            port = _setting(keyword.value)
    if launcher == "aiohttp" and len(call.args) > 1:  # run_app(app, host=..., port=...)
        host = host or _setting(call.args[1])
    return host, port


def _setting(node: ast.expr) -> Setting | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str | int):
        return Setting(literal=node.value)
    if (  # int(os.environ.get("PORT", 5000))
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.args
        and node.func.id in ("int", "str")
    ):
        return _setting(node.args[0])
    if read := _env_read(node):
        return Setting(variable=read[0], default=read[1])
    return None


def _env_read(node: ast.AST) -> tuple[str, str | int | None] | None:
    """`os.environ.get("X", d)`, `os.getenv("X", d)`, `os.environ["X"]`: ("X", d)."""
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
        func = node.func
        text = ast.unparse(func) if isinstance(func, ast.Attribute | ast.Name) else ""
        if text in (
            "os.environ.get",
            "os.getenv",
            "environ.get",
            "getenv",
            "env",
            "env.str",
            "env.int",
            "config",
        ):
            name = node.args[0].value
            default = None
            if len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
                default = node.args[1].value
            for keyword in node.keywords:
                if keyword.arg == "default" and isinstance(keyword.value, ast.Constant):
                    default = keyword.value.value
            if isinstance(name, str) and (default is None or isinstance(default, str | int)):
                return name, default
    if isinstance(node, ast.Subscript) and ast.unparse(node.value) in ("os.environ", "environ"):
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value, None
    return None


def _env_reads(tree: ast.Module) -> Iterator[str]:
    for node in ast.walk(tree):
        if read := _env_read(node):
            yield read[0]
