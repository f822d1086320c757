"""The migrations build exactly the schema the models declare, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from models import TelegramUser, create_db_engine, transaction, upsert_user
from models.db import current_revision, downgrade, head_revision, upgrade

TABLES = {
    "agent_link",
    "chat_line",
    "support_message",
    "alembic_version",
    "audit_event",
    "integration",
    "oauth_state",
    "outbox_message",
    "processed_update",
    "support_case",
    "telegram_user",
}


def test_upgrade_matches_the_models_and_downgrade_removes_everything(database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == head_revision() == "0005"
        assert set(inspect(engine).get_table_names()) == TABLES
        with engine.connect() as connection:
            differences = compare_metadata(
                MigrationContext.configure(connection), SQLModel.metadata
            )
        assert differences == []

        downgrade(engine, "base")
        assert current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

        upgrade(engine)  # and back up again, on the same database
        assert current_revision(engine) == "0005"
    finally:
        engine.dispose()


def test_upgrade_accepts_a_url_and_is_idempotent(database_url: str) -> None:
    upgrade(database_url)
    upgrade(database_url)
    assert current_revision(database_url) == "0005"
    engine = create_db_engine(database_url)
    try:
        with transaction(engine) as session:
            upsert_user(session=session, telegram_id=1, chat_id=1)
        with transaction(engine) as session:
            assert session.get(TelegramUser, 1) is not None
    finally:
        engine.dispose()


def test_a_database_at_0001_keeps_its_users_through_the_head(database_url: str) -> None:
    """An existing deployment upgrades in place: rows written at 0001 survive."""
    engine = create_db_engine(database_url)
    try:
        upgrade(engine, "0001")
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO telegram_user (id, chat_id, first_seen_at, last_seen_at) "
                "VALUES (7, 7, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        upgrade(engine)
        with transaction(engine) as session:
            user = session.get(TelegramUser, 7)
            assert user is not None and user.show_msgids is False
    finally:
        engine.dispose()


def test_0003_adds_and_removes_only_the_support_tables(database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        upgrade(engine, "0002")
        before = set(inspect(engine).get_table_names())
        upgrade(engine, "0003")
        assert set(inspect(engine).get_table_names()) - before == {"agent_link", "support_case"}
        downgrade(engine, "0002")
        assert set(inspect(engine).get_table_names()) == before
        assert current_revision(engine) == "0002"
    finally:
        engine.dispose()
