"""Telling a new USSD hop from a retry or a replay, and keeping the last answer for retries.

Africa's Talking sends the whole input so far joined by `*`. The session keeps only the
text's length and an HMAC-SHA256 of it under the platform's SECRET_KEY (so PINs typed earlier
are never stored, and cannot be found by hashing the 10^5 possible PINs either), which is enough
to check that a hop adds exactly one input; and the last prompt, to answer a gateway retry
identically.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from .prompt import Option, Prompt


def fingerprint(text: str, key: bytes) -> str:
    """What is kept of the provider's cumulative text: its length and a keyed digest, so that
    PINs typed earlier in the session are never stored, yet a hop can be checked to extend it."""
    return f"{len(text)}:{hmac.new(key, text.encode(), hashlib.sha256).hexdigest()}"


def input_after(recorded: str, text: str, key: bytes) -> str | None:
    """The one new input if `text` continues the recorded text (`<recorded>*<input>`; after an
    empty first hop, `<input>`), else None."""
    length = int(recorded.split(":")[0]) if recorded else 0
    if length == 0:
        return text if recorded and text else None
    if (
        len(text) > length
        and text[length] == "*"
        and hmac.compare_digest(fingerprint(text[:length], key), recorded)
    ):
        return text[length + 1 :]
    return None


def prompt_to_json(prompt: Prompt) -> dict[str, Any]:
    return {
        "text_key": prompt.text_key,
        "params": dict(prompt.params),
        "options": [[o.key, o.label_key, dict(o.params)] for o in prompt.options],
        "final": prompt.final,
        "language": prompt.language,
        "notice_key": prompt.notice_key,
        "notice_params": dict(prompt.notice_params),
    }


def prompt_from(data: Mapping[str, Any]) -> Prompt:
    return Prompt(
        data["text_key"],
        data["params"],
        tuple(Option(k, label, params) for k, label, params in data["options"]),
        data["final"],
        data["language"],
        data.get("notice_key"),
        data.get("notice_params") or {},
    )
