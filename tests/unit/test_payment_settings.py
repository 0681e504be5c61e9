"""Payment settings: a development platform needs no keys; a chosen provider needs its own."""

from __future__ import annotations

import pytest

from channels.payments import build_providers
from core.settings import ConfigError, Settings


def test_with_nothing_set_only_cash_is_offered():
    settings = Settings.from_env({})
    assert settings.payment_provider == "none"
    assert settings.payment_hold_minutes == 15
    assert list(build_providers(settings)) == ["cash"]


@pytest.mark.parametrize(
    "env, named",
    [
        ({"PAYMENT_PROVIDER": "paystack"}, "PAYSTACK_SECRET_KEY"),
        ({"PAYMENT_PROVIDER": "stripe"}, "STRIPE_SECRET_KEY"),
        ({"PAYMENT_PROVIDER": "stripe", "STRIPE_SECRET_KEY": "sk_test_a"}, "STRIPE_WEBHOOK_SECRET"),
    ],
)
def test_a_chosen_provider_without_its_keys_stops_start_up(env, named):
    with pytest.raises(ConfigError, match=f"^{named}: PAYMENT_PROVIDER is"):
        Settings.from_env(env)


def test_a_chosen_provider_is_built_beside_cash():
    settings = Settings.from_env(
        {
            "PAYMENT_PROVIDER": "stripe",
            "STRIPE_SECRET_KEY": "sk_test_a",
            "STRIPE_WEBHOOK_SECRET": "whsec_a",
        }
    )
    providers = build_providers(settings)
    assert sorted(providers) == ["cash", "stripe"]
    assert providers["stripe"].manual_capture is True
