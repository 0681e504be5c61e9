"""Refusals of the payment core (DomainError: the channel tells the person why)."""

from __future__ import annotations

from core.errors import DomainError


class PaymentError(DomainError):
    code = "payment"


class PaymentMethodUnavailableError(PaymentError):
    """No provider is configured for this method, or the saved card is not this person's."""

    code = "payment_method_unavailable"


class PaymentAmountError(PaymentError):
    """An amount outside what the payment allows (capture above the authorisation, a refund
    above what is left)."""

    code = "payment_amount"


class PaymentStateError(PaymentError):
    """The payment is not in a state that allows this (capture of a failed payment)."""

    code = "payment_state"
