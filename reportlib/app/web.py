"""The officer's page over HTTP: a small Starlette app, thin over :class:`reportlib.app.desk.Desk`.

Safe by construction:

- it answers only its own Host (``127.0.0.1:PORT`` or ``localhost:PORT``, :mod:`reportlib.hosts`):
  anything else gets 403 with no body, and no CORS header is ever sent;
- every POST carries the page's token as its first field (a POST without it, or with another: 403);
- uploads are read as they arrive into the page's private folder, limited in size (413 over it,
  nothing kept), and read only as case logs;
- a paper's files are served by the names its manifest lists, from its folder in ``outputs/``;
- every page says what it may load (Content-Security-Policy: only its own style sheet, script and
  font), and may not be framed.
"""

from __future__ import annotations

import datetime as dt
import shutil
from importlib import metadata
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from .. import hosts
from . import papers as papers_mod, uploads
from .desk import Desk, Draft

PACKAGE = Path(__file__).resolve().parent
FONTS = PACKAGE.parent / "templates" / "committee" / "static" / "fonts"
#: What /static/ serves: the page's style sheet and script, and the package's font (by name, nothing else).
STATIC = {
    "app.css": (PACKAGE / "static" / "app.css", "text/css; charset=utf-8"),
    "app.js": (PACKAGE / "static" / "app.js", "text/javascript; charset=utf-8"),
    "LiberationSans-Regular.ttf": (FONTS / "LiberationSans-Regular.ttf", "font/ttf"),
    "LiberationSans-Bold.ttf": (FONTS / "LiberationSans-Bold.ttf", "font/ttf"),
}
PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self'; img-src 'self'; "
               "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
#: A paper's report.html is self-contained (its CSS, fonts and charts inline) and has no script: it may run none.
PAPER_POLICY = ("sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
                "frame-ancestors 'none'")


def _day(value) -> str:
    return f"{value.day} {value:%B %Y}" if isinstance(value, dt.date) else "unknown"


def _when(value) -> str:
    if not isinstance(value, dt.datetime):
        return "unknown"
    local = value.astimezone()
    return f"{local.day} {local:%B %Y at %H:%M}"


def _size(limit: int) -> str:
    return f"{limit / 1_000_000:g} MB" if limit >= 1_000_000 else f"{limit / 1000:g} KB"


def _show_type(c) -> bool:
    return c.kind in ("text", "number", "lines", "yaml", "date") and c.type_words not in ("", "text")


class Page:
    """The app's state and its pages: the desk, the token, the templates."""

    def __init__(self, desk: Desk, port: int, limit: int):
        self.desk, self.port, self.limit = desk, port, limit
        self.token = uploads.new_token()
        self.env = Environment(loader=PackageLoader("reportlib.app", "templates"), autoescape=select_autoescape(
            ["j2", "html"], default_for_string=True, default=True), trim_blocks=True, lstrip_blocks=True)
        self.env.filters.update(day=_day, when=_when)
        self.env.globals.update(show_type=_show_type, project=desk.root.name, version=_version(),
                                descriptions=papers_mod.DESCRIPTIONS)

    def html(self, template: str, status: int = 200, **context) -> HTMLResponse:
        text = self.env.get_template(template).render(token=self.token, **context)
        return HTMLResponse(text, status_code=status, headers={"Cache-Control": "no-store"})

    # --- pages -----------------------------------------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        reports = await run_in_threadpool(self.desk.reports)
        return self.html("home.html.j2", title="Committee papers", papers=self.desk.papers(), reports=reports)

    def _form(self, draft: Draft | None, status: int = 200) -> HTMLResponse:
        reports = self.desk.reports()
        earlier = self.desk.meetings_of(draft.report) if draft else []
        earlier = earlier if len(earlier) > 1 else []  # a choice only when there is one
        return self.html("new.html.j2", status, title="Make a meeting's paper", draft=draft, reports=reports,
                         earlier=earlier, case_logs=self.desk.case_logs(draft) if draft else [],
                         exports=self.desk.relative(self.desk.exports) + "/", limit=_size(self.limit),
                         has_errors=bool(draft and (draft.error_list() or draft.busy)))

    async def new(self, request: Request) -> Response:
        report = request.query_params.get("report")
        if not report:
            return await run_in_threadpool(self._form, None)
        draft = await run_in_threadpool(self.desk.new_draft, report, request.query_params.get("from"))
        if draft is None:
            return self.html("message.html.j2", 404, title="No such report",
                             message="There is no report of that name in this project.", back="/new",
                             back_words="Choose a report")
        return await run_in_threadpool(self._form, draft)

    async def post(self, request: Request) -> Response:
        folder = self.desk.upload_folder()
        try:
            posted = await uploads.read_form(request.headers.get("content-type", ""), request.stream(), self.token,
                                             folder, self.limit)
        except uploads.Refused:
            return self._refused()
        except uploads.TooLarge as e:
            if not e.token_ok:
                return self._refused()
            return self._too_large(e.fields)
        except uploads.BadForm:
            return self.html("message.html.j2", 400, title="Not a form of this page",
                             message="The page could not read what was sent: go back and try again.")
        fields = posted.as_form()
        draft = self.desk.sent_draft(posted.first("report"), fields)
        if draft is None:
            shutil.rmtree(folder, ignore_errors=True)  # an upload for no report is not kept
            return self.html("message.html.j2", 404, title="No such report",
                             message="There is no report of that name in this project.", back="/new")
        if posted.upload is not None:
            self.desk.hold(posted.upload, draft)
        action = posted.first("action")
        if action.startswith("add:"):
            from .form import add_item
            add_item(draft.controls, action[4:])
            return self._form(draft)
        if action == "make":
            return await self._make(draft, fields)
        await run_in_threadpool(self.desk.check, draft, fields)
        return self._form(draft, 200)

    async def _make(self, draft: Draft, fields: dict) -> Response:
        started = await run_in_threadpool(self.desk.start, draft, fields)
        if started is None:
            return self._form(draft, 409 if draft.busy else 200)
        making, params_file, kept = started
        try:
            await run_in_threadpool(self.desk.maker.run, making, self.desk.relative(params_file))
        finally:
            if making.state not in ("done", "failed"):  # whatever happened, the slot is free again
                making.state = "failed"
        name = await run_in_threadpool(self.desk.finish, draft, making, params_file, kept)
        if name is None:
            return self._form(draft)
        return RedirectResponse(f"/papers/{name}?made=1", status_code=303)

    def _refused(self) -> Response:
        return self.html("message.html.j2", 403, title="This form has expired",
                         message="The form was made by another run of the page (or elsewhere): open the page again "
                                 "and fill it in there.", back="/new", back_words="Open the form again")

    def _too_large(self, sent: dict) -> Response:
        message = (f"the case log is larger than {_size(self.limit)}, the most this page takes, and was not kept; "
                   "export a shorter period, or make the paper with 'reportlib render'")
        fields = {name: (values if len(values) > 1 else values[-1]) for name, values in sent.items()}
        draft = self.desk.sent_draft(str(fields.get("report", "")), fields)
        if draft is None:
            return self.html("message.html.j2", 413, title="The case log is too large", message=message[:1].upper()
                             + message[1:] + ".", back="/new")
        draft.data_error, draft.data_error_at = message, "f-upload"
        return self._form(draft, 413)

    async def progress(self, request: Request) -> Response:
        making = self.desk.maker.current
        body = making.as_json() if making is not None else {"state": "idle"}
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    async def paper(self, request: Request) -> Response:
        paper = papers_mod.find(self.desk.outputs, request.path_params["name"])
        if paper is None:
            return self.html("message.html.j2", 404, title="No such paper", message="There is no paper of that name.")
        return self.html("paper.html.j2", title=paper.title or paper.name, paper=paper,
                         made=request.query_params.get("made") == "1")

    async def paper_file(self, request: Request) -> Response:
        paper = papers_mod.find(self.desk.outputs, request.path_params["name"])
        name = request.path_params["file"]
        path = paper.file(name) if paper is not None else None
        if path is None:
            return self.html("message.html.j2", 404, title="No such file", message="That paper has no such file.")
        content_type, inline = papers_mod.CONTENT_TYPES[name]
        # report.html may run nothing (it has no script); the PDF needs the browser's own viewer, so it gets only
        # the rule that no other page may frame it
        policy = PAPER_POLICY if content_type.startswith("text/html") else "frame-ancestors 'none'"
        headers = {"Content-Security-Policy": policy, "Cache-Control": "no-store"}
        return FileResponse(path, media_type=content_type, headers=headers,
                            content_disposition_type="inline" if inline else "attachment",
                            filename=f"{paper.name}-{name}")

    async def static(self, request: Request) -> Response:
        found = STATIC.get(request.path_params["file"])
        if found is None:
            return Response(status_code=404)
        return FileResponse(found[0], media_type=found[1], headers={"Cache-Control": "no-cache"})


def _version() -> str:
    try:
        return metadata.version("reportlib")
    except metadata.PackageNotFoundError:
        return ""


class Guard:
    """ASGI middleware: only this server's own Host is answered (else 403, no body); every answer carries the
    page's security headers."""

    def __init__(self, app, port: int):
        self.app, self.port = app, port

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        host = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
        if not hosts.own(host, self.port):
            await send({"type": "http.response.start", "status": 403,
                        "headers": [(b"content-length", b"0"), (b"connection", b"close")]})
            await send({"type": "http.response.body", "body": b""})
            return

        async def secured(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if not k.lower().startswith(b"access-control")]
                names = {k.lower() for k, _ in headers}
                for name, value in ((b"content-security-policy", PAGE_POLICY.encode()),
                                    (b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff"),
                                    (b"referrer-policy", b"no-referrer")):
                    if name not in names:
                        headers.append((name, value))
                message = {**message, "headers": headers}
            await send(message)
        return await self.app(scope, receive, secured)


def app(desk: Desk, port: int, limit: int) -> tuple[Guard, Page]:
    """The ASGI app of the officer's page on ``port``, uploads limited to ``limit`` bytes."""
    page = Page(desk, port, limit)
    routes = [
        Route("/", page.home),
        Route("/new", page.new, methods=["GET"]),
        Route("/new", page.post, methods=["POST"]),
        Route("/progress", page.progress),
        Route("/papers/{name}", page.paper),
        Route("/papers/{name}/{file}", page.paper_file),
        Route("/static/{file}", page.static),
    ]
    return Guard(Starlette(routes=routes), port), page
