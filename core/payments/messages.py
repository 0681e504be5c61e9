"""SMS templates of card payments (en/zu/af): the payment link, and a booking released unpaid.

The link is the provider's hosted page (Paystack's is about 45 characters); each text fits
one GSM-7 segment with the longest params (the booking ones are core/notify/booking_texts.py).
"""

from __future__ import annotations

from core.notify.templates import register

LONGEST_PARAMS = {"link": "https://checkout.paystack.com/0peioxfhpn7k2qz"}

TEMPLATES: dict[str, dict[str, str]] = {
    "payment.link": {
        "en": "Kerbside: pay {price} for {service} {when}, ref {ref}, within {mins} min: {link}",
        "zu": "Kerbside: khokha {price} ye-{service} {when}, ref {ref}, emizuzwini {mins}: {link}",
        "af": "Kerbside: betaal {price} vir {service} {when}, ref {ref}, binne {mins} min: {link}",
    },
    "payment.unpaid": {
        "en": "Kerbside: your {service} {when} (ref {ref}) was not paid in time and is "
        "released. Nothing is charged. Send BOOK to book again.",
        "zu": "Kerbside: i-{service} yakho {when} (ref {ref}) ayikhokhelwanga ngesikhathi, "
        "ikhululiwe. Awukhokhi lutho. Thumela BOOK.",
        "af": "Kerbside: jou {service} {when} (ref {ref}) is nie betyds betaal nie en is "
        "vrygestel. Niks gehef nie. Stuur BOOK.",
    },
}

for _key, _texts in TEMPLATES.items():
    register(_key, _texts)
