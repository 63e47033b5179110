"""Real receivers for alert tests: an SMTP server (aiosmtpd) and a Slack-like incoming webhook.

Both listen on 127.0.0.1 on an ephemeral port and record what they received; the webhook can be
told to refuse its next posts (HTTP 500) to exercise retries.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.smtp import SMTP


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage

    @property
    def alert_key(self) -> str:
        return str(self.message["X-Vendor-Pipelines-Alert"])

    @property
    def body(self) -> str:
        return self.message.get_content()


async def _close(server: asyncio.base_events.Server) -> None:
    server.close()
    await server.wait_closed()


class SmtpReceiver:
    """An SMTP server on its own event loop thread, bound to an ephemeral port."""

    def __init__(self) -> None:
        self.mails: list[ReceivedMail] = []
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.base_events.Server | None = None
        self.port = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.mails.append(ReceivedMail(envelope.mail_from, tuple(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def start(self) -> SmtpReceiver:
        self._thread.start()
        create = self._loop.create_server(
            lambda: SMTP(self, hostname="alerts-test.local"), "127.0.0.1", 0
        )
        self._server = asyncio.run_coroutine_threadsafe(create, self._loop).result(10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        if self._server is not None:
            # Closed on the loop's own thread: asyncio is not thread-safe, and a close from this
            # thread raced the loop's wake-up of the server's waiters as a client left.
            asyncio.run_coroutine_threadsafe(_close(self._server), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def received(self) -> list[ReceivedMail]:
        with self._lock:
            return list(self.mails)

    def __enter__(self) -> SmtpReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass(frozen=True)
class ReceivedPost:
    path: str
    payload: dict
    status: int


class WebhookReceiver:
    """A threaded HTTP server answering POSTs like a Slack incoming webhook (`ok`)."""

    def __init__(self) -> None:
        self.posts: list[ReceivedPost] = []
        self.refuse_next = 0
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                payload = json.loads(self.rfile.read(length) or b"{}")
                with receiver._lock:
                    refuse = receiver.refuse_next > 0
                    receiver.refuse_next -= int(refuse)
                    status = 500 if refuse else 200
                    receiver.posts.append(ReceivedPost(self.path, payload, status))
                body = b"server_error" if refuse else b"ok"
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str = "/services/T000/B000/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def accepted(self, path: str | None = None) -> list[ReceivedPost]:
        with self._lock:
            return [p for p in self.posts if p.status == 200 and (path is None or p.path == path)]

    def all_posts(self) -> list[ReceivedPost]:
        with self._lock:
            return list(self.posts)

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)
