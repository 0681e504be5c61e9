"""Local HTTP servers that speak the providers' documented send APIs (never the internet).

Each records what it received and can be told to fail: `fail_with(...)` for the next N sends, or
`opt_out(number)` for a recipient that has blocked us. Start them with `with FakeTwilio() as fake:`;
`fake.url` is the base URL to put in TWILIO_API_BASE_URL / AT_API_BASE_URL.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs


@dataclass
class Received:
    to: str
    body: str
    sender: str | None
    message_id: str
    fields: dict[str, str] = field(default_factory=dict)


class _FakeServer:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.opted_out: set[str] = set()
        self._failures: list[tuple[int, dict[str, Any]]] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.content_type = "application/json"
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            wbufsize = 1 << 16  # one write per response: no Nagle/delayed-ACK stalls

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                if "json" in (self.headers.get("Content-Type") or ""):
                    form = json.loads(raw or "{}")
                else:
                    form = {k: v[0] for k, v in parse_qs(raw).items() if v}
                self._answer(*fake.handle_request("POST", self.path, dict(self.headers), form))

            def do_GET(self) -> None:  # noqa: N802
                path, _, query = self.path.partition("?")
                form = {k: v[0] for k, v in parse_qs(query).items() if v}
                self._answer(*fake.handle_request("GET", path, dict(self.headers), form))

            def _answer(self, status: int, payload: dict[str, Any]) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", fake.content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> _FakeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail_with(self, status: int, payload: dict[str, Any], times: int = 1) -> None:
        with self._lock:
            self._failures.extend([(status, payload)] * times)

    def opt_out(self, number: str) -> None:
        self.opted_out.add(number)

    def next_failure(self) -> tuple[int, dict[str, Any]] | None:
        with self._lock:
            return self._failures.pop(0) if self._failures else None

    def record(self, item: Received) -> None:
        with self._lock:
            self.received.append(item)

    def handle_request(
        self, method: str, path: str, headers: dict[str, str], form: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        if method != "POST":
            return 405, {"error": "method not allowed"}
        return self.handle(path, headers, form)

    def handle(
        self, path: str, headers: dict[str, str], form: dict[str, str]
    ) -> tuple[int, dict[str, Any]]:
        raise NotImplementedError


class FakeTwilio(_FakeServer):
    """POST /2010-04-01/Accounts/{Sid}/Messages.json with basic auth -> 201 message resource."""

    def __init__(self, account_sid: str = "AC" + "0" * 32, auth_token: str = "secret") -> None:
        super().__init__()
        self.account_sid, self.auth_token = account_sid, auth_token

    def handle(self, path, headers, form):  # type: ignore[no-untyped-def]
        expected = f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        if path != expected:
            return 404, {"code": 20404, "message": "The requested resource was not found"}
        auth = headers.get("Authorization", "")
        token = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if auth != f"Basic {token}":
            return 401, {"code": 20003, "message": "Authenticate", "status": 401}
        failure = self.next_failure()
        if failure:
            return failure
        if form.get("To") in self.opted_out:
            return 400, {
                "code": 21610,
                "message": "Attempt to send to unsubscribed recipient",
                "more_info": "https://www.twilio.com/docs/errors/21610",
                "status": 400,
            }
        sid = f"SM{next(self._ids):032x}"
        self.record(Received(form["To"], form.get("Body", ""), form.get("From"), sid, form))
        return 201, {
            "sid": sid,
            "account_sid": self.account_sid,
            "to": form["To"],
            "from": form.get("From"),
            "body": form.get("Body", ""),
            "status": "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "price": None,
            "error_code": None,
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
        }

    @staticmethod
    def server_error() -> tuple[int, dict[str, Any]]:
        return 503, {"code": 20500, "message": "Service Unavailable", "status": 503}


class FakeAfricasTalking(_FakeServer):
    """POST /version1/messaging with an apiKey header -> SMSMessageData.Recipients[...]."""

    def __init__(self, username: str = "sandbox", api_key: str = "at-key") -> None:
        super().__init__()
        self.username, self.api_key = username, api_key

    def handle(self, path, headers, form):  # type: ignore[no-untyped-def]
        if path != "/version1/messaging":
            return 404, {"error": "not found"}
        if headers.get("apiKey") != self.api_key or form.get("username") != self.username:
            return 401, {"error": "The supplied authentication is invalid"}
        failure = self.next_failure()
        if failure:
            return failure
        recipients = []
        for number in form.get("to", "").split(","):
            if number in self.opted_out:
                recipients.append(
                    {
                        "statusCode": 406,
                        "number": number,
                        "status": "UserInBlackList",
                        "cost": "0",
                        "messageId": "None",
                    }
                )
                continue
            message_id = f"ATXid_{next(self._ids):024x}"
            self.record(
                Received(number, form.get("message", ""), form.get("from"), message_id, form)
            )
            recipients.append(
                {
                    "statusCode": 101,
                    "number": number,
                    "status": "Success",
                    "cost": "ZAR 0.2500",
                    "messageId": message_id,
                }
            )
        sent = sum(1 for r in recipients if r["statusCode"] == 101)
        return 201, {
            "SMSMessageData": {
                "Message": f"Sent to {sent}/{len(recipients)} Total Cost: ZAR {0.25 * sent:.4f}",
                "Recipients": recipients,
            }
        }

    @staticmethod
    def recipient_error(status_code: int, status: str) -> dict[str, Any]:
        return {
            "SMSMessageData": {
                "Message": "Sent to 0/1 Total Cost: 0",
                "Recipients": [
                    {
                        "statusCode": status_code,
                        "number": "",
                        "status": status,
                        "cost": "0",
                        "messageId": "None",
                    }
                ],
            }
        }
