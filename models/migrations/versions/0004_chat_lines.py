"""The latest lines of each chat, masked, for the support card.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chat_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("sender", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_chat_line"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["telegram_user.id"], name="fk_chat_line_user_id_telegram_user"
        ),
    )
    op.create_index("ix_chat_line_user_id", "chat_line", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_chat_line_user_id", table_name="chat_line")
    op.drop_table("chat_line")
