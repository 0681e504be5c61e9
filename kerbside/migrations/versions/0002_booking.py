"""booking: catalogue, operators, bookings, events, capacity holds, series, offers

Revision ID: 0002_booking
Revises: 0001_foundation
Create Date: 2026-11-25 13:26:09.365042
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002_booking"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

ACTIVE_SQL = "status in ('requested','offered','accepted','en_route','arrived','in_progress')"


def upgrade() -> None:
    # btree_gist lets the capacity exclusion constraint compare operator_id and lane with `=`.
    op.execute("create extension if not exists btree_gist")
    op.create_table(
        "services",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("min_price_cents", sa.BigInteger(), nullable=False),
        sa.Column("max_price_cents", sa.BigInteger(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint("duration_minutes > 0", name=op.f("ck_services_duration_positive")),
        sa.CheckConstraint(
            "min_price_cents > 0 and max_price_cents >= min_price_cents",
            name=op.f("ck_services_band"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_services")),
        sa.UniqueConstraint("code", name=op.f("uq_services_code")),
    )
    op.create_table(
        "operators",
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("business_name", sa.String(length=60), nullable=False),
        sa.Column("home_lat", sa.Float(), nullable=False),
        sa.Column("home_lon", sa.Float(), nullable=False),
        sa.Column("home_area", sa.String(length=60), nullable=True),
        sa.Column("radius_km", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("concurrent_capacity", sa.Integer(), nullable=False),
        sa.Column("daily_capacity", sa.Integer(), nullable=False),
        sa.Column("offers_received", sa.Integer(), nullable=False),
        sa.Column("offers_accepted", sa.Integer(), nullable=False),
        sa.Column("cooloff_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "concurrent_capacity between 1 and 20", name=op.f("ck_operators_concurrent_range")
        ),
        sa.CheckConstraint("daily_capacity >= 1", name=op.f("ck_operators_daily_positive")),
        sa.CheckConstraint("radius_km > 0", name=op.f("ck_operators_radius_positive")),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_operators_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_operators")),
    )
    op.create_index(
        "ix_operators_online", "operators", ["online"], unique=False, postgresql_where="online"
    )
    op.create_table(
        "booking_series",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("consumer_id", sa.BigInteger(), nullable=False),
        sa.Column("service_id", sa.BigInteger(), nullable=False),
        sa.Column("operator_id", sa.BigInteger(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("place_name", sa.String(length=60), nullable=False),
        sa.Column("frequency", sa.String(length=12), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("local_time", sa.Time(), nullable=False),
        sa.Column("payment_method", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("skipped_days", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("generated_through", sa.Date(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "frequency in ('weekly','fortnightly','monthly')",
            name=op.f("ck_booking_series_frequency"),
        ),
        sa.CheckConstraint(
            "status in ('active','paused','cancelled')", name=op.f("ck_booking_series_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["consumer_id"], ["people.id"], name=op.f("fk_booking_series_consumer_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.person_id"],
            name=op.f("fk_booking_series_operator_id_operators"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_booking_series_service_id_services")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_series")),
    )
    op.create_index(
        op.f("ix_booking_series_consumer_id"), "booking_series", ["consumer_id"], unique=False
    )
    op.create_table(
        "hours_exceptions",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("operator_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("opens", sa.Time(), nullable=True),
        sa.Column("closes", sa.Time(), nullable=True),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.person_id"],
            name=op.f("fk_hours_exceptions_operator_id_operators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hours_exceptions")),
        sa.UniqueConstraint("operator_id", "day", name=op.f("uq_hours_exceptions_operator_id_day")),
    )
    op.create_table(
        "operator_days",
        sa.Column("operator_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.person_id"],
            name=op.f("fk_operator_days_operator_id_operators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("operator_id", "day", name=op.f("pk_operator_days")),
    )
    op.create_table(
        "operator_services",
        sa.Column("operator_id", sa.BigInteger(), nullable=False),
        sa.Column("service_id", sa.BigInteger(), nullable=False),
        sa.Column("price_cents", sa.BigInteger(), nullable=False),
        sa.Column("expertise", sa.SmallInteger(), nullable=False),
        sa.CheckConstraint(
            "expertise between 1 and 5", name=op.f("ck_operator_services_expertise_range")
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.person_id"],
            name=op.f("fk_operator_services_operator_id_operators"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_operator_services_service_id_services")
        ),
        sa.PrimaryKeyConstraint("operator_id", "service_id", name=op.f("pk_operator_services")),
    )
    op.create_index(
        op.f("ix_operator_services_service_id"), "operator_services", ["service_id"], unique=False
    )
    op.create_table(
        "working_hours",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("operator_id", sa.BigInteger(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("opens", sa.Time(), nullable=False),
        sa.Column("closes", sa.Time(), nullable=False),
        sa.CheckConstraint("closes > opens", name=op.f("ck_working_hours_order")),
        sa.CheckConstraint("weekday between 0 and 6", name=op.f("ck_working_hours_weekday_range")),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.person_id"],
            name=op.f("fk_working_hours_operator_id_operators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_working_hours")),
    )
    op.create_index(
        op.f("ix_working_hours_operator_id"), "working_hours", ["operator_id"], unique=False
    )
    op.create_table(
        "bookings",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("ref", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("consumer_id", sa.BigInteger(), nullable=False),
        sa.Column("service_id", sa.BigInteger(), nullable=False),
        sa.Column("operator_id", sa.BigInteger(), nullable=True),
        sa.Column("favourite_operator_id", sa.BigInteger(), nullable=True),
        sa.Column("series_id", sa.BigInteger(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("place_name", sa.String(length=60), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("price_cents", sa.BigInteger(), nullable=False),
        sa.Column("commission_cents", sa.BigInteger(), nullable=False),
        sa.Column("operator_earn_cents", sa.BigInteger(), nullable=False),
        sa.Column("payment_method", sa.String(length=16), nullable=False),
        sa.Column("idempotency_key", sa.String(length=120), nullable=False),
        sa.Column("offer_attempts", sa.Integer(), nullable=False),
        sa.Column("eta_minutes", sa.Integer(), nullable=True),
        sa.Column("cancel_fee_cents", sa.BigInteger(), nullable=False),
        sa.Column("cancel_reason", sa.String(length=200), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status in ('requested','offered','accepted','en_route','arrived','in_progress',"
            "'completed','cancelled','expired','no_show')",
            name=op.f("ck_bookings_status_known"),
        ),
        sa.CheckConstraint("price_cents > 0", name=op.f("ck_bookings_price_positive")),
        sa.ForeignKeyConstraint(
            ["consumer_id"], ["people.id"], name=op.f("fk_bookings_consumer_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.person_id"],
            name=op.f("fk_bookings_operator_id_operators"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["booking_series.id"],
            name=op.f("fk_bookings_series_id_booking_series"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_bookings_service_id_services")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_bookings_idempotency_key")),
    )
    op.create_index(
        "ix_bookings_consumer_start", "bookings", ["consumer_id", "start_at"], unique=False
    )
    op.create_index(
        "ix_bookings_operator_start", "bookings", ["operator_id", "start_at"], unique=False
    )
    op.create_index(op.f("ix_bookings_series_id"), "bookings", ["series_id"], unique=False)
    op.create_index(
        "uq_bookings_active_ref",
        "bookings",
        ["ref"],
        unique=True,
        postgresql_where=ACTIVE_SQL,
    )
    op.create_table(
        "booking_events",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("booking_id", sa.BigInteger(), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor_kind", sa.String(length=12), nullable=False),
        sa.Column("actor_person_id", sa.BigInteger(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_booking_events_booking_id_bookings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_events")),
    )
    op.create_index(
        op.f("ix_booking_events_booking_id"), "booking_events", ["booking_id"], unique=False
    )
    op.create_table(
        "capacity_holds",
        sa.Column("booking_id", sa.BigInteger(), nullable=False),
        sa.Column("operator_id", sa.BigInteger(), nullable=False),
        sa.Column("lane", sa.SmallInteger(), nullable=False),
        sa.Column("during", postgresql.TSTZRANGE(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        postgresql.ExcludeConstraint(
            (sa.column("operator_id"), "="),
            (sa.column("lane"), "="),
            (sa.column("during"), "&&"),
            using="gist",
            name="capacity_holds_no_overlap",
        ),
        sa.CheckConstraint("lane between 0 and 19", name=op.f("ck_capacity_holds_lane_range")),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_capacity_holds_booking_id_bookings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.person_id"],
            name=op.f("fk_capacity_holds_operator_id_operators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("booking_id", name=op.f("pk_capacity_holds")),
    )
    op.create_table(
        "offers",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("booking_id", sa.BigInteger(), nullable=False),
        sa.Column("operator_id", sa.BigInteger(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("distance_km", sa.Float(), nullable=False),
        sa.Column("earn_cents", sa.BigInteger(), nullable=False),
        sa.Column("score", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status in ('open','accepted','declined','expired','withdrawn')",
            name=op.f("ck_offers_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_offers_booking_id_bookings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.person_id"],
            name=op.f("fk_offers_operator_id_operators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offers")),
    )
    op.create_index(op.f("ix_offers_booking_id"), "offers", ["booking_id"], unique=False)
    op.create_index("ix_offers_operator_status", "offers", ["operator_id", "status"], unique=False)
    op.create_index(
        "uq_offers_one_open",
        "offers",
        ["booking_id"],
        unique=True,
        postgresql_where="status = 'open'",
    )
    # ### end Alembic commands ###


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_index("uq_offers_one_open", table_name="offers", postgresql_where="status = 'open'")
    op.drop_index("ix_offers_operator_status", table_name="offers")
    op.drop_index(op.f("ix_offers_booking_id"), table_name="offers")
    op.drop_table("offers")
    op.drop_table("capacity_holds")
    op.drop_index(op.f("ix_booking_events_booking_id"), table_name="booking_events")
    op.drop_table("booking_events")
    op.drop_index(
        "uq_bookings_active_ref",
        table_name="bookings",
        postgresql_where=ACTIVE_SQL,
    )
    op.drop_index(op.f("ix_bookings_series_id"), table_name="bookings")
    op.drop_index("ix_bookings_operator_start", table_name="bookings")
    op.drop_index("ix_bookings_consumer_start", table_name="bookings")
    op.drop_table("bookings")
    op.drop_index(op.f("ix_working_hours_operator_id"), table_name="working_hours")
    op.drop_table("working_hours")
    op.drop_index(op.f("ix_operator_services_service_id"), table_name="operator_services")
    op.drop_table("operator_services")
    op.drop_table("operator_days")
    op.drop_table("hours_exceptions")
    op.drop_index(op.f("ix_booking_series_consumer_id"), table_name="booking_series")
    op.drop_table("booking_series")
    op.drop_index("ix_operators_online", table_name="operators", postgresql_where="online")
    op.drop_table("operators")
    op.drop_table("services")
    # ### end Alembic commands ###
