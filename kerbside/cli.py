"""The `kerbside` command: what a platform operator runs by hand.

Every command turns a `ConfigError` into one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import atexit
import json
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any, TypeVar

import click

from core.settings import ConfigError, Settings

from . import logs
from .bootstrap import Platform, bootstrap

F = TypeVar("F", bound=Callable[..., Any])


def clean_errors(fn: F) -> F:
    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ConfigError as err:
            click.echo(f"kerbside: configuration error: {err}", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


def start(migrate: bool = False) -> Platform:
    settings = Settings.from_env()
    logs.configure(settings.log_level, settings.log_json)
    platform = bootstrap(settings)
    # Runs before the embedded servers' own exit handlers (atexit is last-in, first-out), so
    # that our connections are closed and the embedded Redis sees itself unused and stops.
    atexit.register(platform.close)
    if migrate:
        from .migrate import upgrade

        upgrade(platform.engine)
    return platform


@click.group()
def main() -> None:
    """Kerbside: SMS- and USSD-first curbside marketplace."""


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@clean_errors
def db_upgrade() -> None:
    """Apply every migration."""
    start(migrate=True)
    click.echo("database is up to date")


@main.command()
@click.option("--demo", is_flag=True, help="Load the demo catalogue, operators and consumers.")
@clean_errors
def seed(demo: bool) -> None:
    """Load reference data (and, with --demo, demo people)."""
    from .seed import (
        WALK_CONSUMER,
        WALK_OPERATOR,
        demo_people,
        people_table,
        seed_demo,
        seed_reference,
    )

    platform = start(migrate=True)
    counts = seed_reference(platform)
    if demo:
        counts.update(seed_demo(platform))
    click.echo(" ".join(f"{key}={value}" for key, value in counts.items()))
    if demo:
        click.echo(f"\nDemo people (the README's walk books as {WALK_CONSUMER}, the consumer,")
        click.echo(f"and answers as {WALK_OPERATOR}, the operator serving Sandton):")
        click.echo(people_table(demo_people()))


@main.command()
@click.option("--to", "to", default=None, help="Only messages to this number.")
@click.option("--limit", default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--status", default=None, help="Only this status (pending, queued, failed...).")
@click.option("--provider", default=None, help="Only messages sent through this provider.")
@clean_errors
def outbox(
    to: str | None, limit: int, as_json: bool, status: str | None, provider: str | None
) -> None:
    """List outbound messages, newest first."""
    from core.outbox.queries import recent_messages
    from core.phones import InvalidPhoneError, to_e164

    platform = start()
    if to:
        try:
            to = to_e164(to, platform.settings.default_region)
        except InvalidPhoneError:
            raise click.BadParameter(f"not a phone number: {to}", param_hint="--to") from None
    found = recent_messages(platform.uow(), to=to, limit=limit, status=status, provider=provider)
    for message in found:
        if as_json:
            click.echo(json.dumps(message.as_dict(), ensure_ascii=False))
        else:
            click.echo(message.as_line(platform.settings.tz))


@main.command()
@click.option("--once", is_flag=True, help="Deliver what is due now and exit.")
@clean_errors
def relay(once: bool) -> None:
    """Deliver due outbox messages (the worker does this too)."""
    from workers.jobs import deliver_outbox

    platform = start()
    while True:
        sent = deliver_outbox(platform)
        if once:
            click.echo(f"delivered {sent}")
            return
        time.sleep(1.0)


@main.group()
def payments() -> None:
    """Card payments."""


@payments.command("sync")
@clean_errors
def payments_sync() -> None:
    """Ask the provider about every unsettled payment now and apply its answers."""
    from core.outbox.relay import claim_due, deliver_claimed
    from core.payments import delivery, sync

    platform = start()
    uow = platform.uow()
    with uow:
        asked = sync.request_lookups(uow)
        uow.commit()
    while claims := claim_due(platform.uow(), 100, delivery.KIND):
        deliver_claimed(platform.uow(), platform.deliverers[delivery.KIND], claims)
    click.echo(f"asked about {asked} payment{'' if asked == 1 else 's'}")


@main.command()
@click.option("--burst", is_flag=True, help="Run what is queued, then exit.")
@click.option("--no-scheduler", is_flag=True, help="Only the RQ worker.")
@clean_errors
def worker(burst: bool, no_scheduler: bool) -> None:
    """Run an RQ worker plus the scheduler loop. Start as many as you like."""
    from core.dispatch.index_sync import rebuild_index
    from workers.runner import run_worker

    platform = start()
    rebuild_index(platform.uow())  # the geo index is rebuilt from SQL on start
    run_worker(platform, burst=burst, scheduler_loop=not no_scheduler)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default="8000", show_default=True, help="1-65535")
@click.option("--workers", "web_workers", default=2, show_default=True, help="gunicorn processes.")
@clean_errors
def up(host: str, port: str, web_workers: int) -> None:
    """Everything in one command: servers, migrations, web, one worker and the scheduler."""
    from .up import UpError, run_up

    try:
        status = run_up(host, port, web_workers, lambda line: click.echo(line, err=True))
    except UpError as err:
        click.echo(f"kerbside: {err}", err=True)
        sys.exit(err.status)
    sys.exit(status)


@main.command("reset-pin")
@click.argument("number")
@clean_errors
def reset_pin(number: str) -> None:
    """Clear a person's PIN, wrong-try count and lock; they choose a new PIN on next use."""
    from core.accounts.pin import reset_pin_for
    from core.phones import InvalidPhoneError, mask, to_e164

    platform = start()
    try:
        phone = to_e164(number, platform.settings.default_region)
    except InvalidPhoneError:
        raise click.BadParameter(f"not a phone number: {number}", param_hint="NUMBER") from None
    uow = platform.uow()
    with uow:
        found = reset_pin_for(uow, phone)
        uow.commit()
    platform.close()
    if not found:
        click.echo(f"kerbside: no person with number {mask(phone)}", err=True)
        sys.exit(1)
    click.echo(f"PIN cleared for {mask(phone)}")


def phone_option(settings: Settings, value: str, option: str) -> str:
    """E.164 for a number given on the command line, or one line on stderr and exit 2."""
    import phonenumbers

    from core.phones import InvalidPhoneError, to_e164

    try:
        number = to_e164(value, settings.default_region)
        if phonenumbers.is_valid_number(phonenumbers.parse(number)):
            return number
    except InvalidPhoneError:
        pass
    click.echo(
        f"kerbside: {option}: not a phone number: {value!r} "
        "(give +27821234567 or a local number such as 0821234567)",
        err=True,
    )
    sys.exit(2)


@main.command()
@click.option(
    "--phone", default="+27825550102", show_default=True, help="Caller's number (a demo consumer)."
)
@click.option("--url", default="http://127.0.0.1:8000", show_default=True, help="Platform URL.")
@click.option("--token", default=None, help="AT webhook token (default: AT_WEBHOOK_TOKEN).")
@clean_errors
def dial(phone: str, url: str, token: str | None) -> None:
    """A phone in the terminal: walk the USSD menus of a running platform."""
    from .dial import PlatformError, run_dial

    settings = Settings.from_env()
    phone = phone_option(settings, phone, "--phone")
    try:
        run_dial(url, phone, settings.ussd_service_code, token or settings.at_webhook_token)
    except PlatformError as err:
        click.echo(f"kerbside: {err}", err=True)
        sys.exit(1)


@main.group()
def dispatch() -> None:
    """Dispatch: the Redis geo index of online operators."""


@dispatch.command("rebuild-index")
@clean_errors
def dispatch_rebuild_index() -> None:
    """Rebuild the geo index from SQL (it is also rebuilt on worker start and when missing)."""
    from core.dispatch.index_sync import rebuild_index

    platform = start()
    click.echo(f"indexed {rebuild_index(platform.uow())} online operators")


@main.command()
@click.option("--from", "sender", required=True, help="The texting phone: +27... or 0...")
@click.option("--url", default="http://127.0.0.1:8000", show_default=True, help="Platform URL.")
@click.option("--wait", default=5.0, show_default=True, help="Seconds to wait for a reply.")
@click.argument("text")
@clean_errors
def sms(sender: str, url: str, wait: float, text: str) -> None:
    """Text the running platform as the configured provider would; print the replies."""
    from core.outbox.queries import recent_messages

    from .dial import PlatformError, post_form
    from .sms import inbound_request, wait_for_replies

    settings = Settings.from_env()
    sender = phone_option(settings, sender, "--from")
    platform = start()
    seen = {m.id for m in recent_messages(platform.uow(), to=sender, limit=50)}
    request = inbound_request(settings, sender, text)
    try:
        post_form(url.rstrip("/") + request.path, request.form, request.headers)
    except PlatformError as err:
        click.echo(f"kerbside: {err}", err=True)
        sys.exit(1)

    def since() -> list[str]:
        found = recent_messages(platform.uow(), to=sender, limit=50)
        return [m.body for m in reversed(found) if m.id not in seen]

    replies = wait_for_replies(since, wait)
    if not replies:
        click.echo(f"kerbside: no reply within {wait:g} s", err=True)
        return
    click.echo("\n\n".join(replies))


# --- the development clock (trial defect 13) --------------------------------------------------


@main.group()
def clock() -> None:
    """Move a development platform's time forward, to try what is due later (every process)."""


def _clock_change(change: Callable[[Any, Settings], object]) -> Platform:
    from core.clock_offset import RealPlatformError

    platform = start()
    uow = platform.uow()
    try:
        with uow:
            change(uow.session, platform.settings)
            uow.commit()
    except RealPlatformError as err:
        click.echo(f"kerbside: {err}", err=True)
        sys.exit(1)
    return platform


@clock.command("advance")
@click.argument("duration", required=False)
@click.option("--to", "to", help="Move to this local time instead: HH:MM or 'YYYY-MM-DD HH:MM'.")
@clean_errors
def clock_advance(duration: str | None, to: str | None) -> None:
    """Move the time forward by DURATION (90m, 2h, 1d, 1d2h30m) or --to a local time."""
    from core.clock_offset import BadDurationError, advance, parse_duration, until

    if (duration is None) == (to is None):
        click.echo("kerbside: give a DURATION such as 2h, or --to HH:MM, not both", err=True)
        sys.exit(2)
    try:
        if to is not None:
            platform = start()
            by = until(to, platform.clock.now(), platform.settings.tz)
        else:
            by = parse_duration(duration or "")
        platform = _clock_change(lambda session, settings: advance(session, settings, by))
    except BadDurationError as err:
        wanted = "a local time such as 14:30 or 2026-12-03 07:00" if to else "a duration such as"
        wanted = wanted if to else f"{wanted} 90m, 2h, 1d or 1d2h30m"
        click.echo(f"kerbside: not {wanted}: {err}", err=True)
        sys.exit(2)
    _clock_show(platform)


@clock.command("show")
@clean_errors
def clock_show() -> None:
    """The platform's time, the real time and the offset between them."""
    _clock_show(start())


@clock.command("reset")
@clean_errors
def clock_reset() -> None:
    """Back to the real time (what happened in the platform's future stays)."""
    from core.clock_offset import reset

    _clock_show(_clock_change(reset))


def _clock_show(platform: Platform) -> None:
    from core.clock_offset import describe, stored_offset

    real = datetime.now(UTC)
    stored = stored_offset(platform.engine)
    ignored = bool(stored) and not platform.settings.webhooks_may_be_unauthenticated
    offset = timedelta(0) if ignored else stored

    def shown(moment: datetime) -> str:
        return moment.astimezone(platform.settings.tz).strftime("%a %Y-%m-%d %H:%M %Z")

    click.echo(
        f"platform time {shown(real + offset)} (real {shown(real)}, offset {describe(offset)})"
    )
    if ignored:
        click.echo(
            f"kerbside: the stored offset {describe(stored)} is ignored (a real gateway is set)",
            err=True,
        )


if __name__ == "__main__":
    main()


# ---- ledger (issue 10): `reconcile` and `ledger show`, defined in kerbside/ledger_cli.py ----
from .ledger_cli import register as _register_ledger_commands  # noqa: E402

_register_ledger_commands(main)
