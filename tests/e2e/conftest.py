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
_RUN = {"partial": False}
_PASSED: set[str] = set()


@pytest.fixture(autouse=True)
def _record_shown_states(monkeypatch):
    original = engine._show

    def spy(flow, state, *args):
        SHOWN.add(state.name)
        return original(flow, state, *args)

    monkeypatch.setattr(engine, "_show", spy)


def _module(item_or_report) -> str:
    return Path(str(item_or_report.fspath)).name


def pytest_deselected(items):
    if any(_module(item) in TRANSCRIPT_MODULES for item in items):
        _RUN["partial"] = True


def pytest_runtest_logreport(report):
    if report.when == "call" and report.passed:
        _PASSED.add(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    items = [i for i in getattr(session, "items", []) if _module(i) in TRANSCRIPT_MODULES]
    ran_in_full = (
        not _RUN["partial"]
        and {_module(i) for i in items} == TRANSCRIPT_MODULES
        and all(i.nodeid in _PASSED for i in items)
    )
    if exitstatus != 0 or not ran_in_full:
        return
    unseen = sorted(n for n, s in DIALOG.states.items() if s.screen and n not in SHOWN)
    if unseen:
        print(f"\nUSSD transcripts never showed these dialog states: {unseen}")
        session.exitstatus = 1
