"""What both payment webhooks share: hand a verified event to the core, answer the provider."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app

from channels.outage import answer_outages, plain_text
from channels.platform import PlatformPort
from core.payments.apply import receive_provider_event
from core.payments.port import ProviderEvent

log = logging.getLogger(__name__)

blueprint = Blueprint("payments", __name__)
answer_outages(blueprint)  # a plain 503 while the database is down: providers retry


def platform() -> PlatformPort:
    """The platform the app was made for (kerbside/app.py keeps it on the app; W5)."""
    found: PlatformPort = current_app.extensions["kerbside"]
    return found


def deliver(event: ProviderEvent | None, what: str) -> Response:
    """200 for anything we verified, so the provider stops retrying: applied, a replay, an
    event type we do not act on, or a payment we do not know (nothing is kept for those)."""
    if event is None:
        return plain_text(200, f"ignored: {what[:40]}")
    receipt = receive_provider_event(platform().uow(), event)
    log.info("%s event %s: %s", event.provider, event.kind, receipt.outcome)
    return plain_text(200, f"ok: {receipt.outcome}")


@blueprint.get("/payments/done")
def payment_done() -> Response:
    """Where the hosted checkout sends the customer back to."""
    return plain_text(
        200, "Thank you. Kerbside will confirm your payment by SMS. You can close this page."
    )
