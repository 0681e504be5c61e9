"""Reference and demo data. Idempotent: running it twice changes nothing the second time."""

from __future__ import annotations

from .bootstrap import Platform


def seed_reference(platform: Platform) -> dict[str, int]:
    return {}


def seed_demo(platform: Platform) -> dict[str, int]:
    return {}
