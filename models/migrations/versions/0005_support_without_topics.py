"""A support group without forum topics: cases are anchored to their card and found again
from the message an agent replies to.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("support_case") as batch:
        batch.add_column(sa.Column("card_message_id", sa.Integer(), nullable=True))
    op.create_table(
        "support_message",
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", "message_id", name="pk_support_message"),
        sa.ForeignKeyConstraint(
            ["case_id"], ["support_case.id"], name="fk_support_message_case_id_support_case"
        ),
    )


def downgrade() -> None:
    op.drop_table("support_message")
    with op.batch_alter_table("support_case") as batch:
        batch.drop_column("card_message_id")
