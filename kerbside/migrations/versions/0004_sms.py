"""sms: ratings given over SMS (RATE <ref> <1-5>)

Revision ID: 0004_sms
Revises: 0001_foundation
Create Date: 2026-11-25 13:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_sms"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ratings",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("booking_id", sa.BigInteger(), nullable=False),
        sa.Column("booking_ref", sa.String(length=8), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("operator_person_id", sa.BigInteger(), nullable=True),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("stars between 1 and 5", name=op.f("ck_ratings_stars_range")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_ratings_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ratings")),
        sa.UniqueConstraint(
            "booking_id", "person_id", name=op.f("uq_ratings_booking_id_person_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("ratings")
