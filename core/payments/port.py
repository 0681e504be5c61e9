"""The payment-provider port: what the core asks of Paystack, Stripe or cash, and the typed
answers (docs/decisions.md P3).

Every call is a `ProviderCall`: a frozen, JSON-ready description ("perform this call with this
idempotency key / reference") that can be stored and run later by a job or an outbox deliverer
(`perform`). Providers answer with a `CallOutcome`, and tell us of changes through webhooks
parsed into `ProviderEvent`s; both are applied by `core.payments.service`, idempotently.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Protocol


class CallKind(enum.StrEnum):
    LINK = "link"  # a hosted checkout page for the payment
    CHARGE_CARD = "charge_card"  # charge a saved card
    CAPTURE = "capture"  # take (part of) an authorised amount
    VOID = "void"  # release an authorisation
    REFUND = "refund"  # give (part of) a captured amount back
    LOOKUP = "lookup"  # ask what became of the payment (a lost webhook or answer)


class EventKind(enum.StrEnum):
    AUTHORISED = "authorised"
    CAPTURED = "captured"
    FAILED = "failed"
    VOIDED = "voided"
    DISPUTED = "disputed"
    REFUND_PENDING = "refund_pending"
    REFUND_SUCCEEDED = "refund_succeeded"
    REFUND_FAILED = "refund_failed"


REFUND_EVENTS = (EventKind.REFUND_PENDING, EventKind.REFUND_SUCCEEDED, EventKind.REFUND_FAILED)


@dataclass(frozen=True)
class ProviderCall:
    kind: CallKind
    provider: str
    payment_reference: str
    idempotency_key: str  # Stripe's Idempotency-Key; Paystack's reference where it takes one
    amount_cents: int
    currency: str = "ZAR"
    email: str | None = None  # Paystack needs one; generated per person (P9)
    provider_payment_id: str | None = None
    authorization_code: str | None = None
    customer_code: str | None = None
    refund_reference: str | None = None
    return_url: str | None = None
    save_card: bool = False

    def to_payload(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> ProviderCall:
        return cls(**{**payload, "kind": CallKind(payload["kind"])})


@dataclass(frozen=True)
class CardDetails:
    authorization_code: str
    reusable: bool
    last4: str | None = None
    brand: str | None = None
    customer_code: str | None = None


@dataclass(frozen=True)
class ProviderEvent:
    """A verified change told by a provider (a webhook, or the answer to one of our calls).

    `key` identifies the delivery (Stripe's event id; Paystack's event and reference); it is
    what inbound idempotency records. `reference` is our payment reference where the provider
    echoes it; otherwise `provider_payment_id` finds the payment."""

    provider: str
    key: str
    kind: EventKind
    amount_cents: int
    currency: str
    reference: str | None = None
    provider_payment_id: str | None = None
    card: CardDetails | None = None
    refund_reference: str | None = None  # ours, where the provider echoes it
    provider_refund_id: str | None = None
    reason: str | None = None
    occurred_at: datetime | None = None


@dataclass(frozen=True)
class CallOutcome:
    link_url: str | None = None
    provider_payment_id: str | None = None
    event: ProviderEvent | None = None
    events: tuple[ProviderEvent, ...] = field(default=())

    def all_events(self) -> tuple[ProviderEvent, ...]:
        return ((self.event,) if self.event else ()) + self.events


class PaymentProviderError(Exception):
    """A call did not go through. `retryable`: the provider was unreachable or busy (try again
    with the same idempotency key); otherwise it refused the request as made."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class PaymentProvider(Protocol):
    name: str
    # True: authorise now, capture later (Stripe). False: the money is taken at once (Paystack
    # without pre-authorisation, P4); "capture less" becomes a refund of the difference.
    manual_capture: bool

    def create_link(self, call: ProviderCall) -> CallOutcome: ...

    def charge_saved_card(self, call: ProviderCall) -> CallOutcome: ...

    def capture(self, call: ProviderCall) -> CallOutcome: ...

    def void(self, call: ProviderCall) -> CallOutcome: ...

    def refund(self, call: ProviderCall) -> CallOutcome: ...

    def lookup(self, call: ProviderCall) -> CallOutcome: ...


def perform(provider: PaymentProvider, call: ProviderCall) -> CallOutcome:
    """Run one call: no database, no transaction; safe to repeat with the same call."""
    method = {
        CallKind.LINK: provider.create_link,
        CallKind.CHARGE_CARD: provider.charge_saved_card,
        CallKind.CAPTURE: provider.capture,
        CallKind.VOID: provider.void,
        CallKind.REFUND: provider.refund,
        CallKind.LOOKUP: provider.lookup,
    }[call.kind]
    return method(call)
