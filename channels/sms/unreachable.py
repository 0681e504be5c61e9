"""One rule for both HTTP gateways: what a network failure during a send means."""

from __future__ import annotations

import requests

from core.outbox.ports import GatewayError


def unreachable(provider: str, err: requests.RequestException) -> GatewayError:
    """A failure to connect never reached the provider, so the fallback may send at once; any
    other network failure (a read timeout) may have delivered, so the relay retries later."""
    return GatewayError(
        f"{provider} unreachable: {type(err).__name__}",
        code="network",
        maybe_sent=not isinstance(err, requests.ConnectionError),
    )
