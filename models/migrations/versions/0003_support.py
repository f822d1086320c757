"""Support desk: cases worked in a support group's forum topics, and agents' deep links.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here rather than imported, so later model changes can't rewrite history.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def timestamp(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "support_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("agent_id", sa.BigInteger(), nullable=True),
        sa.Column("agent_name", sa.String(), nullable=True),
        timestamp("requested_at"),
        timestamp("claimed_at", nullable=True),
        timestamp("first_agent_reply_at", nullable=True),
        timestamp("closed_at", nullable=True),
        timestamp("queued_notice_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_support_case"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["telegram_user.id"], name="fk_support_case_user_id_telegram_user"
        ),
    )
    op.create_index("ix_support_case_user_id", "support_case", ["user_id"])
    op.create_index("ix_support_case_chat_id_thread_id", "support_case", ["chat_id", "thread_id"])

    op.create_table(
        "agent_link",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("agent_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("payload", JSON, nullable=False),
        timestamp("created_at"),
        timestamp("expires_at"),
        timestamp("used_at", nullable=True),
        sa.Column("used_by", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("token_hash", name="pk_agent_link"),
    )


def downgrade() -> None:
    op.drop_table("agent_link")
    op.drop_index("ix_support_case_chat_id_thread_id", table_name="support_case")
    op.drop_index("ix_support_case_user_id", table_name="support_case")
    op.drop_table("support_case")
