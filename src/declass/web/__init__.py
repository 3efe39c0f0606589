"""The reading room: server-rendered pages and a JSON API over an archive.

Read-only by construction (GET routes only, the store opened read-only),
all document text escaped by Jinja2, assets bundled (no CDN), and every
page sent with a Content-Security-Policy that allows nothing from outside.
"""

from __future__ import annotations

from collections import OrderedDict
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from declass import __version__
from declass.errors import DeclassError, StoreError, UsageError
from declass.web.data import Library

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def templates() -> Jinja2Templates:
    folder = Path(str(resources.files("declass.web").joinpath("templates")))
    t = Jinja2Templates(directory=str(folder))
    t.env.globals["version"] = __version__
    return t


class ResponseCache:
    """Rendered responses by URL, valid while the archive file is unchanged.

    The server only reads, so a page depends on its URL and the archive
    alone; re-rendering NIE-58's reader for every visitor would be waste.
    """

    def __init__(self, entries: int = 512, max_body: int = 2 * 2**20) -> None:
        self.entries, self.max_body = entries, max_body
        self.store: OrderedDict[str, tuple[tuple[int, ...], bytes, dict[str, str]]] = OrderedDict()

    def get(self, key: str, sig: tuple[int, ...]) -> Response | None:
        hit = self.store.get(key)
        if hit is None or hit[0] != sig:
            return None
        self.store.move_to_end(key)
        return Response(hit[1], status_code=200, headers={**hit[2], "X-Cache": "hit"})

    def put(self, key: str, sig: tuple[int, ...], body: bytes, headers: dict[str, str]) -> None:
        if len(body) > self.max_body:
            return
        self.store[key] = (sig, body, headers)
        while len(self.store) > self.entries:
            self.store.popitem(last=False)


def create_app(db: str | Path, *, outcomes: str | None = None, gazetteer: tuple[str, ...] = (),
               cache: bool = True) -> FastAPI:
    """The web application for the archive at ``db`` (``cache``: keep rendered responses)."""
    from declass.web import api, pages

    app = FastAPI(title="declass", version=__version__, openapi_url="/api/openapi.json", docs_url=None,
                  redoc_url=None, description="Read-only JSON API over a declass archive.")
    app.state.library = Library(db, outcomes=outcomes, gazetteer=gazetteer)
    app.state.templates = templates()
    static = Path(str(resources.files("declass.web").joinpath("static")))
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)

    responses = ResponseCache()

    @app.middleware("http")
    async def cached(request: Request, call_next):  # type: ignore[no-untyped-def]
        if not cache or request.method != "GET" or request.url.path.startswith("/static/"):
            return await call_next(request)
        key = f"{request.url.path}?{request.url.query}"
        sig = app.state.library.signature()
        hit = responses.get(key, sig)
        if hit is not None:
            return hit
        response = await call_next(request)
        if response.status_code != 200:
            return response
        body = b"".join([chunk async for chunk in response.body_iterator])
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        responses.put(key, sig, body, headers)
        return Response(body, status_code=200, headers=headers)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    def error(request: Request, status: int, title: str, detail: str) -> HTMLResponse | JSONResponse:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": title, "detail": detail}, status_code=status)
        return app.state.templates.TemplateResponse(
            request, "error.html", {"status": status, "title": title, "detail": detail}, status_code=status)

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
