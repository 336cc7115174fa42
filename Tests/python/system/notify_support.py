"""Helpers for the notification tests: an SMTP server that records what it receives (aiosmtpd,
optionally with STARTTLS required and AUTH, and a switch to refuse the next transactions with 451),
a loopback webhook receiver with scripted answers, a Chinese example shop, and polling helpers.

Everything here is started and stopped by the test that uses it (see the fixtures in the tests)."""
from __future__ import annotations

import email
import email.policy
import json
import re
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from orderapi import ADMIN_TOKEN, ApiServer, admin_headers, request, write_shop  # noqa: F401
from support import free_port  # noqa: F401

SHOP_NAME = "台南山丘酪梨園"
MAIL_FROM = f"{SHOP_NAME} <shop@example.tw>"
MAIL_DOMAIN = "example.tw"
OWNER = "owner@example.tw"
SMTP_USER, SMTP_PASSWORD = "mailer", "s3cret-pass"


def write_notify_shop(root: Path, **kwargs) -> Path:
    """`write_shop`, then a zh-TW store.json with the example shop's Chinese name."""
    write_shop(root, **kwargs)
    path = root / "content" / "store.json"
    store = json.loads(path.read_text())
    store.update({"name": SHOP_NAME, "locale": "zh-TW", "contact": {"email": "hello@example.tw", "phone": "06-576-0123"}})
    path.write_text(json.dumps(store, ensure_ascii=False))
    return root


def wait_until(predicate, timeout: float, message: str, interval: float = 0.05):
    """Polls `predicate` until it returns something truthy (returned) or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        time.sleep(interval)


# --- TLS ---------------------------------------------------------------------------------------

def make_cert(directory: Path) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for localhost and 127.0.0.1: (cert.pem, key.pem)."""
    cert, key = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-days", "1"],
        check=True, capture_output=True)
    return cert, key


# --- SMTP --------------------------------------------------------------------------------------

@dataclass
class ReceivedMail:
    raw: bytes
    mail_from: str
    rcpt_tos: list[str]
    tls: bool
    auth_user: str | None
    at: float

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"]).strip().strip("<>")

    @property
    def event(self) -> str:
        return str(self.message["X-Storefront-Event"] or "")

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def raw_header(self, name: str) -> str:
        """The header as sent (unfolded, not decoded)."""
        head = self.raw.split(b"\r\n\r\n", 1)[0].decode("ascii", errors="replace")
        unfolded = re.sub(r"\r\n[ \t]", " ", head)
        for line in unfolded.split("\r\n"):
            key, _, value = line.partition(":")
            if key.strip().lower() == name.lower():
                return value.strip()
        raise KeyError(name)


class _Handler:
    def __init__(self, server: "SmtpServer"):
        self.server = server

    async def handle_RCPT(self, smtp, session, envelope, address, rcpt_options):
        with self.server.lock:
            if address in self.server.reject_rcpt:
                return "550 5.1.1 No such user (test)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp, session, envelope):
        with self.server.lock:
            self.server.transactions += 1
            if self.server.refuse_next > 0:
                self.server.refuse_next -= 1
                self.server.refused += 1
                return "451 4.3.0 Try again later (test)"
            self.server.messages.append(ReceivedMail(
                raw=bytes(envelope.original_content or envelope.content), mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos), tls=session.ssl is not None,
                auth_user=session.auth_data if isinstance(session.auth_data, str) else None,
                at=time.monotonic()))
        return "250 2.0.0 OK"


class SmtpServer:
    """aiosmtpd on 127.0.0.1:`port` recording every message. With `cert`, STARTTLS is required and
    so is AUTH (PLAIN or LOGIN) as SMTP_USER/SMTP_PASSWORD. `refuse_next = N` answers the DATA of the
    next N transactions with 451; RCPT TO an address in `reject_rcpt` is answered 550."""

    def __init__(self, port: int | None = None, cert: tuple[Path, Path] | None = None):
        self.port = port or free_port()
        self.cert = cert
        self.lock = threading.Lock()
        self.messages: list[ReceivedMail] = []
        self.logins: list[tuple[str, str, bool]] = []  # (mechanism, user, success)
        self.refuse_next = 0
        self.reject_rcpt: set[str] = set()  # recipients answered 550 at RCPT TO
        self.refused = 0
        self.transactions = 0
        self.controller: Controller | None = None

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        user = auth_data.login.decode() if hasattr(auth_data, "login") else ""
        password = auth_data.password.decode() if hasattr(auth_data, "password") else ""
        ok = (user, password) == (SMTP_USER, SMTP_PASSWORD)
        with self.lock:
            self.logins.append((mechanism, user, ok))
        return AuthResult(success=ok, auth_data=user if ok else None)

    def start(self) -> "SmtpServer":
        kwargs = {}
        if self.cert:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(str(self.cert[0]), str(self.cert[1]))
            kwargs = dict(tls_context=context, require_starttls=True, auth_required=True, auth_require_tls=True,
                          authenticator=self._authenticate)
        else:
            kwargs = dict(auth_require_tls=False)
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, decode_data=False,
                                     ready_timeout=10, **kwargs)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def snapshot(self) -> list[ReceivedMail]:
        with self.lock:
            return list(self.messages)

    def wait_for(self, predicate, timeout: float, message: str):
        """Waits until `predicate(list of messages)` is truthy; returns its value."""
        return wait_until(lambda: predicate(self.snapshot()), timeout, message)

    def wait_count(self, count: int, timeout: float) -> list[ReceivedMail]:
        self.wait_for(lambda mails: len(mails) >= count, timeout, f"{count} e-mails (have {len(self.snapshot())})")
        return self.snapshot()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# --- webhooks ----------------------------------------------------------------------------------

@dataclass
class HookRequest:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float
    answered: int | None = None

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class _Route:
    mode: str = "204"            # "204", "500", "410", "never", "slow"
    script: list[int] = field(default_factory=list)  # statuses answered first, then `mode`


class WebhookReceiver:
    """A loopback HTTP server (ThreadingHTTPServer in a thread) recording every POST. Each path has
    a mode: 204, 500, 410, never (hold the socket without answering until stopped) or slow (answer
    204 after 30 s), optionally preceded by a script of statuses."""

    def __init__(self):
        self.port = free_port()
        self.lock = threading.Lock()
        self.requests: list[HookRequest] = []
        self.routes: dict[str, _Route] = {}
        self.stopping = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                hook = HookRequest(self.path, {k.lower(): v for k, v in self.headers.items()}, body, time.monotonic())
                with receiver.lock:
                    receiver.requests.append(hook)
                    route = receiver.routes.setdefault(self.path, _Route())
                    status = route.script.pop(0) if route.script else None
                    mode = route.mode
                if status is None:
                    if mode == "never":
                        receiver.stopping.wait()
                        return
                    if mode == "slow":
                        if receiver.stopping.wait(30):
                            return
                        status = 204
                    else:
                        status = int(mode)
                hook.answered = status
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, mode: str = "204", script: list[int] | None = None) -> str:
        with self.lock:
            self.routes[path] = _Route(mode, list(script or []))
        return self.url(path)

    def start(self) -> "WebhookReceiver":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def received(self, path: str | None = None) -> list[HookRequest]:
        with self.lock:
            return [r for r in self.requests if path is None or r.path == path]

    def wait_for(self, predicate, timeout: float, message: str):
        return wait_until(lambda: predicate(self.received()), timeout, message)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def verify_signature(secret: str, hook: HookRequest) -> dict:
    """Checks the Standard Webhooks signature with the `standardwebhooks` package; returns the payload."""
    from standardwebhooks.webhooks import Webhook
    headers = {k: hook.headers[k] for k in ("webhook-id", "webhook-timestamp", "webhook-signature")}
    return Webhook(secret).verify(hook.body, headers)


# --- the API -----------------------------------------------------------------------------------

def mail_env(smtp: SmtpServer, cert: Path | None = None, owner: str = OWNER) -> dict[str, str]:
    """The `order-api` environment for `smtp`: STARTTLS + AUTH with `cert`, else plain on loopback."""
    if cert is not None:
        url = f"smtp://{SMTP_USER}:{SMTP_PASSWORD}@localhost:{smtp.port}"
        env = {"SMTP_URL": url, "SMTP_CA_FILE": str(cert)}
    else:
        env = {"SMTP_URL": f"smtp://127.0.0.1:{smtp.port}?tls=none"}
    env.update({"MAIL_FROM": MAIL_FROM, "OWNER_EMAIL": owner})
    return env


def api_json(api: ApiServer, method: str, path: str, body=None, admin: bool = True, expect: int | None = None):
    """(status, parsed JSON or None) of one request to the API."""
    headers = admin_headers() if admin else {"Content-Type": "application/json", "Origin": "https://shop.test.example"}
    status, _, raw = request(method, api.base + path, body, headers, timeout=15)
    data = json.loads(raw) if raw else None
    if expect is not None:
        assert status == expect, f"{method} {path} -> {status}: {raw[:500]!r}"
    return status, data


def place_order(api: ApiServer, body: dict) -> dict:
    _, data = api_json(api, "POST", "/order", body, admin=False, expect=201)
    return data["order"] if "order" in data else data


def set_status(api: ApiServer, order_id: str, status: str, tracking: str | None = None) -> dict:
    body = {"status": status}
    if tracking:
        body["trackingNumber"] = tracking
    _, data = api_json(api, "POST", f"/admin/orders/{order_id}/status", body, expect=200)
    return data["order"]


def deliveries(api: ApiServer, status: str | None = None) -> list[dict]:
    """Every delivery in the log (all pages)."""
    result, cursor = [], None
    while True:
        query = "?limit=100" + (f"&status={status}" if status else "") + (f"&cursor={cursor}" if cursor else "")
        _, data = api_json(api, "GET", "/admin/deliveries" + query, expect=200)
        result += data["deliveries"]
        cursor = data.get("nextCursor")
        if not cursor:
            return result


def add_webhook(api: ApiServer, url: str, events: list[str] | None = None) -> dict:
    body = {"url": url}
    if events is not None:
        body["events"] = events
    _, data = api_json(api, "POST", "/admin/webhooks", body, expect=201)
    return data
