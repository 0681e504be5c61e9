"""Wire the platform once: settings -> servers -> engine, Redis, queues, gateways.

`bootstrap()` is the only place that builds these; the web app, the worker, the CLI and the
tests all call it, with their own settings and clock where they need to.
"""

from __future__ import annotations

import contextlib
import tempfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import redis
from rq import Queue
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from core.clock import Clock, SystemClock
from core.clock_offset import platform_clock
from core.db import EventHandlers, UnitOfWork
from core.handlers import HANDLERS
from core.outbox.ports import Deliverer, SmsGateway
from core.payments.port import PaymentProvider
from core.ports import LoyaltyPort, NoLoyalty
from core.settings import ConfigError, Settings, mask_url

from .redis_ports import RedisOperatorIndex, RedisWindowCounter


@dataclass
class Platform:
    settings: Settings
    engine: Engine
    redis: redis.Redis
    clock: Clock = field(default_factory=SystemClock)
    # What runs when an event is recorded (core/handlers.py), the same mapping in every unit
    # of work: tests add a handler to it for one test with monkeypatch.
    handlers: EventHandlers = field(default_factory=lambda: HANDLERS)
    # Loyalty is not built yet (core/ports.py: NoLoyalty).
    loyalty: LoyaltyPort = field(default_factory=NoLoyalty)

    @cached_property
    def session_factory(self) -> sessionmaker[Session]:
        return sessionmaker(self.engine, expire_on_commit=False)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(
            self.session_factory,
            self.settings,
            self.clock,
            self.wake_relay,
            operator_index=self.operator_index,
            counter=self.counter,
            payment_providers=self.payment_providers,
            handlers=self.handlers,
            loyalty=self.loyalty,
        )

    @cached_property
    def counter(self) -> RedisWindowCounter:
        return RedisWindowCounter(self.redis)

    @cached_property
    def operator_index(self) -> RedisOperatorIndex:
        return RedisOperatorIndex(self.redis)

    def queue(self, name: str = "default") -> Queue:
        return Queue(name, connection=self.redis)

    @cached_property
    def gateways(self) -> list[SmsGateway]:
        from channels.sms.gateways import build_gateways

        return build_gateways(self.settings, self.session_factory, self.redis)

    @cached_property
    def deliverers(self) -> dict[str, Deliverer]:
        """The deliverer of each outbox kind: the one place kinds are registered. The relay
        claims only these kinds; a row of any other kind waits (and stops a worker's start-up,
        `workers.runner.check_registries`)."""
        from core.notify.marketing_hours import marketing_allowed_at
        from core.outbox.sms import KIND, SmsDeliverer
        from core.payments import delivery as payments

        settings = self.settings
        return {
            KIND: SmsDeliverer(
                self.gateways,
                cost_cents=lambda provider, segments: (
                    settings.sms_cost_cents.get(provider, 0) * segments
                ),
                may_send_marketing=lambda uow: marketing_allowed_at(uow.now(), settings.tz),
                concurrency=settings.sms_send_concurrency,
                rate_per_second=settings.sms_rate_per_second,
            ),
            payments.KIND: payments.PaymentDeliverer(self.payment_providers),
        }

    @cached_property
    def payment_providers(self) -> dict[str, PaymentProvider]:
        """Cash, and the card provider PAYMENT_PROVIDER names (none on a development platform)."""
        from channels.payments import build_providers

        return build_providers(self.settings)

    def wake_relay(self) -> None:
        """Ask a worker to run the outbox relay now. Losing this nudge loses nothing: the
        scheduler sweeps the outbox every few seconds."""
        from workers.jobs import enqueue_relay

        with contextlib.suppress(redis.RedisError):
            enqueue_relay(self)

    def close(self) -> None:
        self.engine.dispose()
        self.redis.close()
        self.redis.connection_pool.disconnect()


POOL_RECYCLE_SECONDS = 300  # below the idle timeouts of proxies and firewalls in between


def make_engine(url: str, **kwargs: object) -> Engine:
    """No liveness ping per checkout (a round trip on every request, docs/decisions.md H1): a
    connection is replaced after `POOL_RECYCLE_SECONDS`, and one the server dropped fails the
    statement that meets it, which invalidates the pool; a USSD hop then runs once more."""
    try:
        return create_engine(
            url,
            pool_pre_ping=False,
            pool_recycle=POOL_RECYCLE_SECONDS,
            pool_size=10,
            max_overflow=20,
            **kwargs,
        )
    except (ArgumentError, ValueError) as err:
        raise ConfigError(f"DATABASE_URL: cannot be used ({err}): {mask_url(url)}") from None


def check_database(engine: Engine) -> None:
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except OperationalError as err:
        reason = str(err.orig).strip().splitlines()[0] if err.orig else str(err)
        raise ConfigError(
            f"DATABASE_URL: cannot connect to {mask_url(str(engine.url.render_as_string()))}: "
            f"{reason}"
        ) from None


def check_redis(client: redis.Redis, url: str) -> None:
    try:
        client.ping()
    except redis.RedisError as err:
        raise ConfigError(f"REDIS_URL: cannot connect to {mask_url(url)}: {err}") from None


def make_writable_dir(path: Path, setting: str = "KERBSIDE_VAR_DIR") -> Path:
    """Create `path` and prove a file can be written there; any failure is one line naming the
    setting (a read-only disk, a file in the way, no permission), never a traceback."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as err:
        raise ConfigError(f"{setting}: cannot write to {path}: {err.strerror or err}") from None
    return path


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    check: bool = True,
) -> Platform:
    """Build the platform. Starts embedded servers for unset URLs; checks both servers answer."""
    settings = settings or Settings.from_env()
    if settings.secret_key is None or settings.embedded:
        make_writable_dir(settings.var_dir)
    if settings.secret_key is None:
        from .embedded import local_secret

        settings = settings.replace(secret_key=local_secret(settings.var_dir))
    if settings.embedded:
        from . import embedded

        settings = embedded.resolve(settings)
    assert settings.database_url is not None and settings.redis_url is not None
    engine = make_engine(settings.database_url)
    client = redis.Redis.from_url(settings.redis_url)
    if check:
        check_database(engine)
        check_redis(client, settings.redis_url)
    platform = Platform(settings, engine, client, clock or platform_clock(settings, engine))
    platform.gateways  # noqa: B018 - fail at start-up on a bad provider, not on the first send
    platform.payment_providers  # noqa: B018
    return platform
