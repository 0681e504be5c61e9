"""The port through which the relay hands a message to an SMS gateway (architecture.md 9)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Accepted:
    provider_message_id: str
    status: str = "queued"  # a MessageStatus value


class GatewayError(Exception):
    """The gateway did not take the message. `permanent` means another try will not help."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        permanent: bool = False,
        opted_out: bool = False,
        maybe_sent: bool = False,
    ) -> None:
        super().__init__(message)
        # The request may have reached the gateway (e.g. a read timeout): trying the fallback
        # now could deliver the message twice, so the relay retries later instead.
        self.maybe_sent = maybe_sent
        self.code = code
        self.permanent = permanent
        self.opted_out = opted_out


class SmsGateway(Protocol):
    name: str

    def send(self, to: str, body: str, idempotency_key: str) -> Accepted:
        """Hand one message over. Raises GatewayError when the gateway refuses it."""
        ...
