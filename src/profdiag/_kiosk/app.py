"""The kiosk's routes (Starlette): start, item, timed-part instructions, end, counsellor.

Pages are rendered on the server; every state change is a POST carrying the CSRF token
(double submit: a random HttpOnly, SameSite=Strict cookie and the same value in a hidden
field) from a page of the same origin. The respondent's session is named by an unguessable
cookie token; the store keeps only its hash as the session id, so the database does not
reveal the cookie. All session logic is `profdiag.Session`'s: the app serves, answers and
finishes, and the store (SQLite) makes each acknowledged answer durable.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from profdiag._io.atomic import write_atomically
from profdiag._kiosk.pin import Lockout, check_pin, read_pin_file
from profdiag._kiosk.texts import TEXTS, Language
from profdiag._report.assets import templates_folder
from profdiag._session.battery import Battery
from profdiag._session.engine import Session
from profdiag._session.model import STAGES, Respondent
from profdiag._session.store import SessionStore
from profdiag.errors import ArgumentError, ProfdiagError, SessionError

HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "kiosk_session"
CSRF_COOKIE = "kiosk_csrf"
COUNSELLOR_COOKIE = "kiosk_counsellor"
COUNSELLOR_MINUTES = 30
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
log = logging.getLogger("profdiag.kiosk")


@dataclass
class KioskConfig:
    """What a kiosk serves and where it keeps its data.

    ``clock`` is the session clock (tests run timed parts faster with their own);
    ``clock_rate`` tells the page's countdown how many session seconds pass per second.
    ``hosts``: the Host header values accepted (None: any, for a kiosk on the network).
    """

    battery: Battery
    data: Path
    pin_file: Path
    hosts: frozenset[str] | None = None
    clock: Callable[[], float] = time.monotonic
    clock_rate: float = 1.0


@dataclass
class KioskState:
    config: KioskConfig
    store: SessionStore
    sessions: dict[str, Session] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    lockout: Lockout = field(default_factory=Lockout)
    counsellors: dict[str, float] = field(default_factory=dict)


def session_id_of(token: str) -> str:
    """The store's id for a cookie token: a hash, so the store does not reveal cookies."""
    return hashlib.sha256(token.encode()).hexdigest()[:32]


def create_app(config: KioskConfig) -> Starlette:  # noqa: PLR0915 (routes share its state)
    """The kiosk as an ASGI app (serve it with uvicorn)."""
    config.data.mkdir(parents=True, exist_ok=True)
    state = KioskState(config, SessionStore(config.data / "sessions.db"))
    env = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )

    def page(request: Request, name: str, status: int = 200, **context: Any) -> Response:
        language = _language(request)
        csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
        html = env.get_template(name).render(
            t=TEXTS[language],
            lang=language,
            large=request.cookies.get("kiosk_large") == "1",
            csrf=csrf,
            path=request.url.path,
            **context,
        )
        response = HTMLResponse(html, status_code=status)
        if request.cookies.get(CSRF_COOKIE) != csrf:
            _cookie(response, CSRF_COOKIE, csrf)
        return response

    def session_of(request: Request) -> Session | None:
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            return None
        sid = session_id_of(token)
        with state.lock:
            session = state.sessions.get(sid)
            if session is None:
                try:
                    session = state.store.resume(sid, config.battery, clock=config.clock)
                except ArgumentError:
                    return None
                state.sessions[sid] = session
            return session

    def forget(session: Session) -> None:
        with state.lock:
            state.sessions.pop(session.id, None)

    async def start_page(request: Request) -> Response:
        if session_of(request) is not None:
            return _redirect("/item")
        return page(request, "start.html.j2", error=None, stages=STAGES, values={})

    async def start(request: Request) -> Response:
        form = await _checked_form(request)
        try:
            respondent = _respondent(form)
        except _FieldError as error:
            texts = TEXTS[_language(request)]
            message = texts["bad_field"].format(field=texts[error.field])
            values = {key: str(form.get(key, "")) for key in _FIELDS}
            return page(request, "start.html.j2", 400, error=message, stages=STAGES, values=values)
        token = secrets.token_urlsafe(32)
        session = await run_in_threadpool(
            state.store.start,
            config.battery,
            respondent,
            session_id=session_id_of(token),
            clock=config.clock,
        )
        with state.lock:
            state.sessions[session.id] = session
        response = _redirect("/item")
        _cookie(response, SESSION_COOKIE, token)
        return response

    async def item_page(request: Request) -> Response:
        session = session_of(request)
        if session is None:
            return _redirect("/")
        try:
            return await run_in_threadpool(show_item, request, session)
        except SessionError as error:
            if error.reason == "stale":
                forget(session)
                return _redirect("/item")
            raise

    def show_item(request: Request, session: Session) -> Response:
        if session.finished:
            return page(request, "done.html.j2")
        session.expire()
        pending = session.pending_subtest
        if pending is not None:
            instrument, scale, limit = pending
            part = config.battery.parts[config.battery.part(instrument) or 0].instrument
            return page(
                request,
                "instructions.html.j2",
                scale_title=part.scale(scale).title.get(_language(request)),
                minutes=f"{limit / 60:g}",
                progress=session.progress(),
                message=_message(request),
            )
        served = session.serve()
        if served is None:
            session.finish(seq=session.next_seq)
            return page(request, "done.html.j2")
        return page(
            request,
            "item.html.j2",
            item=served,
            progress=session.progress(),
            message=_message(request),
            clock_rate=config.clock_rate,
        )

    async def begin(request: Request) -> Response:
        await _checked_form(request)
        session = session_of(request)
        if session is not None and not session.finished:
            await run_in_threadpool(session.serve)
        return _redirect("/item")

    async def act(request: Request) -> Response:
        form = await _checked_form(request)
        session = session_of(request)
        if session is None:
            return _redirect("/")
        action = str(form.get("action", "answer"))
        instrument, item = str(form.get("instrument", "")), str(form.get("item", ""))
        try:
            seq = int(str(form.get("seq", "")))
        except ValueError:
            return _redirect("/item?m=refused")
        try:
            if action == "skip":
                await run_in_threadpool(session.skip, instrument, item, seq=seq)
            elif action == "back":
                await run_in_threadpool(session.back, seq=seq)
            else:
                value = _answer_value(form)
                await run_in_threadpool(session.answer, instrument, item, value, seq=seq)
        except SessionError as error:
            if error.reason == "stale":
                forget(session)
            message = "time_up" if error.reason == "time_up" else "refused"
            return _redirect(f"/item?m={message}")
        return _redirect("/item")

    async def next_person(request: Request) -> Response:
        await _checked_form(request)
        response = _redirect("/")
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    async def preferences(request: Request) -> Response:
        form = await _checked_form(request)
        back = str(form.get("next", "/"))
        if not back.startswith("/") or back.startswith("//"):
            back = "/"
        response = _redirect(back)
        if form.get("lang") in TEXTS:
            _cookie(response, "kiosk_lang", str(form["lang"]))
        if form.get("large") in ("0", "1"):
            _cookie(response, "kiosk_large", str(form["large"]))
        return response

    # --- the counsellor -------------------------------------------------------------------

    def counsellor_in(request: Request) -> bool:
        token = request.cookies.get(COUNSELLOR_COOKIE)
        with state.lock:
            until = state.counsellors.get(token or "", 0.0)
        return until > time.monotonic()

    async def counsellor(request: Request) -> Response:
        if not counsellor_in(request):
            has_pin = config.pin_file.is_file()
            return page(request, "login.html.j2", error=None if has_pin else "no_pin")
        rows = await run_in_threadpool(finished_sessions)
        return page(request, "counsellor.html.j2", rows=rows)

    def finished_sessions() -> list[dict[str, Any]]:
        rows = []
        for sid in reversed(state.store.session_ids("finished")):
            try:
                session = state.store.resume(sid, config.battery, clock=config.clock)
            except ArgumentError:
                continue  # a session of another battery
            ends = [e.server_time for e in state.store.events(sid) if e.kind == "finish"]
            person = session.respondent
            when = ends[-1][:16].replace("T", " ") if ends else ""
            rows.append({"sid": sid, "id": person.id, "name": person.given_name, "when": when})
        return rows

    async def login(request: Request) -> Response:
        form = await _checked_form(request)
        client = request.client.host if request.client else "?"
        texts = TEXTS[_language(request)]
        wait = state.lockout.wait(client)
        if wait > 0:
            message = texts["locked"].format(seconds=int(wait) + 1)
            return page(request, "login.html.j2", 429, error=message)
        try:
            stored = read_pin_file(config.pin_file)
        except ArgumentError:
            return page(request, "login.html.j2", 403, error="no_pin")
        pin = str(form.get("pin", ""))
        if not await run_in_threadpool(check_pin, pin, stored):
            state.lockout.failed(client)
            return page(request, "login.html.j2", 403, error=texts["bad_pin"])
        state.lockout.succeeded(client)
        token = secrets.token_urlsafe(32)
        with state.lock:
            state.counsellors[token] = time.monotonic() + COUNSELLOR_MINUTES * 60
        response = _redirect("/counsellor")
        _cookie(response, COUNSELLOR_COOKIE, token)
        return response

    async def logout(request: Request) -> Response:
        await _checked_form(request)
        with state.lock:
            state.counsellors.pop(request.cookies.get(COUNSELLOR_COOKIE, ""), None)
        response = _redirect("/counsellor")
        response.delete_cookie(COUNSELLOR_COOKIE, path="/")
        return response

    async def report(request: Request) -> Response:
        if not counsellor_in(request):
            return _redirect("/counsellor")
        sid, audience = request.path_params["sid"], request.path_params["audience"]
        if audience not in ("client", "counsellor") or not sid.isalnum():
            return page(request, "message.html.j2", 404, key="not_found")
        language = _language(request)
        pdf = await run_in_threadpool(report_pdf, sid, audience, language)
        if pdf is None:
            return page(request, "message.html.j2", 404, key="not_found")
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{sid}-{audience}.pdf"'},
        )

    def report_pdf(sid: str, audience: str, language: Language) -> bytes | None:
        from profdiag._profile.occupations import load_catalogue
        from profdiag._report.render import ReportOptions

        cached = config.data / "reports" / f"{sid}-{audience}-{language}.pdf"
        if cached.is_file():
            return cached.read_bytes()
        if sid not in state.store.session_ids("finished"):
            return None
        session = state.store.resume(sid, config.battery, clock=config.clock)
        results = session.results(catalogue=load_catalogue())
        pdf = results.pdf(ReportOptions(audience=audience, language=language))  # type: ignore[arg-type]
        cached.parent.mkdir(exist_ok=True)
        write_atomically(cached, pdf)
        return pdf

    async def not_found(request: Request, _: Exception) -> Response:
        return page(request, "message.html.j2", 404, key="not_found")

    routes = [
        Route("/", start_page),
        Route("/start", start, methods=["POST"]),
        Route("/item", item_page),
        Route("/begin", begin, methods=["POST"]),
        Route("/act", act, methods=["POST"]),
        Route("/next", next_person, methods=["POST"]),
        Route("/prefs", preferences, methods=["POST"]),
        Route("/counsellor", counsellor),
        Route("/counsellor/login", login, methods=["POST"]),
        Route("/counsellor/logout", logout, methods=["POST"]),
        Route("/counsellor/report/{sid}/{audience}.pdf", report),
        Mount("/static", StaticFiles(directory=HERE / "static")),
        Mount("/fonts", StaticFiles(directory=templates_folder() / "fonts")),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(_Guard, hosts=config.hosts)],
        exception_handlers={404: not_found, _Refused: refused_handler(page)},
    )
    app.state.kiosk = state
    return app


_FIELDS = ("respondent_id", "age", "sex", "grade", "stage", "given_name")
_MESSAGES = ("time_up", "refused")


class _FieldError(Exception):
    def __init__(self, field: str) -> None:
        self.field = field


class _Refused(Exception):
    """A POST without a valid CSRF token or from another origin."""


def refused_handler(
    page: Callable[..., Response],
) -> Callable[[Request, Exception], Awaitable[Response]]:
    async def handler(request: Request, _: Exception) -> Response:
        return page(request, "message.html.j2", 403, key="forbidden")

    return handler


async def _checked_form(request: Request) -> FormData:
    """The POSTed form, after the CSRF and origin checks."""
    origin = request.headers.get("origin")
    # With Referrer-Policy no-referrer, browsers send "Origin: null" on same-origin POSTs.
    if origin not in (None, "null") and origin != f"{request.url.scheme}://{request.url.netloc}":
        raise _Refused
    form = await request.form()
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = form.get("csrf")
    if not cookie or not isinstance(sent, str) or not hmac.compare_digest(cookie, sent):
        raise _Refused
    return form


def _respondent(form: FormData) -> Respondent:
    def text(name: str) -> str:
        value = form.get(name, "")
        return value.strip() if isinstance(value, str) else ""

    def whole(name: str, low: int, high: int) -> int | None:
        value = text(name)
        if not value:
            return None
        if not value.isdigit() or not low <= int(value) <= high:
            raise _FieldError(name)
        return int(value)

    identifier = text("respondent_id") or (
        "K" + datetime.datetime.now(datetime.UTC).strftime("%Y%m%d") + "-" + secrets.token_hex(3)
    )
    if len(identifier) > 200:
        raise _FieldError("respondent_id")
    sex, stage = text("sex") or None, text("stage") or None
    if sex not in (None, "f", "m"):
        raise _FieldError("sex")
    if stage is not None and stage not in STAGES:
        raise _FieldError("stage")
    name = text("given_name") or None
    if name is not None and len(name) > 300:
        raise _FieldError("given_name")
    try:
        return Respondent(
            identifier,
            age=whole("age", 0, 120),
            sex=sex,  # type: ignore[arg-type]
            grade=whole("grade", 1, 12),
            stage=stage,  # type: ignore[arg-type]
            given_name=name,
        )
    except ArgumentError:
        raise _FieldError("respondent_id") from None


def _answer_value(form: FormData) -> Any:
    value = form.get("value")
    if not isinstance(value, str):
        return None
    if form.get("kind") == "numeric":
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            return value
        return int(number) if number.is_integer() else number
    return value


def _message(request: Request) -> str | None:
    """The notice a redirect asked for (?m=time_up or refused), else None."""
    message = request.query_params.get("m")
    return message if message in _MESSAGES else None


def _language(request: Request) -> Language:
    return "en" if request.cookies.get("kiosk_lang") == "en" else "ru"


def _redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def _cookie(response: Response, name: str, value: str) -> None:
    response.set_cookie(name, value, httponly=True, samesite="strict", path="/")


class _Guard(BaseHTTPMiddleware):
    """Security headers on every response; the Host header checked against DNS rebinding;
    one log line per request with the route's path only (no query, no form, no names)."""

    def __init__(self, app: Any, hosts: frozenset[str] | None) -> None:
        super().__init__(app)
        self.hosts = hosts

    async def dispatch(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        began = time.perf_counter()
        host = request.headers.get("host", "").rsplit(":", 1)[0]
        if self.hosts is not None and host not in self.hosts:
            response: Response = Response("host not allowed", status_code=400)
        else:
            response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        if request.url.path.startswith(("/static/", "/fonts/")):
            response.headers["Cache-Control"] = "max-age=3600"
        path = request.url.path
        if path.startswith("/counsellor/report/"):
            path = "/counsellor/report/…"
        log.info(
            "%s %s %d %.1f ms",
            request.method,
            path,
            response.status_code,
            (time.perf_counter() - began) * 1000,
        )
        return response


__all__ = ["KioskConfig", "ProfdiagError", "create_app", "session_id_of"]
