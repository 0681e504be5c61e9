"""Stripe for tests: `localstripe` (a stateful Stripe emulator from PyPI), run as a subprocess,
behind a small front of our own.

localstripe speaks PaymentIntents (manual capture, cancel, refunds, customers, payment
methods) but has no Checkout Sessions and ignores `Idempotency-Key`. The front answers
`POST /v1/checkout/sessions` itself, in Stripe's documented shape, forwards every other
request to localstripe unchanged, and records each request's `Idempotency-Key`. `pay(session)`
plays the customer on the hosted page: it authorises a manual-capture PaymentIntent in
localstripe with the session's `payment_intent_data` and returns it (what Stripe's webhooks
carry). `signed(event, secret)` signs a body as Stripe does (docs: `t=<unix>,v1=<hex
HMAC-SHA256 of "<t>.<body>">`; the Python SDK has no public helper for it).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import itertools
import json
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import stripe

from tests.e2e.live import free_port

SECRET_KEY = "sk_test_kerbside0stripe"
WEBHOOK_SECRET = "whsec_kerbside0test"


def start_localstripe() -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("localstripe did not start")


def unflatten(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's form encoding (`a[b][0][c]=v`) back into nested dicts (lists as dicts)."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        parts = key.replace("]", "").split("[")
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return out


class LocalStripe:
    def __init__(self, localstripe_port: int) -> None:
        self.backend = localstripe_port
        self.sessions: dict[str, dict[str, Any]] = {}
        self.idempotency_keys: list[tuple[str, str, str | None]] = []
        self.answered: dict[tuple[str, str], tuple[int, bytes, str]] = {}  # Stripe replays these
        self._ids = itertools.count(1)
        self.sdk = stripe.StripeClient(
            SECRET_KEY, base_addresses={"api": f"http://127.0.0.1:{localstripe_port}"}
        )
        front = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                key = self.headers.get("Idempotency-Key")
                front.idempotency_keys.append((self.command, self.path, key))
                if self.command == "POST" and key and (self.path, key) in front.answered:
                    status, answer, kind = front.answered[(self.path, key)]  # replayed as is
                elif self.command == "POST" and self.path == "/v1/checkout/sessions":
                    status, answer = 200, json.dumps(front.create_session(body)).encode()
                    kind = "application/json"
                else:
                    status, answer, kind = front.forward(
                        self.command, self.path, self.headers, body
                    )
                if self.command == "POST" and key and status < 500:
                    front.answered[(self.path, key)] = (status, answer, kind)
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_GET = do_POST = do_DELETE = _serve  # noqa: N815

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> LocalStripe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def forward(self, method: str, path: str, headers: Any, body: bytes) -> tuple[int, bytes, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.backend, timeout=10)
        passed = {
            k: v for k, v in headers.items() if k.lower() in ("authorization", "content-type")
        }
        conn.request(method, path, body=body or None, headers=passed)
        response = conn.getresponse()
        answer = response.read()
        conn.close()
        return response.status, answer, response.getheader("Content-Type") or "application/json"

    def create_session(self, body: bytes) -> dict[str, Any]:
        params = unflatten(parse_qsl(body.decode()))
        item = params["line_items"]["0"]
        session_id = f"cs_test_{next(self._ids):024d}"
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": params.get("mode"),
            "status": "open",
            "payment_status": "unpaid",
            "url": f"{self.url}/pay/{session_id}",
            "amount_total": int(item["price_data"]["unit_amount"]) * int(item["quantity"]),
            "currency": item["price_data"]["currency"],
            "payment_intent": None,
            "client_reference_id": params.get("client_reference_id"),
            "metadata": params.get("metadata", {}),
            "success_url": params.get("success_url"),
            "customer_creation": params.get("customer_creation"),
            "payment_intent_data": params.get("payment_intent_data", {}),
        }
        self.sessions[session_id] = session
        return session

    def pay(self, session_id: str, *, amount: int | None = None) -> dict[str, Any]:
        """The customer pays the session: an authorised (requires_capture) PaymentIntent."""
        session = self.sessions[session_id]
        data = session["payment_intent_data"]
        customer = self.sdk.v1.customers.create({"email": "customer@kerbside.example"})
        method = self.card(customer.id)
        intent = self.sdk.v1.payment_intents.create(
            {
                "amount": amount or session["amount_total"],
                "currency": session["currency"],
                "customer": customer.id,
                "payment_method": method,
                "capture_method": data.get("capture_method", "automatic"),
                "metadata": data.get("metadata", {}),
                "confirm": True,
            }
        )
        session.update(status="complete", payment_intent=intent.id)
        body = intent.to_dict()
        if data.get("setup_future_usage"):
            body["setup_future_usage"] = data["setup_future_usage"]
        return body

    def card(self, customer_id: str) -> str:
        method = self.sdk.v1.payment_methods.create(
            {
                "type": "card",
                "card": {
                    "number": "4242424242424242",
                    "exp_month": 12,
                    "exp_year": 2030,
                    "cvc": "123",
                },
            }
        )
        self.sdk.v1.payment_methods.attach(method.id, {"customer": customer_id})
        return method.id

    def intent(self, intent_id: str) -> dict[str, Any]:
        return self.sdk.v1.payment_intents.retrieve(intent_id).to_dict()  # type: ignore[no-any-return]


def event(kind: str, obj: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    return {
        "id": event_id or f"evt_{abs(hash((kind, obj.get('id'), time.time_ns()))):020d}",
        "object": "event",
        "type": kind,
        "created": int(time.time()),
        "api_version": "2024-06-20",
        "data": {"object": obj},
    }


def signed(
    body: dict[str, Any], secret: str = WEBHOOK_SECRET, at: int | None = None
) -> tuple[bytes, str]:
    raw = json.dumps(body).encode()
    stamp = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + raw, hashlib.sha256).hexdigest()
    return raw, f"t={stamp},v1={mac}"
