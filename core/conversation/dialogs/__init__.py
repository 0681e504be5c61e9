"""The one dialog graph served on USSD and SMS: entry and roles, consumer, operator."""

from ..machine import Dialog
from . import booking, consumer, entry, mine, operator

DIALOG = Dialog(
    "kerbside",
    [*entry.STATES, *consumer.STATES, *booking.STATES, *mine.STATES, *operator.STATES],
)
