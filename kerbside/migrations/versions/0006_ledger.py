"""ledger: accounts, journal entries and lines, with the rules PostgreSQL itself enforces

Revision ID: 0006_ledger
Revises: 0005_events, 0005_ops
Create Date: 2026-12-03 09:00:00

What can never break is checked by the database, not only by `core/ledger` (docs/ledger.md):

- every entry has at least two lines and they sum to zero per currency and phase: a DEFERRABLE
  INITIALLY DEFERRED constraint trigger on entries and on lines, checked at commit;
- a line's currency is its account's (a composite foreign key);
- posted entries and lines are never updated or deleted (a BEFORE trigger refuses it);
- one idempotency key per entry; an entry reverses at most one entry, and is reversed at most
  once; a pending authorisation is resolved (captured or voided) at most once (unique keys);
- a resolving entry releases exactly the pending amounts and posts no more than was pending.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_ledger"
down_revision = ("0005_events", "0005_ops")
branch_labels = None
depends_on = None

SINGLE_KINDS = "('cash_completion','cash_netting','card_completion','cancel_fee','no_show_fee')"

FUNCTIONS = """
create function ledger_refuse_change() returns trigger language plpgsql as $$
begin
    raise exception 'ledger: % row % is posted and cannot be changed; post a reversal',
        tg_table_name, old.id using errcode = 'integrity_constraint_violation';
end $$;

create function ledger_check_entry(entry bigint) returns void language plpgsql as $$
declare
    bad record;
    target bigint;
    target_kind text;
    n integer;
begin
    select count(*) into n from ledger_lines where entry_id = entry;
    if n < 2 then
        raise exception 'ledger: entry % has % line(s); an entry needs two or more', entry, n
            using errcode = 'check_violation';
    end if;
    select currency, phase, sum(amount) as total into bad from ledger_lines
     where entry_id = entry group by currency, phase having sum(amount) <> 0 limit 1;
    if found then
        raise exception 'ledger: entry % % % lines sum to % (must be 0)',
            entry, bad.phase, bad.currency, bad.total using errcode = 'check_violation';
    end if;
    select resolves_entry_id into target from ledger_entries where id = entry;
    if target is not null then
        select kind into target_kind from ledger_entries where id = target;
        if target_kind is distinct from 'authorise' then
            raise exception 'ledger: entry % resolves entry %, which is not an authorisation',
                entry, target using errcode = 'check_violation';
        end if;
        -- the pending amounts are released exactly, account by account
        perform 1 from (
            select account_id, sum(amount) as s from ledger_lines
             where entry_id in (entry, target) and phase = 'pending' group by account_id
        ) t where t.s <> 0;
        if found then
            raise exception 'ledger: entry % does not release exactly what entry % holds',
                entry, target using errcode = 'check_violation';
        end if;
        -- on each account the authorisation held, no more is posted than was held
        perform 1 from (
            select account_id, sum(amount) as held from ledger_lines
             where entry_id = target and phase = 'pending' group by account_id
        ) h join (
            select account_id, sum(amount) as moved from ledger_lines
             where entry_id = entry and phase = 'posted' group by account_id
        ) m using (account_id)
        where abs(m.moved) > abs(h.held) or m.moved * h.held < 0;
        if found then
            raise exception 'ledger: entry % posts more than entry % authorised', entry, target
                using errcode = 'check_violation';
        end if;
    end if;
end $$;

create function ledger_entry_inserted() returns trigger language plpgsql as $$
begin
    perform ledger_check_entry(new.id);
    return null;
end $$;

create function ledger_line_inserted() returns trigger language plpgsql as $$
begin
    -- An entry inserted by this very transaction is checked by its own trigger at commit,
    -- with all its lines; a line added to any other entry is checked here.
    if not exists (select 1 from ledger_entries where id = new.entry_id
                   and xmin = pg_current_xact_id()::xid) then
        perform ledger_check_entry(new.entry_id);
    end if;
    return null;
end $$;

create trigger ledger_entries_immutable before update or delete on ledger_entries
    for each row execute function ledger_refuse_change();
create trigger ledger_lines_immutable before update or delete on ledger_lines
    for each row execute function ledger_refuse_change();
create constraint trigger ledger_entries_balanced after insert on ledger_entries
    deferrable initially deferred for each row execute function ledger_entry_inserted();
create constraint trigger ledger_lines_balanced after insert on ledger_lines
    deferrable initially deferred for each row execute function ledger_line_inserted();
"""

DROP = """
drop trigger if exists ledger_lines_balanced on ledger_lines;
drop trigger if exists ledger_entries_balanced on ledger_entries;
drop trigger if exists ledger_lines_immutable on ledger_lines;
drop trigger if exists ledger_entries_immutable on ledger_entries;
drop function if exists ledger_line_inserted();
drop function if exists ledger_entry_inserted();
drop function if exists ledger_check_entry(bigint);
drop function if exists ledger_refuse_change();
"""


def upgrade() -> None:
    op.create_table(
        "ledger_accounts",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("owner_kind", sa.String(length=12), nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=True),
        sa.Column("provider", sa.String(length=16), nullable=True),
        sa.Column("purpose", sa.String(length=24), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "owner_kind in ('platform','consumer','operator','provider')",
            name=op.f("ck_ledger_accounts_owner_kind"),
        ),
        sa.CheckConstraint("currency in ('ZAR','PTS')", name=op.f("ck_ledger_accounts_currency")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_accounts")),
        sa.UniqueConstraint("code", name=op.f("uq_ledger_accounts_code")),
        sa.UniqueConstraint("id", "currency", name=op.f("uq_ledger_accounts_id")),
    )
    op.create_index("ix_ledger_accounts_owner", "ledger_accounts", ["owner_id", "purpose"])
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("idempotency_key", sa.String(length=160), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("booking_id", sa.BigInteger(), nullable=True),
        sa.Column("reverses_entry_id", sa.BigInteger(), nullable=True),
        sa.Column("resolves_entry_id", sa.BigInteger(), nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("memo", sa.String(length=200), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_ledger_entries_booking_id_bookings")
        ),
        sa.ForeignKeyConstraint(
            ["reverses_entry_id"],
            ["ledger_entries.id"],
            name=op.f("fk_ledger_entries_reverses_entry_id_ledger_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["resolves_entry_id"],
            ["ledger_entries.id"],
            name=op.f("fk_ledger_entries_resolves_entry_id_ledger_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_ledger_entries_idempotency_key")),
        sa.UniqueConstraint("reverses_entry_id", name=op.f("uq_ledger_entries_reverses_entry_id")),
        sa.UniqueConstraint("resolves_entry_id", name=op.f("uq_ledger_entries_resolves_entry_id")),
    )
    op.create_index("ix_ledger_entries_booking_id", "ledger_entries", ["booking_id"])
    op.create_index(
        "uq_ledger_entries_booking_kind",
        "ledger_entries",
        ["booking_id", "kind"],
        unique=True,
        postgresql_where=sa.text(f"kind in {SINGLE_KINDS}"),
    )
    op.create_table(
        "ledger_lines",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("entry_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("phase", sa.String(length=8), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount <> 0", name=op.f("ck_ledger_lines_amount_nonzero")),
        sa.CheckConstraint("phase in ('posted','pending')", name=op.f("ck_ledger_lines_phase")),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["ledger_entries.id"],
            name=op.f("fk_ledger_lines_entry_id_ledger_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id", "currency"],
            ["ledger_accounts.id", "ledger_accounts.currency"],
            name=op.f("fk_ledger_lines_account_id_ledger_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_lines")),
    )
    op.create_index("ix_ledger_lines_entry_id", "ledger_lines", ["entry_id"])
    op.create_index(
        "ix_ledger_lines_account_posted",
        "ledger_lines",
        ["account_id", "posted_at"],
        postgresql_include=["amount", "phase", "entry_id"],
    )
    op.execute(FUNCTIONS)


def downgrade() -> None:
    op.execute(DROP)
    op.drop_table("ledger_lines")
    op.drop_table("ledger_entries")
    op.drop_table("ledger_accounts")
