"""The session at the door of every page (an ASGI middleware, outside the platform's own).

For a request whose cookie names a live session (kept server-side, `repository.SessionStore`) it puts the person's
token where the platform looks for it (the Authorization header), so the platform verifies it, checks its
revocation and each page's declared roles exactly as on every service; it renews the token in its last minutes,
writes the visit down about once a minute, and ends a session idle too long. On the way out it clears a cookie
whose session has ended, turns a 401 into the sign-in page, and a problem into a page a person reads. A form sent
from another site is refused before anything runs (`Sec-Fetch-Site`, `Origin`); the pages check the form's CSRF
token too (`render.checked_form`). The sessions' database away: 503 with Retry-After, as the platform answers.
"""

import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from claimstream_platform.engines import is_transient

from console.backend import Backend, Refused, Unavailable
from console.repository import SessionStore
from console.session import COOKIE, RELOADED, Cookies, Session

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Any, Send], Awaitable[None]]

log = logging.getLogger(__name__)
EXEMPT = ("/static/", "/healthz", "/readyz", "/metrics")
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PAGE_HEADERS = (
    (b"cache-control", b"no-store"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    (b"referrer-policy", b"same-origin"),
    (b"x-content-type-options", b"nosniff"),
)


class SessionGate:
    def __init__(
        self,
        app: ASGIApp,
        *,
        cookies: Cookies,
        sessions: SessionStore,
        backend: Callable[[], Backend],
        idle: timedelta,
        problem_page: Callable[[int, str, str], bytes],
    ) -> None:
        self.app, self.cookies, self.sessions, self.backend, self.idle = app, cookies, sessions, backend, idle
        self.problem_page = problem_page

    async def __call__(self, scope: Scope, receive: Any, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT):
            await self.app(scope, receive, send)
            return
        if scope["method"] in UNSAFE and _cross_site(_headers(scope)):
            await _answer(send, 403, self.problem_page(403, "Refused", "A form sent from another site is refused."))
            return
        session_id = _cookies(scope).get(COOKIE)
        try:
            session = await self._session(scope, session_id) if session_id else None
        except Exception as error:  # the platform's own handlers are inside: its outage mapping is applied here
            if not is_transient(error):
                raise
            log.warning("sessions unavailable", extra={"error": type(error).__name__})
            detail = "The console cannot reach its database; try again in a few seconds."
            await _answer(send, 503, self.problem_page(503, "Service unavailable", detail), [(b"retry-after", b"5")])
            return
        if session is not None:
            scope["headers"] = [*_without_authorization(scope), (b"authorization", f"Bearer {session.token}".encode())]
            scope.setdefault("state", {})["session"] = session
        # A cookie is cleared only when one was sent and its session has ended; no cookie came, none is set (a link
        # from another site, which SameSite=Strict keeps from sending it, must not end the session).
        cookie = self.cookie(None) if session is None and session_id is not None else None
        await self.app(scope, receive, _Reply(send, self, scope, cookie, session_id))

    async def _session(self, scope: Scope, session_id: str) -> Session | None:
        """The live session the cookie's id names, renewed when due (None when there is none, or it ended: its row
        then removed, and an idle one's token revoked)."""
        session = await self.sessions.find(session_id)
        now = datetime.now(UTC)
        if session is None:
            return None
        if session.expired(now) or session.idle(now, self.idle):
            if not session.expired(now):
                await self._revoke(session)
                scope.setdefault("state", {})["ended"] = "idle"
            await self.sessions.end(session_id)
            return None
        if session.due_for_renewal(now, within=self.idle):
            session = await self._renewed(session_id, session)
        if not session.seen_lately(now) and not _reloaded(scope):
            session = session.seen(now)
            await self.sessions.seen(session_id, now)
        return session

    async def _renewed(self, session_id: str, session: Session) -> Session:
        """The session with a new token for the old, stored. When identity refused (another request renewed the same
        session a moment before) or is away, the session as its row stands now: the old token serves until it ends."""
        try:
            issued = await self.backend().renew(session.token)
        except (Refused, Unavailable) as why:
            log.info("token renewal failed: %s", type(why).__name__)
            return await self.sessions.find(session_id) or session
        renewed = session.renewed(issued.token, issued.expires_at)
        await self.sessions.renewed(session_id, renewed)
        return renewed

    async def _revoke(self, session: Session) -> None:
        try:
            await self.backend().sign_out(session.token)
        except (Refused, Unavailable):
            pass  # it ends within the hour regardless

    async def forget(self, session_id: str) -> None:
        """A session whose token no service accepts (revoked elsewhere): its row removed now, not at its end."""
        try:
            await self.sessions.end(session_id)
        except Exception as error:  # the row ends with its token regardless
            log.warning("session not removed", extra={"error": type(error).__name__})

    def cookie(self, session_id: str | None) -> bytes:
        return self.cookies.header(session_id).encode()


class _Reply:
    """The response on its way out: an ended session's cookie cleared and the pages' headers added; a problem a page,
    its 401 (no live session) the sign-in page. A page's own answer (a sign-in refused is a 401 page) passes as it
    is, and a cookie it sets (signing in, signing out) is left as it set it."""

    def __init__(self, send: Send, gate: SessionGate, scope: Scope, cookie: bytes | None, sent: str | None) -> None:
        self.send, self.gate, self.scope, self.cookie, self.sent = send, gate, scope, cookie, sent
        self.problem: tuple[int, list[tuple[bytes, bytes]]] | None = None
        self.body = b""

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            await self._start(message)
        elif self.problem is None:
            await self.send(message)
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")
            if not message.get("more_body", False):
                await self._problem_page()

    async def _start(self, message: Message) -> None:
        headers = list(message.get("headers", []))
        if any(name == b"content-type" and b"problem+json" in value for name, value in headers):
            self.problem = (message["status"], headers)  # a 401 of the platform's: no live session
            return
        if self.cookie and not any(
            name == b"set-cookie" and value.startswith(COOKIE.encode()) for name, value in headers
        ):
            headers.append((b"set-cookie", self.cookie))
        await self.send({**message, "headers": _guarded(headers)})

    async def _problem_page(self) -> None:
        status, headers = self.problem or (500, [])
        if status == 401:  # the cookie sent (if any) holds no token any service accepts: cleared, its row removed
            if self.sent is not None:
                await self.gate.forget(self.sent)
            await _redirect(self.send, _sign_in_path(self.scope), self.gate.cookie(None) if self.sent else None)
            return
        title, detail = _problem_text(self.body)
        kept = [(name, value) for name, value in headers if name in (b"retry-after", b"x-correlation-id")]
        kept += [(b"set-cookie", self.cookie)] if self.cookie else []
        await _answer(self.send, status, self.gate.problem_page(status, title, detail), kept)


def _problem_text(body: bytes) -> tuple[str, str]:
    try:
        problem = json.loads(body)
        return str(problem.get("title") or "Refused"), str(problem.get("detail") or "")
    except (ValueError, AttributeError):
        return "Refused", ""


def _sign_in_path(scope: Scope) -> str:
    """Back to the page asked for once signed in (a path of ours only: never another site)."""
    here = scope["path"] if scope["method"] == "GET" else "/"
    if scope.get("query_string") and scope["method"] == "GET":
        here += "?" + scope["query_string"].decode("latin-1")
    ended = scope.get("state", {}).get("ended")
    return f"/sign-in?next={quote(here, safe='')}" + (f"&ended={ended}" if ended else "")


async def _redirect(send: Send, location: str, cookie: bytes | None) -> None:
    headers = [(b"location", location.encode()), (b"content-length", b"0")]
    headers = _guarded(headers + ([(b"set-cookie", cookie)] if cookie else []))
    await send({"type": "http.response.start", "status": 303, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


async def _answer(send: Send, status: int, page: bytes, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    headers = [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(page)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": _guarded(headers + (extra or []))})
    await send({"type": "http.response.body", "body": page})


def _guarded(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """Every page: never stored (a patient's details must not come back with the Back button after sign-out),
    never framed, its scripts, styles and forms the console's own only."""
    present = {name for name, _ in headers}
    return headers + [(name, value) for name, value in PAGE_HEADERS if name not in present]


def _headers(scope: Scope) -> dict[str, str]:
    return {name.decode("latin-1"): value.decode("latin-1") for name, value in scope.get("headers", [])}


def _without_authorization(scope: Scope) -> list[tuple[bytes, bytes]]:
    return [(name, value) for name, value in scope.get("headers", []) if name != b"authorization"]


def _reloaded(scope: Scope) -> bool:
    """A page's own reload (render.reloads_itself), not the person's visit: it does not keep the session alive."""
    return RELOADED in parse_qs(scope.get("query_string", b"").decode("latin-1"))


def _cookies(scope: Scope) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in _headers(scope).get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name:
            found[name] = value
    return found


def _cross_site(headers: dict[str, str]) -> bool:
    """A form posted from another site: the browser says so (Sec-Fetch-Site), or its Origin is not this host."""
    if headers.get("sec-fetch-site") in ("cross-site", "same-site"):
        return True
    origin = headers.get("origin")
    return origin is not None and (origin == "null" or urlsplit(origin).netloc != headers.get("host"))
