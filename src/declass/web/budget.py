"""Every request has a time budget, and stops computing when its client has gone.

Handlers run in threads, which cannot be killed; so the request's `Budget`
travels with it in a context variable (a handler's thread runs in a copy of
the request's context) and the work checks it: every SQLite statement of the
reading room's connections through a progress handler, and the library at
its own checkpoints.  When the budget runs out the client gets a 503 at once
(with the security headers) and the thread stops at its next check; when the
client disconnects, the thread stops the same way and nothing is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from contextvars import ContextVar
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from declass.errors import StoreError

REQUEST_SECONDS = 30.0


@dataclass(slots=True)
class Budget:
    deadline: float
    cancelled: bool = False
    why: str = field(default="")

    def spent(self) -> bool:
        return self.cancelled or time.monotonic() > self.deadline


CURRENT: ContextVar[Budget | None] = ContextVar("declass_request_budget", default=None)


def spent() -> bool:
    """Whether the request this thread works for should stop (for SQLite progress handlers)."""
    budget = CURRENT.get()
    return budget is not None and budget.spent()


def check() -> None:
    """Raise `StoreError` E305 if the current request's budget is spent or its client gone."""
    budget = CURRENT.get()
    if budget is not None and budget.spent():
        raise StoreError("E305", budget.why or "the request's time budget ran out")


class RequestBudget:
    """Plain ASGI middleware: a time budget per HTTP request, and cancellation
    when the client goes away."""

    def __init__(self, app: ASGIApp, seconds: float = REQUEST_SECONDS) -> None:
        self.app, self.seconds = app, seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        budget = Budget(time.monotonic() + self.seconds)
        token = CURRENT.set(budget)
        inbox: asyncio.Queue[Message] = asyncio.Queue()
        started = False

        async def listen() -> None:  # the only reader of the client's messages
            while True:
                message = await receive()
                await inbox.put(message)
                if message["type"] == "http.disconnect":
                    budget.cancelled, budget.why = True, "the client went away"
                    return

        async def tracked(message: Message) -> None:
            nonlocal started
            if budget.spent() and not started:
                return  # too late: the 503 is sent instead, or nobody is listening
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        handler = asyncio.ensure_future(self.app(scope, inbox.get, tracked))
        listener = asyncio.ensure_future(listen())
        try:
            while not handler.done():
                await asyncio.wait({handler, listener}, timeout=max(0.0, budget.deadline - time.monotonic()),
                                   return_when=asyncio.FIRST_COMPLETED)
                if not handler.done() and budget.spent():
                    handler.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await handler
            failure = None if handler.cancelled() else handler.exception()
            if not budget.spent() or started:
                if failure is not None:
                    raise failure
                return
            # the budget ran out (or the client left): the handler was stopped, or failed because it was
            if not budget.cancelled or budget.why != "the client went away":
                budget.cancelled = True
                await _too_long(scope, send, self.seconds)
        finally:
            listener.cancel()
            CURRENT.reset(token)


async def _too_long(scope: Scope, send: Send, seconds: float) -> None:
    detail = StoreError("E305", f"the page took more than {seconds:g} s to prepare").message
    if scope["path"].startswith("/api/"):
        import json

        body = json.dumps({"error": "Cannot answer", "detail": detail}).encode()
        kind = b"application/json"
    else:
        from markupsafe import escape

        body = f"<!doctype html><title>Cannot answer</title><h1>Cannot answer</h1><p>{escape(detail)}</p>".encode()
        kind = b"text/html; charset=utf-8"
    await send({"type": "http.response.start", "status": 503,
                "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode()),
                            (b"retry-after", b"60")]})
    await send({"type": "http.response.body", "body": body})
