"""ops: the development clock's offset (`kerbside clock advance`)

Revision ID: 0005_ops
Revises: 0004_sms
Create Date: 2026-12-02 17:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_ops"
down_revision = "0004_sms"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clock_offset",
        sa.Column("id", sa.SmallInteger(), nullable=False),
        sa.Column("offset_seconds", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_clock_offset_single_row")),
        sa.CheckConstraint("offset_seconds >= 0", name=op.f("ck_clock_offset_forward_only")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clock_offset")),
    )


def downgrade() -> None:
    op.drop_table("clock_offset")
