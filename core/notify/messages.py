"""Account and payment templates no other area registers yet: sign-in codes, failed payments
and dunning notices. Each fits one GSM-7 segment with `LONGEST_PARAMS`."""

from __future__ import annotations

from .templates import register

LONGEST_PARAMS = {
    "code": "483920",
    "minutes": "10",
    "amount": "R1234.50",
    "plan": "Gold Family Plan",
    "date": "Thu 27 Nov",
}

TEXTS: dict[str, dict[str, str]] = {
    "auth.otp": {
        "en": "Kerbside code: {code}. It expires in {minutes} min. Never share it, "
        "we will never ask for it.",
        "zu": "Ikhodi ye-Kerbside: {code}. Iphelelwa emizuzwini engu-{minutes}. Ungayiniki muntu.",
        "af": "Kerbside-kode: {code}. Dit verval oor {minutes} min. Moet dit nooit "
        "met iemand deel nie.",
    },
    "payment.failed": {
        "en": "Kerbside: we could not take {amount} for your {plan}. We will try again on "
        "{date}. Reply HELP for options.",
        "zu": "Kerbside: asikwazanga ukuthatha u-{amount} we-{plan}. Sizozama futhi "
        "ngo-{date}. Phendula HELP.",
        "af": "Kerbside: ons kon nie {amount} vir jou {plan} invorder nie. Ons probeer weer "
        "op {date}.",
    },
    "dunning.reminder": {
        "en": "Kerbside: {amount} for your {plan} is still unpaid. Please pay by {date} "
        "to keep your bookings.",
        "zu": "Kerbside: u-{amount} we-{plan} akakakhokhwa. Sicela ukhokhe ngo-{date} "
        "ukugcina ukubhuka kwakho.",
        "af": "Kerbside: {amount} vir jou {plan} is nog nie betaal nie. Betaal asseblief "
        "voor {date}.",
    },
    "dunning.final": {
        "en": "Kerbside: your {plan} is paused because {amount} is unpaid. "
        "Pay to restart it; bookings already made stay.",
        "zu": "Kerbside: i-{plan} yakho imisiwe ngoba u-{amount} akakhokhiwe. "
        "Khokha ukuyiqala futhi.",
        "af": "Kerbside: jou {plan} is gestaak omdat {amount} onbetaal is. "
        "Betaal om dit weer te begin.",
    },
}

for _key, _texts in TEXTS.items():
    register(_key, _texts)
