"""Cash: the operator collects at the door. The adapter of the provider port that has no
provider behind it: nothing to call, and the "event" is the operator saying what they took."""

from __future__ import annotations

from core.db import UnitOfWork

from .apply import apply_provider_event
from .model import Payment, PaymentMethod
from .port import CallOutcome, EventKind, PaymentProviderError, ProviderCall, ProviderEvent


class CashProvider:
    """Cash payments take no provider call: capture is `collect_cash`; a cash refund is handed
    back by a person, so it is left requested for finance to settle (P10)."""

    name = "cash"
    manual_capture = True

    def _refuse(self, call: ProviderCall) -> CallOutcome:
        raise PaymentProviderError(f"cash has no {call.kind} call", retryable=False)

    create_link = charge_saved_card = capture = void = _refuse

    def refund(self, call: ProviderCall) -> CallOutcome:
        return CallOutcome()

    def lookup(self, call: ProviderCall) -> CallOutcome:
        return CallOutcome()  # nobody to ask: the operator tells us


def collect_cash(uow: UnitOfWork, payment_id: int, collected_cents: int) -> str:
    """The operator took `collected_cents` in cash for this payment. Taking it twice changes
    nothing; a different amount than the booking's is held for review, never counted as paid."""
    payment = uow.session.get(Payment, payment_id)
    if payment is None or payment.method != PaymentMethod.CASH:
        raise PaymentProviderError("not a cash payment", retryable=False)
    return apply_provider_event(
        uow,
        ProviderEvent(
            provider="cash",
            key=f"cash:{payment.reference}",
            kind=EventKind.CAPTURED,
            amount_cents=collected_cents,
            currency=payment.currency,
            reference=payment.reference,
        ),
    )
