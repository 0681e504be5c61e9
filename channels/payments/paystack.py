"""Paystack: a small client over httpx (its SDKs hard-code the API's address) and its webhook.

Paystack has no idempotency header. Our references are unique, so a "Duplicate Transaction
Reference" answer means the call was already made: the client looks the transaction up and
answers with what happened (docs/decisions.md P4). Amounts are in cents (ZAR).
Webhook: `POST /webhooks/paystack`, `x-paystack-signature` = hex HMAC-SHA512 of the raw body
keyed by the secret key; a bad or missing signature gets 400 and nothing is kept.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx
from flask import Response, request

from channels.outage import plain_text
from core.payments.port import (
    CallOutcome,
    CardDetails,
    EventKind,
    PaymentProviderError,
    ProviderCall,
    ProviderEvent,
)
from core.settings import Settings

from .webhooks import blueprint, deliver, platform

NAME = "paystack"
REFUND_KINDS = {
    "pending": EventKind.REFUND_PENDING,
    "processing": EventKind.REFUND_PENDING,
    "processed": EventKind.REFUND_SUCCEEDED,
    "failed": EventKind.REFUND_FAILED,
}


class PaystackRefusal(PaymentProviderError):
    def __init__(self, status: int, message: str, code: str | None) -> None:
        super().__init__(f"paystack {status}: {message}", retryable=False)
        self.status, self.message, self.code = status, message, code

    @property
    def duplicate_reference(self) -> bool:
        text = self.message.lower()
        return self.code == "duplicate_reference" or ("duplicate" in text and "reference" in text)


class PaystackClient:
    def __init__(self, secret_key: str, base_url: str, *, timeout: float = 15.0) -> None:
        self._http = httpx.Client(
            base_url=base_url,
            timeout=timeout,
            headers={"Authorization": f"Bearer {secret_key}", "Accept": "application/json"},
        )

    def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """The answer's `data`; PaystackRefusal for a 4xx, a retryable error otherwise."""
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as err:
            raise PaymentProviderError(
                f"paystack unreachable: {type(err).__name__}", retryable=True
            ) from None
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code >= 500 or response.status_code == 429:
            raise PaymentProviderError(f"paystack {response.status_code}", retryable=True)
        if response.status_code >= 400 or body.get("status") is False:
            raise PaystackRefusal(
                response.status_code, str(body.get("message", ""))[:200], body.get("code")
            )
        data = body.get("data")
        return data if isinstance(data, dict) else {"items": data or []}


class PaystackProvider:
    name = NAME
    manual_capture = False  # pre-authorisation is not in its published API (P4)

    def __init__(self, settings: Settings) -> None:
        assert settings.paystack_secret_key, "PAYSTACK_SECRET_KEY is checked by Settings"
        self.client = PaystackClient(settings.paystack_secret_key, settings.paystack_api_base_url)

    def create_link(self, call: ProviderCall) -> CallOutcome:
        body = {
            "email": call.email,
            "amount": call.amount_cents,
            "currency": call.currency,
            "reference": call.payment_reference,
            "callback_url": call.return_url,
            "metadata": {"payment_reference": call.payment_reference},
        }
        try:
            data = self.client.call("POST", "/transaction/initialize", json=body)
        except PaystackRefusal as err:
            if not err.duplicate_reference:
                raise
            outcome = self.verify(call.payment_reference)
            if outcome.event is None:  # made before, not paid, and its link is not given again
                raise PaymentProviderError(
                    "link made before; not paid yet", retryable=False
                ) from None
            return outcome
        return CallOutcome(link_url=data.get("authorization_url"))

    def charge_saved_card(self, call: ProviderCall) -> CallOutcome:
        body = {
            "email": call.email,
            "amount": call.amount_cents,
            "currency": call.currency,
            "authorization_code": call.authorization_code,
            "reference": call.payment_reference,
            "metadata": {"payment_reference": call.payment_reference},
        }
        try:
            data = self.client.call("POST", "/transaction/charge_authorization", json=body)
        except PaystackRefusal as err:
            if not err.duplicate_reference:
                raise
            return self.verify(call.payment_reference)
        return CallOutcome(event=transaction_event(data, f"api:{call.idempotency_key}"))

    def verify(self, reference: str) -> CallOutcome:
        data = self.client.call("GET", f"/transaction/verify/{reference}")
        return CallOutcome(event=transaction_event(data, f"verify:{reference}"))

    def lookup(self, call: ProviderCall) -> CallOutcome:
        """`GET /transaction/verify/{reference}`; a reference Paystack never saw is no news."""
        try:
            return self.verify(call.payment_reference)
        except PaystackRefusal:
            return CallOutcome()

    def capture(self, call: ProviderCall) -> CallOutcome:
        return CallOutcome()  # the money was taken with the charge

    def void(self, call: ProviderCall) -> CallOutcome:
        return CallOutcome()  # nothing is ever held without being taken

    def refund(self, call: ProviderCall) -> CallOutcome:
        """POST /refund, once: a retry first looks for the refund carrying our reference in its
        merchant note (P7)."""
        if call.provider_payment_id:
            listed = self.client.call(
                "GET", "/refund", params={"transaction": call.provider_payment_id}
            )
            for item in listed.get("items", []):
                if isinstance(item, dict) and item.get("merchant_note") == call.refund_reference:
                    return CallOutcome(event=refund_event(item, call))
        body = {
            "transaction": call.payment_reference,
            "amount": call.amount_cents,
            "currency": call.currency,
            "merchant_note": call.refund_reference,
        }
        return CallOutcome(event=refund_event(self.client.call("POST", "/refund", json=body), call))


def _cents(value: Any) -> int:
    return int(str(value or 0))


def transaction_event(data: dict[str, Any], key: str) -> ProviderEvent | None:
    """A transaction (verify, charge_authorization, charge.success) as an event: success is
    money taken, failed a failed try; abandoned or still ongoing is no change."""
    kind = {"success": EventKind.CAPTURED, "failed": EventKind.FAILED}.get(str(data.get("status")))
    if kind is None:
        return None
    auth = data.get("authorization") or {}
    customer = data.get("customer") or {}
    card = None
    if auth.get("authorization_code") and auth.get("channel", "card") == "card":
        card = CardDetails(
            authorization_code=str(auth["authorization_code"]),
            reusable=bool(auth.get("reusable")),
            last4=str(auth.get("last4") or "")[:4] or None,
            brand=str(auth.get("brand") or auth.get("card_type") or "").strip()[:20] or None,
            customer_code=customer.get("customer_code"),
        )
    return ProviderEvent(
        provider=NAME,
        key=key,
        kind=kind,
        amount_cents=_cents(data.get("amount")),
        currency=str(data.get("currency") or ""),
        reference=data.get("reference"),
        provider_payment_id=str(data["id"]) if data.get("id") else None,
        card=card,
        reason=data.get("gateway_response"),
    )


def refund_event(data: dict[str, Any], call: ProviderCall) -> ProviderEvent | None:
    kind = REFUND_KINDS.get(str(data.get("status")))
    if kind is None:
        return None
    return ProviderEvent(
        provider=NAME,
        key=f"api:{call.idempotency_key}:{data.get('status')}",
        kind=kind,
        amount_cents=_cents(data.get("amount")),
        currency=str(data.get("currency") or call.currency),
        reference=call.payment_reference,
        refund_reference=call.refund_reference,
        provider_refund_id=str(data["id"]) if data.get("id") else None,
    )


def signature_ok(secret: str, body: bytes, signature: str) -> bool:
    expected = hmac.new(secret.encode(), body, hashlib.sha512).hexdigest()
    return bool(signature) and hmac.compare_digest(expected, signature.strip().lower())


def parse_webhook(body: dict[str, Any]) -> ProviderEvent | None:
    """A Paystack webhook body as an event; None for events we do not act on. Paystack sends
    no event id: the key is the event name with the transaction's (or dispute's) identity."""
    name, data = str(body.get("event", "")), body.get("data") or {}
    if name == "charge.success":
        return transaction_event(data, f"{name}:{data.get('reference')}")
    if name in ("refund.pending", "refund.processing", "refund.processed", "refund.failed"):
        identity = data.get("refund_reference") or data.get("amount")
        return ProviderEvent(
            provider=NAME,
            key=f"{name}:{data.get('transaction_reference')}:{identity}",
            kind=REFUND_KINDS[name.split(".")[1]],
            amount_cents=_cents(data.get("amount")),
            currency=str(data.get("currency") or ""),
            reference=data.get("transaction_reference"),
        )
    if name == "charge.dispute.create":
        transaction = data.get("transaction") or {}
        return ProviderEvent(
            provider=NAME,
            key=f"{name}:{data.get('id')}",
            kind=EventKind.DISPUTED,
            amount_cents=_cents(data.get("refund_amount") or transaction.get("amount")),
            currency=str(data.get("currency") or transaction.get("currency") or ""),
            reference=transaction.get("reference"),
        )
    return None


@blueprint.post("/webhooks/paystack")
def paystack_webhook() -> Response:
    secret = platform().settings.paystack_secret_key
    if platform().settings.payment_provider != NAME or not secret:
        return plain_text(403, "forbidden: paystack is not the payment provider")
    raw = request.get_data(cache=False)
    if not signature_ok(secret, raw, request.headers.get("x-paystack-signature", "")):
        return plain_text(400, "bad or missing x-paystack-signature")
    try:
        body = json.loads(raw)
    except ValueError:
        return plain_text(400, "not JSON")
    if not isinstance(body, dict):
        return plain_text(400, "not a JSON object")
    return deliver(parse_webhook(body), str(body.get("event")))
