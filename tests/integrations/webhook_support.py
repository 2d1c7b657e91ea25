"""Shared pieces of the webhook tests: a real receiver that verifies signatures, and a receiver that hangs."""

import socket
import threading
from dataclasses import dataclass, field

from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from werkzeug import Request, Response

from integrations import tasks
from integrations.models import WebhookEndpoint
from integrations.services import endpoint_create


@dataclass
class Receiver:
    """What a real receiver does: verify each request with standardwebhooks and keep what it accepted."""

    secret: str = ""
    status: int = 200
    accepted: list = field(default_factory=list)  # (headers, parsed payload)
    refused: list = field(default_factory=list)  # verification errors

    def __call__(self, request: Request) -> Response:
        try:
            payload = Webhook(self.secret).verify(request.get_data(), dict(request.headers))
        except WebhookVerificationError as e:
            self.refused.append(str(e))
            return Response("bad signature", status=400)
        self.accepted.append(({k.lower(): v for k, v in request.headers.items()}, payload))
        return Response("ok", status=self.status)


def receiver_endpoint(httpserver, *, consultant=None, events=("booking.created",), path="/hook", status=200,
                      by=None) -> tuple[WebhookEndpoint, Receiver]:
    endpoint, secret = endpoint_create(consultant=consultant, url=httpserver.url_for(path), events=list(events),
                                       by=by)
    receiver = Receiver(secret=secret, status=status)
    httpserver.expect_request(path, method="POST").respond_with_handler(receiver)
    return endpoint, receiver


def sweep() -> int:
    """What the minute schedule runs (tasks run inline in tests: Q_SYNC)."""
    return tasks.webhook_deliveries_send_due()


class HangingServer:
    """Accepts connections on 127.0.0.1 and never answers until closed: a receiver that hangs."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.connections = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def _accept(self):
        self.sock.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _addr = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(conn)

    def close(self):
        self._stop.set()
        self._thread.join(timeout=2)
        for conn in self.connections:
            conn.close()
        self.sock.close()
