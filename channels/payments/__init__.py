"""Payment providers at the edge: Paystack (httpx), Stripe (its SDK), and their webhooks."""

from __future__ import annotations

from core.payments.cash import CashProvider
from core.payments.port import PaymentProvider
from core.settings import Settings


def build_providers(settings: Settings) -> dict[str, PaymentProvider]:
    providers: dict[str, PaymentProvider] = {"cash": CashProvider()}
    if settings.payment_provider == "paystack":
        from .paystack import PaystackProvider

        providers["paystack"] = PaystackProvider(settings)
    elif settings.payment_provider == "stripe":
        from .stripe import StripeProvider

        providers["stripe"] = StripeProvider(settings)
    return providers
