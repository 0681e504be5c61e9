"""Dialog coverage: when every USSD transcript module runs in full and passes, every state of
the dialog that shows a screen must have been shown at least once, or the run fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.conversation import engine
from core.conversation.dialogs import DIALOG

TRANSCRIPT_MODULES = {
    "test_ussd_booking.py",
    "test_ussd_consumer.py",
    "test_ussd_operator.py",
    "test_ussd_robustness.py",
}
SHOWN: set[str] = set()
_RUN = {"modules": set(), "partial": False}


@pytest.fixture(autouse=True)
def _record_shown_states(monkeypatch):
    original = engine._show

    def spy(flow, state, *args):
        SHOWN.add(state.name)
        return original(flow, state, *args)

    monkeypatch.setattr(engine, "_show", spy)


def pytest_collection_modifyitems(items):
    _RUN["modules"] |= {Path(str(item.fspath)).name for item in items}


def pytest_deselected(items):
    if any(Path(str(item.fspath)).name in TRANSCRIPT_MODULES for item in items):
        _RUN["partial"] = True


def pytest_sessionfinish(session, exitstatus):
    if exitstatus != 0 or _RUN["partial"] or not _RUN["modules"] >= TRANSCRIPT_MODULES:
        return
    unseen = sorted(n for n, s in DIALOG.states.items() if s.screen and n not in SHOWN)
    if unseen:
        print(f"\nUSSD transcripts never showed these dialog states: {unseen}")
        session.exitstatus = 1
