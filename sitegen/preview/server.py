"""The preview's HTTP side: the site under its base path, the reload socket, the error page.

Built on tornado and the `livereload` package: its browser client (`livereload.js`) and its
wire protocol. The socket handler is our own so that each server keeps its own browsers
and only same-origin pages may connect.
"""

from __future__ import annotations

import html
import json
import mimetypes
from collections.abc import Iterable, Sequence
from pathlib import Path

from livereload.handlers import LiveReloadJSHandler
from tornado.ioloop import IOLoop
from tornado.web import Application, RequestHandler
from tornado.websocket import WebSocketClosedError, WebSocketHandler

from ..errors import SitegenError
from .net import is_loopback
from .paths import resolve
from .state import Preview, Published

LIVERELOAD_PROTOCOL = "http://livereload.com/protocols/official-7"
_HEAD_END = b"</head>"
_BODY_END = b"</body>"
_EXCERPT_CONTEXT = 2  # lines shown above and below an error's line
_EXCERPT_MAX_BYTES = 2_000_000


class ReloadHub:
    """The browsers that listen for reloads, and the one way to tell them."""

    def __init__(self) -> None:
        self.sockets: set[ReloadSocket] = set()
        self.loop: IOLoop | None = None

    def reload(self, paths: Sequence[str]) -> None:
        """Tell every browser to reload `paths` (`*` for the whole page); safe from any thread."""
        if self.loop is not None:
            self.loop.add_callback(self._send, list(paths))

    def _send(self, paths: list[str]) -> None:
        for path in paths:
            message = {"command": "reload", "path": path, "liveCSS": True, "liveImg": True}
            for socket in list(self.sockets):
                try:
                    socket.write_message(message)
                except WebSocketClosedError:
                    self.sockets.discard(socket)

    def close_all(self) -> None:
        for socket in list(self.sockets):
            socket.close()
        self.sockets.clear()


class ReloadSocket(WebSocketHandler):
    """The livereload protocol: answer `hello`, then push `reload` messages.

    tornado's default origin check stays on: only a page served by this server may connect.
    """

    def initialize(self, hub: ReloadHub) -> None:
        self.hub = hub

    def on_message(self, message: str | bytes) -> None:
        try:
            data = json.loads(message)
        except ValueError:
            return
        if isinstance(data, dict) and data.get("command") == "hello":
            # Listed before the answer, so a client that saw the handshake gets every reload.
            self.hub.sockets.add(self)
            self.write_message(
                {"command": "hello", "protocols": [LIVERELOAD_PROTOCOL], "serverName": "sitegen"}
            )

    def on_close(self) -> None:
        self.hub.sockets.discard(self)


# Loaded after livereload.js: when the socket (re)connects, a page that missed a reload
# while it was loading, or while the server was down, reloads itself.
CHECK_JS = """(function () {
  "use strict";
  var served = new URL(document.currentScript.src).searchParams.get("generation");
  function check() {
    fetch("/livereload/generation", { cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : served; })
      .then(function (current) { if (current !== served) { window.location.reload(); } })
      .catch(function () {});
  }
  if (window.LiveReload && typeof window.LiveReload.on === "function") {
    window.LiveReload.on("connect", check);
  }
})();
"""


class CheckJSHandler(RequestHandler):
    """The small script that catches up on missed reloads."""

    def get(self) -> None:
        self.set_header("Content-Type", "application/javascript; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(CHECK_JS)


class GenerationHandler(RequestHandler):
    """The generation of what the server shows now, for the check script."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def get(self) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(self.preview.published.generation)


def _host_name(host_header: str) -> str:
    if host_header.startswith("["):
        return host_header[1 : host_header.find("]")] if "]" in host_header else host_header
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


class SiteHandler(RequestHandler):
    """Every path that is not the reload machinery: a file of the preview folder, or a 404."""

    def initialize(self, preview: Preview, loopback_only: bool) -> None:
        self.preview = preview
        self.loopback_only = loopback_only
        self._generation = ""

    def set_default_headers(self) -> None:
        self.clear_header("Server")
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")

    def head(self) -> None:
        self.get()

    def get(self) -> None:
        # A loopback server answers only loopback names, so a web page cannot reach it through
        # a domain of its own that resolves to 127.0.0.1 (DNS rebinding).
        if self.loopback_only and not is_loopback(_host_name(self.request.host)):
            self._plain(400, "unexpected Host header")
            return
        published = self.preview.published
        self._generation = published.generation
        base, path = published.base_path, self.request.path
        if base != "/" and path in ("/", base.rstrip("/")):
            self.redirect(base)
            return
        target = resolve(path, base, published.root_for(path))
        if target is not None and target.redirect is not None:
            self.redirect(target.redirect)
            return
        file = target.file if target is not None else None
        wants_page = file is None or file.suffix == ".html"
        if published.failed and wants_page:
            self._send_html(500, error_page(published))
        elif file is not None:
            self._send_file(file)
        else:
            self._not_found(published)

    def _send_file(self, file: Path) -> None:
        try:
            data = file.read_bytes()
        except OSError:  # removed by a rebuild since it was resolved
            self._not_found(self.preview.published)
            return
        if file.suffix == ".html":
            self._send_html(200, data)
            return
        content_type, encoding = mimetypes.guess_type(file.name)
        if encoding is not None or content_type is None:
            content_type = "application/octet-stream"
        elif content_type.startswith("text/") or content_type.endswith(("+xml", "/xml", "json")):
            content_type += "; charset=utf-8"
        self.set_header("Content-Type", content_type)
        self.finish(data)

    def _not_found(self, published: Published) -> None:
        page = published.root / "404.html"
        try:
            self._send_html(404, page.read_bytes())
        except OSError:
            self._plain(404, "not found")

    def _plain(self, status: int, text: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(text + "\n")

    def _send_html(self, status: int, document: bytes) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(inject_script(document, self._reload_script()))

    def _reload_script(self) -> bytes:
        # The client reads its server from the query; the Host header keeps it same-origin
        # whichever name the browser used.
        host = self.request.host
        if host.startswith("["):
            name, _, port = host.partition("]")
            name, port = name + "]", port.lstrip(":")
        else:
            name, _, port = host.partition(":")
        port = port or ("443" if self.request.protocol == "https" else "80")
        client = html.escape(f"/livereload.js?host={name}&port={port}", quote=True)
        check = html.escape(f"/livereload-check.js?generation={self._generation}", quote=True)
        return f'<script src="{client}"></script><script src="{check}"></script>'.encode()


def inject_script(document: bytes, script: bytes) -> bytes:
    """The page with the reload client added before `</head>`, or `</body>`, or at its end."""
    lowered = document.lower()
    for marker in (_HEAD_END, _BODY_END):
        at = lowered.find(marker)
        if at != -1:
            return document[:at] + script + document[at:]
    return document + script


def make_application(preview: Preview, hub: ReloadHub, loopback_only: bool) -> Application:
    """The tornado application of one preview server."""
    return Application(
        [
            (r"/livereload", ReloadSocket, {"hub": hub}),
            (r"/livereload/generation", GenerationHandler, {"preview": preview}),
            (r"/livereload\.js", LiveReloadJSHandler),
            (r"/livereload-check\.js", CheckJSHandler),
            (r".*", SiteHandler, {"preview": preview, "loopback_only": loopback_only}),
        ],
        default_handler_class=SiteHandler,
        default_handler_args={"preview": preview, "loopback_only": loopback_only},
        log_function=lambda handler: None,  # no access log; the terminal is for build news
        compress_response=False,
    )


def _excerpt(site_dir: Path, error: SitegenError) -> str:
    if not error.path or not error.line:
        return ""
    path = Path(error.path)
    path = path if path.is_absolute() else site_dir / path
    try:
        if path.stat().st_size > _EXCERPT_MAX_BYTES:
            return ""
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    first = max(1, error.line - _EXCERPT_CONTEXT)
    last = min(len(lines), error.line + _EXCERPT_CONTEXT)
    rows = []
    for number in range(first, last + 1):
        mark = ' class="here"' if number == error.line else ""
        text = html.escape(lines[number - 1])
        rows.append(f'<span{mark}><span class="n">{number}</span>{text}</span>')
    return '<pre class="excerpt">' + "\n".join(rows) + "</pre>" if rows else ""


def _error_items(site_dir: Path, errors: Iterable[SitegenError]) -> str:
    items = []
    for error in errors:
        where = error.path or ""
        if error.path and error.line:
            where = f"{error.path}:{error.line}"
        parts = [f'<code class="where">{html.escape(where)}</code>'] if where else []
        if error.key:
            parts.append(f'<span class="key">{html.escape(error.key)}</span>')
        parts.append(f'<span class="message">{html.escape(error.message)}</span>')
        if error.hint:
            parts.append(f'<span class="hint">({html.escape(error.hint)})</span>')
        items.append(
            '<li class="sitegen-error">'
            + f'<p class="line">{": ".join(parts)}</p>'
            + _excerpt(site_dir, error)
            + "</li>"
        )
    return "\n".join(items)


_STYLE = """
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#fff;color:#1a1a1a}
main{max-width:60rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.5rem;color:#a4000f}
li{margin:0 0 1.25rem}
.line{margin:0}
code.where{font-weight:600}
.key{font-family:monospace}
.hint{color:#555}
pre{background:#f6f6f6;padding:.5rem;overflow:auto;font-size:.875rem}
pre .n{display:inline-block;width:3.5em;color:#777;user-select:none}
pre .here{background:#ffe3e3;display:inline-block;width:100%}
@media (prefers-color-scheme:dark){body{background:#161616;color:#eee}
h1{color:#ff8a8a}.hint,pre .n{color:#aaa}pre{background:#242424}pre .here{background:#5a1d1d}}
"""


def error_page(published: Published) -> bytes:
    """A page naming every error of the last build, with file, line and message."""
    count = len(published.errors)
    summary = f"{count} error{'s' if count != 1 else ''}" if count else "The build crashed"
    crash = f"<pre>{html.escape(published.crash)}</pre>" if published.crash else ""
    document = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Build failed · sitegen preview</title>
<style>{_STYLE}</style>
</head>
<body>
<main id="sitegen-build-errors">
<h1>The preview could not be built</h1>
<p>{summary}. Fix the file and save it: this page reloads by itself.</p>
<ol>
{_error_items(published.site_dir, published.errors)}
</ol>
{crash}
</main>
</body>
</html>
"""
    return document.encode("utf-8")
