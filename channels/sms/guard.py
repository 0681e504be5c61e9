"""Loop and abuse guards for inbound SMS, with counters in Redis (rebuildable, architecture.md 2).

- At most `INBOUND_PER_MINUTE` messages per number per minute are processed; the rest are
  recorded and dropped without a reply (answering a flood is how loops grow).
- Our own sender numbers are never answered (a misrouted message of ours must not loop).
- Known auto-responder texts ("out of office", "auto-reply", ...) get no reply.
- The HELP reply to text we do not understand goes at most `HELP_REPLIES` times per number per
  ten minutes: two machines answering each other stop after two rounds.
Redis being down fails open (the message is processed): losing a guard is better than losing
a customer's STOP.
"""

from __future__ import annotations

import re
from datetime import datetime

from core.phones import phone_digest
from core.ports import WindowCounter
from core.settings import Settings

HELP_REPLIES = 2
HELP_WINDOW_SECONDS = 600
AUTO_REPLY = re.compile(
    r"auto[- ]?(matic )?repl|out of (the )?office|do not reply|dont reply|no[- ]?reply|"
    r"this is an automated|automated (message|response)|i am (currently )?(driving|away|"
    r"unavailable)|i'?m (currently )?(driving|away|unavailable)|away from my phone|voicemail|"
    r"message (could not|was not) (be )?delivered|outomatiese antwoord",
    re.IGNORECASE,
)


class InboundGuard:
    def __init__(self, counter: WindowCounter, settings: Settings) -> None:
        self._counter, self._settings = counter, settings
        own = {*settings.sms_sender_numbers, settings.twilio_from_number, settings.at_sender_id}
        self.own_numbers = frozenset(n for n in own if n)

    def is_own_number(self, phone: str) -> bool:
        return phone in self.own_numbers

    @staticmethod
    def looks_automatic(body: str) -> bool:
        return bool(AUTO_REPLY.search(body))

    def _count(self, kind: str, phone: str, window: int, ttl: int) -> int | None:
        # Keyed by a digest of the number, never the number itself (Redis is not for numbers).
        digest = phone_digest(phone, self._settings.secret_bytes)
        return self._counter.hit(f"sms:{kind}:{digest}:{window}", ttl)

    def over_rate(self, phone: str, now: datetime) -> bool:
        minute = int(now.timestamp() // 60)
        count = self._count("in", phone, minute, 120)
        return count is not None and count > self._settings.inbound_per_minute

    def may_send_help(self, phone: str, now: datetime) -> bool:
        window = int(now.timestamp() // HELP_WINDOW_SECONDS)
        count = self._count("help", phone, window, HELP_WINDOW_SECONDS * 2)
        return count is None or count <= HELP_REPLIES
