"""The ports through which the relay hands outbox rows to the world (architecture.md 9).

`Deliverer` is the general one: one per outbox kind, registered on the platform. It makes one
call per row and answers with an outcome; the relay owns everything else (claim, lease, retries,
status). `SmsGateway` is what the SMS deliverer calls: one per provider, primary then fallback.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from core.db import UnitOfWork

    from .model import OutboxMessage


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


@dataclass(frozen=True)
class Handed:
    """The provider took the call. `note` keeps errors met on the way (a refused primary)."""

    provider: str
    provider_message_id: str
    status: str = "queued"
    note: str | None = None


@dataclass(frozen=True)
class NotHanded:
    """The call failed: retried with backoff unless `permanent` or out of attempts."""

    error: str
    code: str | None = None
    permanent: bool = False


@dataclass(frozen=True)
class Withheld:
    """Never to be made (no consent, opted out): the row ends `suppressed`."""

    reason: str


@dataclass(frozen=True)
class Deferred:
    """Not now (outside marketing hours): tried again at `until`, no attempt used."""

    until: datetime


Outcome = Handed | NotHanded | Withheld | Deferred


class Deliverer(Protocol):
    """Delivers the rows of one outbox kind.

    `deliver` runs inside the row's transaction while the claim's lease holds, makes at most one
    outside call, passing `message.idempotency_key` (derived by the writer from our own ids)
    where the provider takes one, and may set the result columns on the row
    (`relay.RESULT_COLUMNS`). `concurrency` bounds the calls in flight per relay process;
    `batch` is the most rows claimed at once, kept small enough to be sent within the lease at
    the provider's rate.
    """

    concurrency: int
    batch: int

    def deliver(self, uow: UnitOfWork, message: OutboxMessage) -> Outcome: ...
