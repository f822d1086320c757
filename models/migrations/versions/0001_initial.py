"""Initial schema: users, integrations, OAuth states, audit log, processed updates, outbox.

Revision ID: 0001
Revises:
Create Date: 2025-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here rather than imported, so later model changes can't rewrite history.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def timestamp(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "telegram_user",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("username", sa.String(), nullable=True),
        sa.Column("first_name", sa.String(), nullable=True),
        sa.Column("language_code", sa.String(), nullable=True),
        sa.Column("locale", sa.String(), nullable=True),
        timestamp("first_seen_at"),
        timestamp("last_seen_at"),
        sa.PrimaryKeyConstraint("id", name="pk_telegram_user"),
    )

    op.create_table(
        "integration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("step", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("advertiser_id", sa.String(), nullable=True),
        sa.Column("terms_version", sa.String(), nullable=True),
        timestamp("terms_accepted_at", nullable=True),
        sa.Column("access_token_encrypted", sa.Text(), nullable=True),
        timestamp("created_at"),
        timestamp("updated_at"),
        timestamp("submitted_at", nullable=True),
        timestamp("completed_at", nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_integration"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["telegram_user.id"], name="fk_integration_user_id_telegram_user"
        ),
    )
    op.create_index("ix_integration_user_id", "integration", ["user_id"])

    op.create_table(
        "oauth_state",
        sa.Column("state_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("integration_id", sa.Integer(), nullable=False),
        timestamp("created_at"),
        timestamp("expires_at"),
        timestamp("used_at", nullable=True),
        sa.PrimaryKeyConstraint("state_hash", name="pk_oauth_state"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["telegram_user.id"], name="fk_oauth_state_user_id_telegram_user"
        ),
        sa.ForeignKeyConstraint(
            ["integration_id"],
            ["integration.id"],
            name="fk_oauth_state_integration_id_integration",
        ),
    )

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("integration_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("detail", JSON, nullable=False),
        timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_audit_event"),
    )
    op.create_index("ix_audit_event_user_id", "audit_event", ["user_id"])
    op.create_index("ix_audit_event_integration_id", "audit_event", ["integration_id"])

    op.create_table(
        "processed_update",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        timestamp("processed_at"),
        sa.PrimaryKeyConstraint("update_id", name="pk_processed_update"),
    )

    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("dedupe_key", sa.String(), nullable=False),
        timestamp("created_at"),
        timestamp("not_before"),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        timestamp("sent_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_message"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["telegram_user.id"], name="fk_outbox_message_user_id_telegram_user"
        ),
        sa.UniqueConstraint("dedupe_key", name="uq_outbox_message_dedupe_key"),
    )
    op.create_index("ix_outbox_message_due", "outbox_message", ["sent_at", "not_before"])


def downgrade() -> None:
    op.drop_table("outbox_message")
    op.drop_table("processed_update")
    op.drop_table("audit_event")
    op.drop_table("oauth_state")
    op.drop_table("integration")
    op.drop_table("telegram_user")
