"""Stripe through its official SDK (`StripeClient`, pointed at STRIPE_API_BASE_URL when set).

PaymentIntents with `capture_method=manual`: authorised when the customer pays (a Checkout
Session for a link, an off-session confirmation for a saved card), captured at completion,
cancelled on a free cancellation. Every call carries an `Idempotency-Key` derived from our ids.
Webhook: `POST /webhooks/stripe`, verified by `stripe.Webhook.construct_event` (300 s
tolerance); a bad signature or an old timestamp gets 400 and nothing is kept.
"""

from __future__ import annotations

import json
import time
from typing import Any

import stripe
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

NAME = "stripe"
TOLERANCE_SECONDS = 300
INTENT_EVENTS = {
    "payment_intent.amount_capturable_updated": EventKind.AUTHORISED,
    "payment_intent.succeeded": EventKind.CAPTURED,
    "payment_intent.canceled": EventKind.VOIDED,
    "payment_intent.payment_failed": EventKind.FAILED,
}
INTENT_STATUS = {
    "requires_capture": EventKind.AUTHORISED,
    "succeeded": EventKind.CAPTURED,
    "canceled": EventKind.VOIDED,
}
REFUND_STATUS = {
    "pending": EventKind.REFUND_PENDING,
    "requires_action": EventKind.REFUND_PENDING,
    "succeeded": EventKind.REFUND_SUCCEEDED,
    "failed": EventKind.REFUND_FAILED,
    "canceled": EventKind.REFUND_FAILED,
}
REFUND_EVENTS = ("refund.created", "refund.updated", "refund.failed")


class StripeProvider:
    name = NAME
    manual_capture = True

    def __init__(self, settings: Settings) -> None:
        assert settings.stripe_secret_key, "STRIPE_SECRET_KEY is checked by Settings"
        addresses = {"api": settings.stripe_api_base_url} if settings.stripe_api_base_url else {}
        self.client = stripe.StripeClient(
            settings.stripe_secret_key,
            base_addresses=addresses,  # type: ignore[arg-type]
            max_network_retries=2,
        )

    def _send(self, call: ProviderCall, action: Any, *args: Any) -> Any:
        try:
            return action(*args, options={"idempotency_key": call.idempotency_key})
        except stripe.CardError as err:  # a decline is an answer: the payment failed
            intent: Any = (err.error.payment_intent if err.error else None) or {}
            return _failure(call, getattr(err, "user_message", None) or str(err.code), intent)
        except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as err:
            raise PaymentProviderError(f"stripe: {type(err).__name__}", retryable=True) from None
        except stripe.StripeError as err:
            raise PaymentProviderError(
                f"stripe: {err.user_message or err}", retryable=False
            ) from None

    def create_link(self, call: ProviderCall) -> CallOutcome:
        metadata = {"payment_reference": call.payment_reference}
        intent_data: dict[str, Any] = {"capture_method": "manual", "metadata": metadata}
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": call.currency.lower(),
                        "unit_amount": call.amount_cents,
                        "product_data": {"name": "Kerbside booking"},
                    },
                }
            ],
            "payment_intent_data": intent_data,
            "client_reference_id": call.payment_reference,
            "metadata": metadata,
            "success_url": call.return_url,
        }
        if call.save_card:
            intent_data["setup_future_usage"] = "off_session"
            params["customer_creation"] = "always"
        session = self._send(call, self.client.v1.checkout.sessions.create, params)
        if isinstance(session, CallOutcome):
            return session
        return CallOutcome(link_url=session.url)

    def charge_saved_card(self, call: ProviderCall) -> CallOutcome:
        params = {
            "amount": call.amount_cents,
            "currency": call.currency.lower(),
            "customer": call.customer_code,
            "payment_method": call.authorization_code,
            "capture_method": "manual",
            "confirm": True,
            "off_session": True,
            "metadata": {"payment_reference": call.payment_reference},
        }
        return self._intent(call, self.client.v1.payment_intents.create, params)

    def capture(self, call: ProviderCall) -> CallOutcome:
        params = {"amount_to_capture": call.amount_cents}
        return self._intent(
            call, self.client.v1.payment_intents.capture, call.provider_payment_id, params
        )

    def void(self, call: ProviderCall) -> CallOutcome:
        return self._intent(call, self.client.v1.payment_intents.cancel, call.provider_payment_id)

    def refund(self, call: ProviderCall) -> CallOutcome:
        params = {
            "payment_intent": call.provider_payment_id,
            "amount": call.amount_cents,
            "metadata": {"reference": call.refund_reference},
        }
        refund = self._send(call, self.client.v1.refunds.create, params)
        if isinstance(refund, CallOutcome):
            return refund
        return CallOutcome(event=refund_event(refund.to_dict(), f"api:{call.idempotency_key}"))

    def lookup(self, call: ProviderCall) -> CallOutcome:
        """Retrieve the PaymentIntent. A link whose intent we never learnt (its Checkout
        Session's webhook lost) cannot be looked up by our reference: no news (PR3)."""
        if not call.provider_payment_id:
            return CallOutcome()
        try:
            intent = self.client.v1.payment_intents.retrieve(call.provider_payment_id)
        except stripe.StripeError as err:
            raise PaymentProviderError(f"stripe: {type(err).__name__}", retryable=True) from None
        body = intent.to_dict()
        kind = INTENT_STATUS.get(body.get("status", ""))
        return CallOutcome(event=intent_event(body, kind, f"lookup:{call.idempotency_key}"))

    def _intent(self, call: ProviderCall, action: Any, *args: Any) -> CallOutcome:
        intent = self._send(call, action, *args)
        if isinstance(intent, CallOutcome):
            return intent
        body = intent.to_dict()
        kind = INTENT_STATUS.get(body.get("status", ""))
        return CallOutcome(event=intent_event(body, kind, f"api:{call.idempotency_key}"))


def _failure(call: ProviderCall, reason: str, intent: Any) -> CallOutcome:
    intent_id = intent.get("id") if hasattr(intent, "get") else None
    return CallOutcome(
        event=ProviderEvent(
            provider=NAME,
            key=f"api:{call.idempotency_key}",
            kind=EventKind.FAILED,
            amount_cents=call.amount_cents,
            currency=call.currency,
            reference=call.payment_reference,
            provider_payment_id=intent_id,
            reason=reason[:200],
        )
    )


def _captured_amount(intent: dict[str, Any]) -> int:
    if "amount_received" in intent:
        return int(intent["amount_received"])
    charge = intent.get("latest_charge")  # localstripe has no amount_received: read the charge
    if isinstance(charge, dict):
        return int(charge.get("amount", 0)) - int(charge.get("amount_refunded", 0))
    return int(intent.get("amount", 0))


def intent_event(intent: dict[str, Any], kind: EventKind | None, key: str) -> ProviderEvent | None:
    if kind is None:
        return None
    if kind == EventKind.AUTHORISED:
        amount = int(intent.get("amount_capturable") or intent.get("amount") or 0)
    elif kind == EventKind.CAPTURED:
        amount = _captured_amount(intent)
    else:
        amount = int(intent.get("amount") or 0)
    card = None
    method, customer = intent.get("payment_method"), intent.get("customer")
    if isinstance(method, dict):
        method = method.get("id")
    if method and customer and intent.get("setup_future_usage") == "off_session":
        card = CardDetails(authorization_code=str(method), reusable=True, customer_code=customer)
    error = intent.get("last_payment_error") or {}
    return ProviderEvent(
        provider=NAME,
        key=key,
        kind=kind,
        amount_cents=amount,
        currency=str(intent.get("currency") or ""),
        reference=(intent.get("metadata") or {}).get("payment_reference"),
        provider_payment_id=intent.get("id"),
        card=card,
        reason=error.get("code") if isinstance(error, dict) else None,
    )


def refund_event(refund: dict[str, Any], key: str) -> ProviderEvent | None:
    kind = REFUND_STATUS.get(str(refund.get("status")))
    if kind is None:
        return None
    return ProviderEvent(
        provider=NAME,
        key=key,
        kind=kind,
        amount_cents=int(refund.get("amount") or 0),
        currency=str(refund.get("currency") or ""),
        provider_payment_id=refund.get("payment_intent"),
        refund_reference=(refund.get("metadata") or {}).get("reference"),
        provider_refund_id=refund.get("id"),
    )


def parse_event(body: dict[str, Any]) -> ProviderEvent | None:
    """A verified Stripe event as ours; None for types we do not act on. Its `id` is the key."""
    kind_name, key = str(body.get("type", "")), str(body.get("id", ""))
    obj = (body.get("data") or {}).get("object") or {}
    if kind_name in INTENT_EVENTS:
        return intent_event(obj, INTENT_EVENTS[kind_name], key)
    if kind_name in REFUND_EVENTS:
        return refund_event(obj, key)
    if kind_name == "charge.dispute.created":
        return ProviderEvent(
            provider=NAME,
            key=key,
            kind=EventKind.DISPUTED,
            amount_cents=int(obj.get("amount") or 0),
            currency=str(obj.get("currency") or ""),
            provider_payment_id=obj.get("payment_intent"),
        )
    return None


@blueprint.post("/webhooks/stripe")
def stripe_webhook() -> Response:
    settings = platform().settings
    if settings.payment_provider != NAME or not settings.stripe_webhook_secret:
        return plain_text(403, "forbidden: stripe is not the payment provider")
    raw = request.get_data(cache=False)
    header = request.headers.get("Stripe-Signature", "")
    try:
        stripe.Webhook.construct_event(
            raw, header, settings.stripe_webhook_secret, tolerance=TOLERANCE_SECONDS
        )
        body = json.loads(raw)
    except (stripe.SignatureVerificationError, ValueError):
        return plain_text(400, "bad or missing Stripe-Signature, or a body that is not an event")
    if signed_at(header) > time.time() + TOLERANCE_SECONDS:  # the SDK checks only the past (P8)
        return plain_text(400, "Stripe-Signature timestamp is in the future")
    return deliver(parse_event(body), str(body.get("type")))


def signed_at(header: str) -> int:
    stamps = [part[2:] for part in header.split(",") if part.startswith("t=")]
    return int(stamps[0]) if stamps and stamps[0].isdigit() else 0
