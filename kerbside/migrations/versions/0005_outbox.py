"""outbox: a general outbox, one row per call of any kind (sms, push, payment and payout calls)

Revision ID: 0005_outbox
Revises: 0004_sms
Create Date: 2026-12-02 16:40:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005_outbox"
down_revision = "0004_sms"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint(op.f("ck_outbox_channel_known"), "outbox", type_="check")
    op.alter_column(
        "outbox", "channel", new_column_name="kind", type_=sa.String(length=32), nullable=False
    )
    op.add_column(
        "outbox",
        sa.Column(
            "payload",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
    )
    op.alter_column("outbox", "recipient", nullable=True)
    op.alter_column("outbox", "template", nullable=True)
    op.create_check_constraint(
        op.f("ck_outbox_kind_named"), "outbox", "kind ~ '^[a-z][a-z0-9_.]*$'"
    )
    op.create_check_constraint(
        op.f("ck_outbox_sms_addressed"),
        "outbox",
        "kind <> 'sms' or (recipient is not null and template is not null)",
    )
    op.drop_index("ix_outbox_due", table_name="outbox")
    op.create_index(
        "ix_outbox_due",
        "outbox",
        ["kind", "next_attempt_at"],
        unique=False,
        postgresql_where="status = 'pending'",
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_due", table_name="outbox")
    op.create_index(
        "ix_outbox_due",
        "outbox",
        ["next_attempt_at"],
        unique=False,
        postgresql_where="status = 'pending'",
    )
    op.drop_constraint(op.f("ck_outbox_sms_addressed"), "outbox", type_="check")
    op.drop_constraint(op.f("ck_outbox_kind_named"), "outbox", type_="check")
    op.execute("delete from outbox where kind not in ('sms', 'push')")
    op.alter_column("outbox", "template", nullable=False)
    op.alter_column("outbox", "recipient", nullable=False)
    op.drop_column("outbox", "payload")
    op.alter_column(
        "outbox", "kind", new_column_name="channel", type_=sa.String(length=8), nullable=False
    )
    op.create_check_constraint(
        op.f("ck_outbox_channel_known"), "outbox", "channel in ('sms','push')"
    )
