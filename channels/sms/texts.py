"""Replies the SMS channel sends itself (help, opt-out, operator acknowledgements, errors).

Booking notifications (offer, confirmation, on the way, ...) are the booking area's templates.
Every text fits one GSM-7 segment with `LONGEST_PARAMS` (the template test checks).
"""

from __future__ import annotations

from core.notify.templates import register

LONGEST_PARAMS = {
    "ref": "K7Q4",
    "refs": "K7Q4 A3CD HJKL MNPQ RTUV",
    "count": "12",
    "keyword": "ARRIVED",
    "stars": "5",
    "today": "R12345.50",
    "week": "R12345.50",
    "month": "R123456.50",
    "jobs": "12",
    "list": "X" * 120,
    "service": "Laundry pick-up",
    "when": "Thu 27 Nov 14:00",
    "state": "finding operator",
    "language": "Afrikaans",
    "given": "X" * 8,  # what the person typed where a ref goes (keywords.MAX_GIVEN_REF)
    "allowed": "Thu 26 Nov 09:00",
}

TEXTS: dict[str, dict[str, str]] = {
    "sms.help.consumer": {
        "en": "Kerbside: BOOK to book, STATUS, CANCEL <ref>, RATE <ref> 1-5, POINTS, "
        "LANG for language. STOP to opt out.",
        "zu": "Kerbside: BOOK ukubhuka, STATUS, CANCEL <ref>, RATE <ref> 1-5, POINTS, "
        "LANG ukushintsha ulimi. STOP ukuyeka.",
        "af": "Kerbside: BOOK om te bespreek, STATUS, CANCEL <ref>, RATE <ref> 1-5, POINTS, "
        "LANG vir taal. STOP om uit te teken.",
    },
    "sms.help.operator": {
        "en": "Kerbside jobs: YES/NO <ref>, OTW <ref> <min>, ARRIVED <ref>, DONE <ref>, "
        "ON, OFF, CAP <n>, JOBS, EARN, PAYOUT, LANG. STOP to opt out.",
        "zu": "Kerbside: YES/NO <ref>, OTW <ref> <min>, ARRIVED <ref>, DONE <ref>, "
        "ON, OFF, CAP <n>, JOBS, EARN, PAYOUT, LANG. STOP ukuyeka.",
        "af": "Kerbside werk: YES/NO <ref>, OTW <ref> <min>, ARRIVED <ref>, DONE <ref>, "
        "ON, OFF, CAP <n>, JOBS, EARN, PAYOUT, LANG. STOP om uit te teken.",
    },
    "sms.stopped": {
        "en": "Kerbside: you will get no more SMS from us, except about a booking in "
        "progress. Reply START to opt in again.",
        "zu": "Kerbside: ngeke usathola ama-SMS kithi, ngaphandle kwalawo okubhuka "
        "okuqhubekayo. Phendula START ukubuyela.",
        "af": "Kerbside: jy kry nie meer SMS van ons nie, behalwe oor 'n lopende "
        "bespreking. Antwoord START om weer in te teken.",
    },
    "sms.started": {
        "en": "Kerbside: welcome back, you will get our SMS again. Reply HELP for options, "
        "STOP to opt out.",
        "zu": "Kerbside: siyakwamukela futhi, uzophinde uthole ama-SMS ethu. Phendula HELP, "
        "STOP ukuyeka.",
        "af": "Kerbside: welkom terug, jy kry weer ons SMS. Antwoord HELP vir opsies, "
        "STOP om uit te teken.",
    },
    "sms.lang.choose": {
        "en": "Reply LANG EN for English, LANG ZU for isiZulu, LANG AF for Afrikaans.",
        "zu": "Phendula LANG EN ngesiNgisi, LANG ZU ngesiZulu, LANG AF ngesiBhunu.",
        "af": "Antwoord LANG EN vir Engels, LANG ZU vir isiZulu, LANG AF vir Afrikaans.",
    },
    "sms.lang.set": {
        "en": "Kerbside: we will SMS you in English. Reply HELP for options.",
        "zu": "Kerbside: sizokuthumelela ama-SMS ngesiZulu. Phendula HELP.",
        "af": "Kerbside: ons stuur jou SMS in Afrikaans. Antwoord HELP vir opsies.",
    },
    "sms.too_long": {
        "en": "Kerbside: that message is too long for us. Send one keyword, e.g. HELP.",
        "zu": "Kerbside: lo myalezo mude kakhulu. Thumela igama elilodwa, isb. HELP.",
        "af": "Kerbside: daardie boodskap is te lank. Stuur een sleutelwoord, bv. HELP.",
    },
    "sms.need_ref": {
        "en": "Please add the booking ref, e.g. {keyword} K7Q4.",
        "zu": "Sicela ufake i-ref yokubhuka, isb. {keyword} K7Q4.",
        "af": "Voeg asseblief die besprekingsverwysing by, bv. {keyword} K7Q4.",
    },
    "sms.offer.none": {
        "en": "Kerbside: you have no open job offer right now. Send JOBS for today's jobs.",
        "zu": "Kerbside: awunawo umsebenzi onikwayo manje. Thumela JOBS ubone owanamuhla.",
        "af": "Kerbside: jy het nou geen werksaanbod nie. Stuur JOBS vir vandag se werk.",
    },
    "sms.offer.pick": {
        "en": "You have {count} open offers: {refs}. Reply YES <ref> or NO <ref>.",
        "zu": "Unemisebenzi engu-{count} onikwayo: {refs}. Phendula YES <ref> noma NO <ref>.",
        "af": "Jy het {count} aanbiedinge: {refs}. Antwoord YES <ref> of NO <ref>.",
    },
    "sms.offer.unknown_one": {
        "en": "No open offer {given}. Your offer: {ref}, reply {keyword} {ref}",
        "zu": "Awukho umsebenzi onikwayo {given}. Owakho: {ref}, phendula {keyword} {ref}",
        "af": "Geen oop aanbod {given} nie. Jou aanbod: {ref}, antwoord {keyword} {ref}",
    },
    "sms.offer.unknown_many": {
        "en": "No open offer {given}. Your offers: {refs}. Reply {keyword} and the ref.",
        "zu": "Awukho umsebenzi onikwayo {given}. Onikwayo: {refs}. Phendula {keyword} ne-ref.",
        "af": "Geen oop aanbod {given} nie. Jou aanbiedinge: {refs}. Antwoord {keyword} en die "
        "verwysing.",
    },
    "sms.offer.unknown_none": {
        "en": "No open offer {given}. You have no open job offer right now.",
        "zu": "Awukho umsebenzi onikwayo {given}. Awunawo umsebenzi onikwayo manje.",
        "af": "Geen oop aanbod {given} nie. Jy het nou geen werksaanbod nie.",
    },
    "sms.op.declined": {
        "en": "OK, job {ref} declined. Stay ON for the next one.",
        "zu": "Kulungile, umsebenzi {ref} wenqatshiwe. Hlala ON ukuze uthole olandelayo.",
        "af": "OK, werk {ref} van die hand gewys. Bly ON vir die volgende een.",
    },
    "sms.op.en_route": {
        "en": "OK: the customer knows you are on the way to job {ref}. "
        "Reply ARRIVED {ref} when you are there.",
        "zu": "Kulungile: ikhasimende liyazi ukuthi usendleleni, umsebenzi {ref}. "
        "Phendula ARRIVED {ref} uma ufikile.",
        "af": "OK: die klient weet jy is op pad na werk {ref}. "
        "Antwoord ARRIVED {ref} as jy daar is.",
    },
    "sms.op.arrived": {
        "en": "OK: the customer knows you arrived for job {ref}. Reply DONE {ref} when finished.",
        "zu": "Kulungile: ikhasimende liyazi ukuthi ufikile, umsebenzi {ref}. "
        "Phendula DONE {ref} uma uqedile.",
        "af": "OK: die klient weet jy het aangekom vir werk {ref}. "
        "Antwoord DONE {ref} as jy klaar is.",
    },
    "sms.op.done": {
        "en": "Job {ref} done, thank you. Today so far: {today}, jobs done: {jobs}.",
        "zu": "Umsebenzi {ref} uqediwe, siyabonga. Oholile namuhla: {today} ({jobs}).",
        "af": "Werk {ref} klaar, dankie. Vandag tot dusver: {today}, werke: {jobs}.",
    },
    "sms.op.online": {
        "en": "You are ON: new job offers come by SMS. Reply OFF to pause offers.",
        "zu": "Uvuliwe: imisebenzi emisha izofika nge-SMS. Phendula OFF ukumisa.",
        "af": "Jy is AAN: nuwe werksaanbiedinge kom per SMS. Antwoord OFF om te wag.",
    },
    "sms.op.offline": {
        "en": "You are OFF: no new offers. Jobs you accepted stay yours. Reply ON when ready.",
        "zu": "Uvaliwe: ayikho imisebenzi emisha. Owamukele uhlala ngowakho. Phendula ON.",
        "af": "Jy is AF: geen nuwe aanbiedinge nie. Aanvaarde werk bly joune. Antwoord ON.",
    },
    "sms.op.capacity": {
        "en": "OK: you take up to {count} jobs at the same time.",
        "zu": "Kulungile: uthatha imisebenzi efika ku-{count} ngesikhathi esisodwa.",
        "af": "OK: jy neem tot {count} werke op dieselfde tyd.",
    },
    "sms.op.cap_usage": {
        "en": "Send CAP and a number from 1 to 20, e.g. CAP 2.",
        "zu": "Thumela CAP nenombolo esuka ku-1 kuya ku-20, isb. CAP 2.",
        "af": "Stuur CAP en 'n getal van 1 tot 20, bv. CAP 2.",
    },
    "sms.op.jobs": {
        "en": "Jobs, next 7 days ({count}): {list}",
        "zu": "Imisebenzi, izinsuku ezi-7 ({count}): {list}",
        "af": "Werk, volgende 7 dae ({count}): {list}",
    },
    "sms.op.no_jobs": {
        "en": "No jobs in the next 7 days. Reply ON to get offers.",
        "zu": "Ayikho imisebenzi ezinsukwini ezi-7 ezizayo. Phendula ON ukuthola imisebenzi.",
        "af": "Geen werk in die volgende 7 dae nie. Antwoord ON vir aanbiedinge.",
    },
    "sms.op.earnings": {
        "en": "Earnings: today {today} (jobs: {jobs}), this week {week}, this month {month}.",
        "zu": "Imali: namuhla {today} ({jobs}), leli sonto {week}, le nyanga {month}.",
        "af": "Verdienste: vandag {today} (werke: {jobs}), hierdie week {week}, maand {month}.",
    },
    "sms.op.payout": {
        "en": "Earned this month: {month}. Payouts by SMS are coming soon; "
        "we pay you as agreed until then.",
        "zu": "Oholile kule nyanga: {month}. Ukukhokhelwa nge-SMS kuyeza maduze.",
        "af": "Verdien hierdie maand: {month}. Uitbetalings per SMS kom binnekort.",
    },
    "sms.c.status": {
        "en": "Ref {ref}: {service} {when}, {state}.",
        "zu": "Ref {ref}: {service} {when}, {state}.",
        "af": "Ref {ref}: {service} {when}, {state}.",
    },
    "sms.c.no_booking": {
        "en": "Kerbside: you have no active booking. Send BOOK to book.",
        "zu": "Kerbside: awunakho ukubhuka okusebenzayo. Thumela BOOK ukubhuka.",
        "af": "Kerbside: jy het geen aktiewe bespreking nie. Stuur BOOK om te bespreek.",
    },
    "sms.c.points": {
        "en": "Kerbside: no points yet. Loyalty points for bookings are coming soon.",
        "zu": "Kerbside: awukabi namaphuzu. Amaphuzu okubhuka azofika maduze.",
        "af": "Kerbside: nog geen punte nie. Lojaliteitspunte vir besprekings kom binnekort.",
    },
    "sms.c.rated": {
        "en": "Thank you! You rated job {ref} {stars}/5.",
        "zu": "Siyabonga! Unikeze umsebenzi {ref} u-{stars}/5.",
        "af": "Dankie! Jy het werk {ref} {stars}/5 gegee.",
    },
    "sms.c.rate_usage": {
        "en": "Send RATE, the booking ref and 1 to 5, e.g. RATE K7Q4 5.",
        "zu": "Thumela RATE, i-ref yokubhuka no-1 kuya ku-5, isb. RATE K7Q4 5.",
        "af": "Stuur RATE, die verwysing en 1 tot 5, bv. RATE K7Q4 5.",
    },
    "sms.c.rate_not_done": {
        "en": "You can rate job {ref} once it is done.",
        "zu": "Ungakala umsebenzi {ref} uma usuqediwe.",
        "af": "Jy kan werk {ref} gradeer sodra dit klaar is.",
    },
    "sms.error.not_found": {
        "en": "We found no booking {ref} for you. Check the ref and try again.",
        "zu": "Asitholanga ukubhuka {ref} kwakho. Hlola i-ref uzame futhi.",
        "af": "Ons kry geen bespreking {ref} vir jou nie. Kontroleer die verwysing.",
    },
    "sms.error.offer_gone": {
        "en": "Job {ref} is no longer available. Stay ON for the next one.",
        "zu": "Umsebenzi {ref} awusatholakali. Hlala ON ukuze uthole olandelayo.",
        "af": "Werk {ref} is nie meer beskikbaar nie. Bly ON vir die volgende een.",
    },
    "sms.error.illegal_transition": {
        "en": "Job {ref} cannot do that now. Send JOBS to see your jobs.",
        "zu": "Umsebenzi {ref} ngeke ukwenze lokho manje. Thumela JOBS.",
        "af": "Werk {ref} kan dit nie nou doen nie. Stuur JOBS om jou werk te sien.",
    },
    "sms.error.not_operator": {
        "en": "Only the operator of job {ref} can do that.",
        "zu": "Yi-opharetha yomsebenzi {ref} kuphela engakwenza lokho.",
        "af": "Net die operateur van werk {ref} kan dit doen.",
    },
    "sms.error.too_early": {
        "en": "Job {ref} has not started yet. Send OTW, ARRIVED or DONE from {allowed}.",
        "zu": "Umsebenzi {ref} awukaqali. Thumela OTW, ARRIVED noma DONE kusukela ngo-{allowed}.",
        "af": "Werk {ref} het nog nie begin nie. Stuur OTW, ARRIVED of DONE vanaf {allowed}.",
    },
    "sms.error.other": {
        "en": "Kerbside: that did not work for {ref}. Reply HELP for options.",
        "zu": "Kerbside: lokho akusebenzanga ku-{ref}. Phendula HELP.",
        "af": "Kerbside: dit het nie gewerk vir {ref} nie. Antwoord HELP vir opsies.",
    },
    "sms.error.internal": {
        "en": "Kerbside: sorry, something went wrong. Please try again in a few minutes.",
        "zu": "Kerbside: uxolo, kukhona okungahambanga kahle. "
        "Sicela uzame futhi emva kwesikhashana.",
        "af": "Kerbside: jammer, iets het fout gegaan. Probeer asseblief oor 'n paar minute weer.",
    },
}

# Words for a booking's status in the STATUS reply.
STATE_WORDS: dict[str, dict[str, str]] = {
    "requested": {"en": "finding operator", "zu": "sifuna i-opharetha", "af": "soek operateur"},
    "offered": {"en": "finding operator", "zu": "sifuna i-opharetha", "af": "soek operateur"},
    "accepted": {"en": "operator confirmed", "zu": "kuqinisekisiwe", "af": "bevestig"},
    "en_route": {"en": "operator on the way", "zu": "usendleleni", "af": "op pad"},
    "arrived": {"en": "operator arrived", "zu": "ufikile", "af": "aangekom"},
    "in_progress": {"en": "in progress", "zu": "kuyenziwa", "af": "besig"},
    "completed": {"en": "done", "zu": "kuqediwe", "af": "klaar"},
    "cancelled": {"en": "cancelled", "zu": "kukhanseliwe", "af": "gekanselleer"},
    "expired": {"en": "no operator found", "zu": "ayitholakalanga", "af": "niemand gevind"},
    "no_show": {"en": "missed visit", "zu": "awutholakalanga", "af": "gemis"},
}


LONGEST_PARAMS["state"] = max(
    (w for words in STATE_WORDS.values() for w in words.values()), key=len
)


# "+N more" after a list cut to fit one segment (the JOBS reply).
MORE_WORDS = {"en": "+{n} more", "zu": "+{n} eminye", "af": "+{n} meer"}


def more_word(count: int, language: str) -> str:
    return MORE_WORDS.get(language, MORE_WORDS["en"]).format(n=count)


def state_word(status: str, language: str) -> str:
    words = STATE_WORDS.get(status)
    if words is None:
        return status.replace("_", " ")
    return words.get(language, words["en"])


for _key, _texts in TEXTS.items():
    register(_key, _texts)
