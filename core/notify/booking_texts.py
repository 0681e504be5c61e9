"""SMS templates for bookings and offers (en/zu/af), and the helpers that fill them.

Every text fits one GSM-7 segment with the longest params we produce: places and names are cut
to `PLACE_MAX`/`NAME_MAX` characters, money is whole rand where it can be ("R135", "R135.50").
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from .templates import register

PLACE_MAX = 22
NAME_MAX = 18

# The longest values each parameter can take; the template tests render with these.
LONGEST_PARAMS = {
    "ref": "K7Q4",
    "service": "Laundry pick-up",
    "when": "Thu 27 Nov 14:00",
    "place": "Pietermaritzburg Centr",
    "operator": "Nomvula Dlamini-Zu",
    "price": "R1234.50",
    "earn": "R1049.33",
    "fee": "R1234.50",
    "km": "24.9",
    "mins": "15",
    "eta": "120",
}


def rand(cents: int) -> str:
    return f"R{cents // 100}" if cents % 100 == 0 else f"R{cents / 100:.2f}"


def short(text: str | None, limit: int) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else text[:limit].rstrip()


def when_text(start: datetime, now: datetime, tz: tzinfo) -> str:
    """'14:00' today, otherwise 'Thu 27 Nov 14:00' (Johannesburg time)."""
    local, today = start.astimezone(tz), now.astimezone(tz).date()
    if local.date() == today:
        return local.strftime("%H:%M")
    return local.strftime("%a %d %b %H:%M")


TEMPLATES: dict[str, dict[str, str]] = {
    "booking.offer": {
        "en": "JOB {ref} {service} {when} {place} {km}km. You earn {earn}. "
        "Reply YES {ref} or NO {ref} ({mins} min)",
        "zu": "UMSEBENZI {ref} {service} {when} {place} {km}km. Uzothola {earn}. "
        "Phendula YES {ref} noma NO {ref} ({mins} min)",
        "af": "WERK {ref} {service} {when} {place} {km}km. Jy verdien {earn}. "
        "Antwoord YES {ref} of NO {ref} ({mins} min)",
    },
    "booking.requested": {
        "en": "Kerbside: {service} {when} at {place}, {price}. Ref {ref}. "
        "We are finding an operator and will SMS you.",
        "zu": "Kerbside: {service} {when} e-{place}, {price}. Ref {ref}. "
        "Sifuna i-opharetha, sizokuthumelela i-SMS.",
        "af": "Kerbside: {service} {when} by {place}, {price}. Ref {ref}. "
        "Ons soek 'n operateur en stuur jou 'n SMS.",
    },
    "booking.confirmed": {
        "en": "Kerbside: {operator} will do your {service} {when} at {place}, {price}. "
        "Ref {ref}. Reply CANCEL {ref} to cancel.",
        "zu": "Kerbside: {operator} uzokwenza {service} {when} e-{place}, {price}. "
        "Ref {ref}. Phendula CANCEL {ref} ukukhansela.",
        "af": "Kerbside: {operator} doen jou {service} {when} by {place}, {price}. "
        "Ref {ref}. Antwoord CANCEL {ref} om te kanselleer.",
    },
    "booking.assigned": {
        "en": "JOB {ref} is yours: {service} {when} at {place}. You earn {earn}. "
        "Reply OMW {ref} when leaving, DONE {ref} when done.",
        "zu": "UMSEBENZI {ref} ngowakho: {service} {when} e-{place}. Uzothola {earn}. "
        "Phendula OMW {ref} uma uhamba, DONE {ref} uma uqedile.",
        "af": "WERK {ref} is joune: {service} {when} by {place}. Jy verdien {earn}. "
        "Antwoord OMW {ref} as jy ry, DONE {ref} as jy klaar is.",
    },
    "booking.offer_lapsed": {
        "en": "JOB {ref} timed out and went to another operator. Stay ON for the next one.",
        "zu": "UMSEBENZI {ref} uphelelwe yisikhathi, unikwe omunye. "
        "Hlala ON ukuze uthole olandelayo.",
        "af": "WERK {ref} se tyd is om en dit is aan iemand anders gegee. Bly ON vir die volgende.",
    },
    "booking.expired": {
        "en": "Kerbside: sorry, no operator could take your {service} {when}. Ref {ref}. "
        "Nothing is charged. Please try another time.",
        "zu": "Kerbside: uxolo, ayikho i-opharetha etholakele ye-{service} {when}. Ref {ref}. "
        "Awukhokhi lutho. Sicela uzame esinye isikhathi.",
        "af": "Kerbside: jammer, geen operateur kon jou {service} {when} vat nie. Ref {ref}. "
        "Niks word gehef nie. Probeer asseblief 'n ander tyd.",
    },
    "booking.cancelled_to_operator": {
        "en": "JOB {ref} {service} {when} at {place} was cancelled by the customer.",
        "zu": "UMSEBENZI {ref} {service} {when} e-{place} ukhanselwe yikhasimende.",
        "af": "WERK {ref} {service} {when} by {place} is deur die klient gekanselleer.",
    },
    "booking.cancelled_by_operator": {
        "en": "Kerbside: your {service} {when} (ref {ref}) was cancelled by the operator. "
        "Nothing is charged. Please book again.",
        "zu": "Kerbside: i-{service} yakho {when} (ref {ref}) ikhanselwe yi-opharetha. "
        "Awukhokhi lutho. Sicela ubhuke futhi.",
        "af": "Kerbside: jou {service} {when} (ref {ref}) is deur die operateur gekanselleer. "
        "Niks word gehef nie. Bespreek asseblief weer.",
    },
    "booking.cancelled": {
        "en": "Kerbside: your {service} {when} (ref {ref}) is cancelled. Cancellation fee {fee}.",
        "zu": "Kerbside: i-{service} yakho {when} (ref {ref}) ikhanseliwe. "
        "Imali yokukhansela {fee}.",
        "af": "Kerbside: jou {service} {when} (ref {ref}) is gekanselleer. Kansellasiefooi {fee}.",
    },
    "booking.en_route": {
        "en": "Kerbside: {operator} is on the way for your {service} (ref {ref}). ETA {eta} min.",
        "zu": "Kerbside: {operator} usendleleni ukuza ku-{service} yakho (ref {ref}). "
        "Ufika emizuzwini engu-{eta}.",
        "af": "Kerbside: {operator} is op pad vir jou {service} (ref {ref}). Verwag oor {eta} min.",
    },
    "booking.arrived": {
        "en": "Kerbside: {operator} has arrived at {place} for your {service} (ref {ref}).",
        "zu": "Kerbside: {operator} ufikile e-{place} ukuza ku-{service} yakho (ref {ref}).",
        "af": "Kerbside: {operator} het by {place} aangekom vir jou {service} (ref {ref}).",
    },
    "booking.completed": {
        "en": "Kerbside: your {service} (ref {ref}) is done. Total {price}. Thank you!",
        "zu": "Kerbside: i-{service} yakho (ref {ref}) iqediwe. Isamba {price}. Siyabonga!",
        "af": "Kerbside: jou {service} (ref {ref}) is klaar. Totaal {price}. Dankie!",
    },
    "booking.rescheduled": {
        "en": "JOB {ref} {service} moved to {when} at {place}. You earn {earn}.",
        "zu": "UMSEBENZI {ref} {service} uhanjiselwe ku-{when} e-{place}. Uzothola {earn}.",
        "af": "WERK {ref} {service} is geskuif na {when} by {place}. Jy verdien {earn}.",
    },
}

for _key, _texts in TEMPLATES.items():
    register(_key, _texts)
