"""The reading room: server-rendered pages and a JSON API over an archive.

Read-only by construction (GET routes only, the store opened read-only),
all document text escaped by Jinja2, assets bundled (no CDN), and every
page sent with a Content-Security-Policy that allows nothing from outside.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections import OrderedDict
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from declass import __version__
from declass.errors import DeclassError, StoreError, UsageError, printable
from declass.web.budget import REQUEST_SECONDS, RequestBudget
from declass.web.data import Library
from declass.web.pager import href as page_href

log = logging.getLogger("declass.web")

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def templates() -> Jinja2Templates:
    folder = Path(str(resources.files("declass.web").joinpath("templates")))
    t = Jinja2Templates(directory=str(folder))
    t.env.globals["version"] = __version__
    t.env.globals["page_href"] = page_href
    return t


SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class SecurityHeaders:
    """Plain ASGI middleware: every response gets the security headers, an
    unexpected error too (it becomes a 500 here, logged on one line, rather
    than in Starlette's outermost layer, which sends its 500 without them)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        try:
            await self.app(scope, receive, with_headers)
        except Exception as exc:
            frames = traceback.extract_tb(exc.__traceback__)[-1:]
            where = f" at {frames[0].filename}:{frames[0].lineno}" if frames else ""
            log.error("%s %s failed: %s: %s%s", scope.get("method"), printable(scope.get("path", "")),
                      type(exc).__name__, printable(str(exc))[:300], where)
            if started:
                raise
            body = b'{"error": "Internal error", "detail": "the server failed; the log says why"}'
            await with_headers({"type": "http.response.start", "status": 500,
                                "headers": [(b"content-type", b"application/json"),
                                            (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})


class ResponseCache:
    """Plain ASGI middleware: rendered GET responses by URL, valid while the
    archive file is unchanged.  The server only reads, so a page depends on
    its URL and the archive alone; re-rendering for every visitor is waste."""

    def __init__(self, app: ASGIApp, library: Library, entries: int = 512, max_body: int = 2 * 2**20) -> None:
        self.app, self.library = app, library
        self.entries, self.max_body = entries, max_body
        self.store: OrderedDict[str, tuple[tuple[int, ...], list[tuple[bytes, bytes]], bytes]] = OrderedDict()
        self.rendering: dict[str, asyncio.Event] = {}  # one render per URL; the others wait for it

    async def _replay(self, key: str, sig: tuple[int, ...], send: Send) -> bool:
        hit = self.store.get(key)
        if hit is None or hit[0] != sig:
            return False
        self.store.move_to_end(key)
        await send({"type": "http.response.start", "status": 200, "headers": [*hit[1], (b"x-cache", b"hit")]})
        await send({"type": "http.response.body", "body": hit[2]})
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        key = scope["path"] + "?" + scope.get("query_string", b"").decode("latin-1")
        sig = self.library.signature()
        if await self._replay(key, sig, send):
            return
        busy = self.rendering.get(key)
        if busy is not None:
            await busy.wait()
            if await self._replay(key, sig, send):
                return
        done = self.rendering.setdefault(key, asyncio.Event())
        try:
            await self._render(key, sig, scope, receive, send)
        finally:
            done.set()
            if self.rendering.get(key) is done:
                del self.rendering[key]

    async def _render(self, key: str, sig: tuple[int, ...], scope: Scope, receive: Receive, send: Send) -> None:
        status, headers, chunks = 0, [], []

        async def keep(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status, headers = message["status"], list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body") and status == 200:
                    body = b"".join(chunks)
                    if len(body) <= self.max_body:
                        self.store[key] = (sig, headers, body)
                        while len(self.store) > self.entries:
                            self.store.popitem(last=False)
            await send(message)

        await self.app(scope, receive, keep)


def create_app(db: str | Path, *, outcomes: str | None = None, gazetteer: tuple[str, ...] = (),
               cache: bool = True, request_seconds: float = REQUEST_SECONDS) -> FastAPI:
    """The web application for the archive at ``db`` (``cache``: keep rendered responses;
    ``request_seconds``: the time budget of one request)."""
    from declass.web import api, pages, reader, releases

    app = FastAPI(title="declass", version=__version__, openapi_url="/api/openapi.json", docs_url=None,
                  redoc_url=None, description="Read-only JSON API over a declass archive.")
    app.state.library = Library(db, outcomes=outcomes, gazetteer=gazetteer)
    app.state.templates = templates()
    static = Path(str(resources.files("declass.web").joinpath("static")))
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(reader.router)
    app.include_router(releases.router)

    # outermost last: the headers on everything; a cached page sent before any budget is set up
    # (a hit costs a lookup, not the budget's tasks); the budget around every page rendered
    app.add_middleware(RequestBudget, seconds=request_seconds)
    if cache:
        app.add_middleware(ResponseCache, library=app.state.library)
    app.add_middleware(SecurityHeaders)

    def error(request: Request, status: int, title: str, detail: str) -> HTMLResponse | JSONResponse:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": title, "detail": detail}, status_code=status)
        page: HTMLResponse = app.state.templates.TemplateResponse(
            request, "error.html", {"status": status, "title": title, "detail": detail}, status_code=status)
        return page

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> HTMLResponse | JSONResponse:
        title = "Not found" if exc.status_code == 404 else "Error"
        return error(request, exc.status_code, title, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> HTMLResponse | JSONResponse:
        parts = "; ".join(f"{'.'.join(str(x) for x in e['loc'][1:])}: {e['msg']}" for e in exc.errors())
        return error(request, 422, "Invalid request", parts)

    @app.exception_handler(DeclassError)
    async def declass_error(request: Request, exc: DeclassError) -> HTMLResponse | JSONResponse:
        if isinstance(exc, UsageError):
            status = 404 if exc.code in ("E401", "E402") else 422
        else:
            status = 503 if isinstance(exc, StoreError) else 500
        return error(request, status, "Not found" if status == 404 else "Cannot answer", exc.message)

    return app
