"""A throwaway nginx that serves a built site under a URL prefix, as the production host does."""

import grp
import os
import pwd
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .env import require
from .ports import free_port

NGINX = Path("/usr/sbin/nginx")
MIME_TYPES = Path("/etc/nginx/mime.types")
START_TIMEOUT_S = 15.0
STOP_TIMEOUT_S = 10.0
START_ATTEMPTS = 3  # another process may take the free port before nginx binds it


def nginx_config(root_dir: Path, prefix: str, port: int, work_dir: Path) -> str:
    """Return an nginx.conf serving ``root_dir`` at ``prefix``, writing only inside ``work_dir``."""
    if not (prefix.startswith("/") and prefix.endswith("/")):
        raise ValueError(f"prefix must start and end with '/': {prefix!r}")
    # As root, nginx would run its workers as "nobody", who cannot read pytest's 0700 tmp folders.
    user = ""
    if os.geteuid() == 0:
        user = f"user {pwd.getpwuid(os.getuid()).pw_name} {grp.getgrgid(os.getgid()).gr_name};"
    mime = f"include {MIME_TYPES};" if MIME_TYPES.exists() else "types { text/html html; }"
    temp_paths = "\n".join(
        f"    {kind}_temp_path {work_dir / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""\
daemon off;
{user}
worker_processes 1;
pid {work_dir / "nginx.pid"};
error_log {work_dir / "error.log"} warn;
events {{ worker_connections 128; }}
http {{
    {mime}
    default_type application/octet-stream;
    charset utf-8;
    access_log {work_dir / "access.log"};
{temp_paths}
    sendfile on;
    absolute_redirect off;
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        location = {prefix.rstrip("/")} {{ return 301 {prefix}; }}
        location {prefix} {{
            alias {root_dir.resolve()}/;
            index index.html;
            error_page 404 {prefix}404.html;
        }}
    }}
}}
"""


@contextmanager
def nginx_serving(root_dir: Path, prefix: str = "/archive/") -> Iterator[str]:
    """Serve ``root_dir`` at ``prefix`` with nginx on a free loopback port; yield the base URL.

    The URL ends with the prefix, e.g. ``http://127.0.0.1:40123/archive/``. Folders serve their
    ``index.html``; a missing path gets ``<root_dir>/404.html`` with status 404. nginx is stopped
    gracefully when the block ends.
    """
    require(NGINX.exists(), f"{NGINX} not found: install the Debian package nginx-light")
    if not root_dir.is_dir():
        raise FileNotFoundError(f"no such folder to serve: {root_dir}")
    with tempfile.TemporaryDirectory(prefix="sitegen-nginx-") as tmp:
        work_dir = Path(tmp)
        process, port = _start(root_dir, prefix, work_dir)
        try:
            yield f"http://127.0.0.1:{port}{prefix}"
        finally:
            _stop(process)


def _start(root_dir: Path, prefix: str, work_dir: Path) -> tuple[subprocess.Popen[bytes], int]:
    failure = ""
    for _ in range(START_ATTEMPTS):
        port = free_port()
        config = work_dir / "nginx.conf"
        config.write_text(nginx_config(root_dir, prefix, port, work_dir), encoding="utf-8")
        # -e sends start-up errors, logged before the config is read, to our folder too.
        command = [str(NGINX), "-p", str(work_dir), "-c", str(config)]
        command += ["-e", str(work_dir / "error.log")]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if _wait_until_listening(process, port):
            return process, port
        _stop(process)
        log = work_dir / "error.log"
        failure = log.read_text(errors="replace") if log.exists() else ""
        failure += (process.stdout.read() if process.stdout else b"").decode(errors="replace")
        if "Address already in use" not in failure:
            break
    raise RuntimeError(f"nginx did not start:\n{failure}")


def _wait_until_listening(process: subprocess.Popen[bytes], port: int) -> bool:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # fast shutdown: no wait for idle keep-alives
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout:
        process.stdout.close()
