"""events: booking_events becomes the domain event table (a type name beside the payload)

Revision ID: 0005_events
Revises: 0002_booking, 0004_sms
Create Date: 2026-12-02 16:40:00

It needs booking_events (0002) and comes after 0004, so it joins those two branches. Rows
written before it get the name their statuses imply.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_events"
down_revision = ("0002_booking", "0004_sms")
branch_labels = None
depends_on = None

BACKFILL = """
update booking_events set type = case
    when from_status = to_status and detail ? 'declined_offer_id' then 'offer.declined'
    when from_status = to_status and detail ? 'rescheduled_from' then 'booking.rescheduled'
    else 'booking.' || to_status
end
"""


def upgrade() -> None:
    op.add_column("booking_events", sa.Column("type", sa.String(length=32), nullable=True))
    op.execute(BACKFILL)
    op.alter_column("booking_events", "type", nullable=False)
    op.create_index(
        op.f("ix_booking_events_type_id"), "booking_events", ["type", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_booking_events_type_id"), table_name="booking_events")
    op.drop_column("booking_events", "type")
