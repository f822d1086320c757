"""Alembic environment. Migrations run through `models.db`, which supplies the connection."""

from alembic import context
from sqlmodel import SQLModel

import models.tables  # noqa: F401  (puts the tables on SQLModel.metadata for autogenerate)

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "run migrations through models.db (upgrade/downgrade/alembic_config) "
        "or `promote-bot db upgrade`; there is no alembic.ini"
    )

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    # SQLite can't ALTER most things in place; batch mode rebuilds the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
