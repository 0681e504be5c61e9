"""`kerbside reconcile` and `kerbside ledger show REF`: the ledger commands (issue 10).

Kept apart from cli.py, which registers them with `register(main)` in a block of its own.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict

import click


def register(main: click.Group) -> None:
    from .cli import clean_errors, start

    @main.command()
    @clean_errors
    def reconcile() -> None:
        """Prove the ledger's invariants; exit 1 naming the first breach."""
        from core.ledger.reconcile import reconcile as run

        platform = start()
        with platform.uow() as uow:
            results = run(uow)
        breaches = [breach for _, breach in results if breach is not None]
        for name, breach in results:
            click.echo(f"{'ok  ' if breach is None else 'FAIL'} {name}")
        if breaches:
            click.echo(f"kerbside reconcile: {breaches[0]}", err=True)
            sys.exit(1)
        click.echo("ledger reconciles")

    @main.group()
    def ledger() -> None:
        """The double-entry ledger."""

    @ledger.command("show")
    @click.argument("ref")
    @click.option("--json", "as_json", is_flag=True, help="One JSON object per entry.")
    @clean_errors
    def ledger_show(ref: str, as_json: bool) -> None:
        """A booking's journal entries, line by line (amounts in cents, + debit, - credit)."""
        from core.ledger.queries import booking_entries

        platform = start()
        with platform.uow() as uow:
            entries = booking_entries(uow, ref)
        if not entries:
            click.echo(f"no ledger entries for booking {ref.upper()}", err=True)
            sys.exit(1)
        for entry in entries:
            if as_json:
                click.echo(json.dumps(asdict(entry), default=str))
                continue
            when = entry.posted_at.astimezone(platform.settings.tz).strftime("%Y-%m-%d %H:%M")
            links = "".join(
                f" {label} {target}"
                for label, target in (
                    ("reverses", entry.reverses_entry_id),
                    ("resolves", entry.resolves_entry_id),
                )
                if target
            )
            click.echo(f"entry {entry.id} {entry.kind} {entry.booking_ref} {when}{links}")
            for line in entry.lines:
                phase = "" if line.phase == "posted" else f" ({line.phase})"
                click.echo(f"  {line.account:<32} {line.amount:>12} {line.currency}{phase}")
