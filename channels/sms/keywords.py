"""SMS keywords: text in, a `Keyword` out. Pure; no I/O.

Case-insensitive, tolerant of extra spaces and punctuation, with isiZulu and Afrikaans synonyms.
Words of four letters or more also match with one typo (a wrong, missing, extra or swapped
letter) when exactly one keyword is that close. Opt-out words (STOP...) and ON/OFF match only
exactly: a typo must never opt someone out or take an operator offline.

`CANCEL` alone is an opt-out word (Twilio blocks the number on it anyway); `CANCEL <ref>`
cancels a booking (docs/decisions.md). Refs use the generator's alphabet (core/booking/refs.py);
a word in a ref's place that cannot be one is kept as `unknown_ref`, so that "YES 1234" is
answered as a wrong ref and never read as a bare YES (decision T4).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.booking.refs import looks_like_ref

_NUMBER = re.compile(r"^(\d{1,3})(MINS?|MIN|M)?$")

SYNONYMS: dict[str, tuple[str, ...]] = {
    "yes": ("YES", "Y", "YEBO", "JA", "EWE", "YEP", "ACCEPT"),
    "no": ("NO", "N", "CHA", "NEE", "HAYI", "AIKHONA", "DECLINE"),
    "otw": ("OTW", "OMW", "ONMYWAY", "OPPAD", "SENGIYEZA", "ENROUTE", "LEAVING"),
    "arrived": ("ARRIVED", "ARRIVE", "HERE", "FIKILE", "NGIFIKILE", "AANGEKOM", "HIER"),
    "done": ("DONE", "FINISHED", "COMPLETE", "COMPLETED", "QEDILE", "NGIQEDILE", "KLAAR"),
    "on": ("ON", "ONLINE", "VULA", "AAN"),
    "off": ("OFF", "OFFLINE", "VALA", "UIT"),
    "cap": ("CAP", "CAPACITY", "KAPASITEIT"),
    "jobs": ("JOBS", "JOB", "IMISEBENZI", "WERK", "TODAY"),
    "earn": ("EARN", "EARNINGS", "IMALI", "VERDIENS"),
    "payout": ("PAYOUT", "PAYOUTS", "INKOKHELO", "UITBETALING"),
    "help": ("HELP", "INFO", "?", "USIZO", "SIZA", "HULP", "MENU"),
    "book": ("BOOK", "BHUKHA", "BESPREEK", "BOOKING"),
    "status": ("STATUS", "ISIMO", "WHERE"),
    "cancel": ("CANCEL", "KHANSELA", "KANSELLEER"),
    "points": ("POINTS", "AMAPHUZU", "PUNTE", "BALANCE"),
    "redeem": ("REDEEM", "SEBENZISA", "ARGHEEF", "GEBRUIK"),
    "rate": ("RATE", "RATING", "LINGANISA", "GRADERING"),
    "lang": ("LANG", "LANGUAGE", "ULIMI", "TAAL"),
    "stop": ("STOP", "STOPALL", "UNSUBSCRIBE", "QUIT", "END", "OPTOUT", "REVOKE", "MISA"),
    "start": ("START", "UNSTOP", "QALA", "BEGIN"),
}
EXACT_ONLY = frozenset({"stop", "start", "on", "off"})
# Keywords that name a booking. Any other word after one of them stands where the ref goes: a
# word that cannot be a ref is kept as `unknown_ref`, so that "YES 1234" is never a bare YES.
REF_KEYWORDS = frozenset({"yes", "no", "otw", "arrived", "done", "cancel", "rate", "status"})
WITH_NUMBER = frozenset({"otw", "rate", "cap"})  # minutes, stars, capacity
COURTESY = frozenset(
    {"PLEASE", "PLS", "PLZ", "THANKS", "THANK", "THX", "YOU", "OK", "OKAY", "SIYABONGA",
     "NGIYABONGA", "DANKIE", "ASSEBLIEF", "ASB", "SHAP", "MIN", "MINS", "MINUTES"}
)  # fmt: skip
MAX_GIVEN_REF = 8  # how much of an unknown ref is kept (and repeated in the reply)
PHRASES = {  # multi-word forms, collapsed before matching
    "ON MY WAY": "OTW",
    "OP PAD": "OTW",
    "OPT OUT": "OPTOUT",
    "STOP ALL": "STOPALL",
    "UN SUBSCRIBE": "UNSUBSCRIBE",
}
LANGUAGE_CODES = {
    "EN": "en", "ENGLISH": "en", "ENG": "en",
    "ZU": "zu", "ZULU": "zu", "ISIZULU": "zu",
    "AF": "af", "AFRIKAANS": "af", "AFR": "af",
}  # fmt: skip

_WORD_TO_NAME = {word: name for name, words in SYNONYMS.items() for word in words}


@dataclass(frozen=True)
class Keyword:
    name: str  # a key of SYNONYMS, or "unknown"
    ref: str | None = None  # a booking reference, upper case
    unknown_ref: str | None = None  # a word in the ref's place that no booking can have
    number: int | None = None  # ETA minutes, capacity, stars
    language: str | None = None  # for LANG
    words: int = 0  # how many words the text had

    @property
    def is_opt_out(self) -> bool:
        return self.name == "stop"


UNKNOWN = Keyword("unknown")


def tokens(text: str) -> list[str]:
    cleaned = re.sub(r"[^0-9A-Z?]+", " ", text.upper())
    if cleaned.strip() == "?":
        return ["?"]
    cleaned = cleaned.replace("?", " ")
    cleaned = " ".join(cleaned.split())
    for phrase, word in PHRASES.items():
        cleaned = re.sub(rf"(^| ){phrase}( |$)", rf"\1{word}\2", cleaned)
    return cleaned.split()


def _distance_at_most_one(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance <= 1 (one wrong, missing, extra or swapped letter)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def match_word(word: str) -> str | None:
    if word in _WORD_TO_NAME:
        return _WORD_TO_NAME[word]
    if len(word) < 4:
        return None
    names = {
        name
        for candidate, name in _WORD_TO_NAME.items()
        if len(candidate) >= 4 and name not in EXACT_ONLY and _distance_at_most_one(word, candidate)
    }
    return names.pop() if len(names) == 1 else None


def parse(text: str) -> Keyword:
    words = tokens(text)
    if not words:
        return UNKNOWN
    name = match_word(words[0])
    if name is None:
        return Keyword("unknown", words=len(words))
    ref: str | None = None
    unknown: str | None = None
    number: int | None = None
    language: str | None = None
    for word in words[1:]:
        if name == "lang" and word in LANGUAGE_CODES and language is None:
            language = LANGUAGE_CODES[word]
        elif name in REF_KEYWORDS and looks_like_ref(word) and ref is None:
            ref = word
        elif name in WITH_NUMBER and (m := _NUMBER.match(word)) and number is None:
            number = int(m.group(1))
        elif name in REF_KEYWORDS and unknown is None and word not in COURTESY:
            unknown = word[:MAX_GIVEN_REF]
    unknown_ref = None if ref is not None else unknown
    if name == "cancel" and ref is None and unknown_ref is None:
        name = "stop"  # bare CANCEL is an opt-out word (see module docstring)
    return Keyword(name, ref, unknown_ref, number, language, len(words))
