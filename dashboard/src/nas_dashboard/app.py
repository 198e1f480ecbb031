"""The web application: three pages (static HTML, filled in by ``static/app.js``) and the JSON
they read. Everything is a GET; nothing writes.

Safety: a request names a file by its absolute path, which must lie in the dashboard's folders
(:class:`~nas_dashboard.roots.Roots`, symlinks resolved) or it is refused with 403; a file that
cannot be read is a JSON error (422) the page shows, never a server error page. Every response
carries a content security policy that allows only the dashboard's own scripts, and, bound to a
loopback address, the server answers only requests addressed to it by a loopback name (a web
page elsewhere cannot reach it through a DNS name it points at 127.0.0.1).
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Awaitable, Callable, Sequence
from importlib.resources import files
from pathlib import Path
from typing import Any

from nas_core import NasError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from nas_dashboard.bench import BenchFile
from nas_dashboard.catalog import Catalog, problem_text
from nas_dashboard.roots import Refused, Roots
from nas_dashboard.studies import StudyFile, StudySnapshot

log = logging.getLogger("nas_dashboard")

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")
SECURITY_HEADERS = [
    # plotly.js sets styles on the elements it draws; scripts come from this server only
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                                 b"img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]  # fmt: skip


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Json(JSONResponse):
    """JSON without NaN or infinity (which browsers' JSON.parse refuses): such a number is null."""

    def render(self, content: Any) -> bytes:
        return json.dumps(_finite(content), allow_nan=False, separators=(",", ":")).encode()


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


def plotly_js() -> Path:
    """plotly.js as the plotly package ships it (its version is the package's)."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def create_app(roots: Roots, allowed_hosts: Sequence[str] = LOOPBACK_NAMES) -> Starlette:
    catalog = Catalog(roots)
    static = files("nas_dashboard") / "static"

    shell = (static / "page.html").read_text()

    def page(name: str) -> Callable[[Request], Awaitable[Response]]:
        """The page ``name``: the shell around its body (its script fills it in)."""
        html = shell.replace("PAGE", name).replace("BODY", (static / f"{name}.body.html").read_text().strip()).encode()

        async def endpoint(request: Request) -> Response:  # no thread for a constant page
            return Response(html, media_type="text/html; charset=utf-8", headers={"cache-control": "no-cache"})

        return endpoint

    def api(handler: Callable[[Request], Any]) -> Callable[[Request], Response]:
        """A JSON endpoint: its errors are JSON too, with the status that says whose fault."""

        def endpoint(request: Request) -> Response:
            try:
                result = handler(request)
            except ApiError as exc:
                return Json({"error": str(exc)}, status_code=exc.status)
            except Refused as exc:
                return Json({"error": str(exc)}, status_code=403)
            except (NasError, KeyError, ValueError, TypeError, OSError) as exc:
                return Json({"error": problem_text(exc) if not isinstance(exc, KeyError) else str(exc.args[0])}, status_code=422)
            return result if isinstance(result, Response) else Json(result, headers={"cache-control": "no-store"})

        return endpoint

    def requested(request: Request) -> Path:
        return roots.resolve(request.query_params.get("path", ""))

    def files_list(request: Request) -> Any:
        return catalog.listing()

    def whole(request: Request, entry: Callable[[Path], StudyFile | BenchFile]) -> Any:
        """What a study's or bench file's page shows, or that nothing changed since ``since``.
        A study's answer carries the page of its trial table that ``limit`` (and the table's
        other parameters) ask for: the page shows both after one round trip, from one snapshot."""
        path = requested(request)
        snapshot = entry(path).snapshot()
        if request.query_params.get("since") == snapshot.version:
            return {"version": snapshot.version, "unchanged": True}
        answer = {"path": str(path), "name": path.name, **snapshot.page}
        if isinstance(snapshot, StudySnapshot) and "limit" in request.query_params:
            answer["table"] = table_page(snapshot, request)
        return answer

    def table_page(snapshot: StudySnapshot, request: Request) -> dict[str, Any]:
        q = request.query_params
        return snapshot.trials(q.get("sort") or None, q.get("desc") == "1", q.get("status") or None, q.get("q", "").strip(),
                               _integer(q.get("offset"), 0), _integer(q.get("limit"), 50))  # fmt: skip

    def study(request: Request) -> Any:
        return whole(request, catalog.study)

    def trials(request: Request) -> Any:
        return table_page(catalog.study(requested(request)).snapshot(), request)

    def trial(request: Request) -> Any:
        snapshot = catalog.study(requested(request)).snapshot()
        return snapshot.record(_integer(request.query_params.get("trial"), -1))

    def pareto(request: Request) -> Any:
        q = request.query_params
        snapshot = catalog.study(requested(request)).snapshot()
        return snapshot.pareto(q.get("x", ""), q.get("y", ""), (q.get("xdir", "max") == "max", q.get("ydir", "min") == "max"))

    def drawing(request: Request) -> Any:
        which = request.query_params.get("trial", "answer")
        if which != "answer":
            which = str(_integer(which, -1))
        snapshot = catalog.study(requested(request)).snapshot()
        svg, text = snapshot.drawing(which)
        if svg is None:
            raise ApiError(404, f"no picture of this search space's architectures: {text}")
        return Response(svg, media_type="image/svg+xml", headers={"cache-control": "no-store"})

    def bench(request: Request) -> Any:
        return whole(request, catalog.bench)

    def vendor_plotly(request: Request) -> Response:
        return FileResponse(plotly_js(), media_type="text/javascript", headers={"cache-control": "max-age=86400"})

    routes = [
        Route("/", page("index")),
        Route("/study", page("study")),
        Route("/bench", page("bench")),
        Route("/api/files", api(files_list)),
        Route("/api/study", api(study)),
        Route("/api/study/trials", api(trials)),
        Route("/api/study/trial", api(trial)),
        Route("/api/study/pareto", api(pareto)),
        Route("/api/study/arch.svg", api(drawing)),
        Route("/api/bench", api(bench)),
        Route("/vendor/plotly.min.js", vendor_plotly),
        Mount("/static", StaticFiles(packages=[("nas_dashboard", "static")])),
    ]
    middleware = [Middleware(SecurityHeaders)]  # no compression: the browser is on this machine
    if "*" not in allowed_hosts:
        middleware.insert(0, Middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts), www_redirect=False))
    app = Starlette(routes=routes, middleware=middleware)
    app.state.catalog = catalog
    return app


def _integer(text: str | None, default: int) -> int:
    if text is None or text == "":
        return default
    try:
        return int(text)
    except ValueError:
        raise ApiError(400, f"not an integer: {text!r}") from None
