"""Engines, units of work and migrations for SQLite (development, tests) and PostgreSQL.

The per-user lock of the house rules is a row lock on PostgreSQL (`store.lock_user`). On
SQLite there are no row locks, so every transaction starts with BEGIN IMMEDIATE and holds
the database's write lock from its first statement: writers run one at a time.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url
from sqlmodel import Session

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def normalize_database_url(url: str) -> str:
    """Send plain `postgres://` / `postgresql://` URLs, as hosts hand them out, to psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def create_db_engine(url: str) -> Engine:
    """An engine for `sqlite:///path` or `postgresql+psycopg://...`, set up for this app."""
    parsed = make_url(normalize_database_url(url))
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _create_sqlite_engine(parsed)
    if backend == "postgresql":
        # pre_ping: a connection the server closed (restart, idle timeout) is replaced
        # instead of failing the first update that picks it up.
        return create_engine(parsed, pool_pre_ping=True)
    raise ValueError(
        f"unsupported database URL {parsed.render_as_string(hide_password=True)!r}: "
        "use sqlite:///path or postgresql://..."
    )


def _create_sqlite_engine(url: URL) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin_immediate)
    return engine


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # Stop the sqlite3 driver from issuing its own (deferred) BEGIN; _begin_immediate does.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")  # readers don't block the writer
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")  # wait, don't fail
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _begin_immediate(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: commits when the block ends, rolls back if it raises.

    Objects stay loaded after the commit (expire_on_commit=False), so a caller can still
    read what it saved without another round trip.
    """
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


# --- Migrations ----------------------------------------------------------------------------


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config without alembic.ini; env.py migrates over `connection`.

    Also the way to write a new revision:
    `command.revision(alembic_config(conn), "message", autogenerate=True)`.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


@contextmanager
def _engine(url_or_engine: str | Engine) -> Iterator[Engine]:
    if isinstance(url_or_engine, Engine):
        yield url_or_engine
        return
    engine = create_db_engine(url_or_engine)
    try:
        yield engine
    finally:
        engine.dispose()


def upgrade(url_or_engine: str | Engine, revision: str = "head") -> None:
    """Migrate the database up to `revision`, in one transaction."""
    with _engine(url_or_engine) as engine, engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(url_or_engine: str | Engine, revision: str) -> None:
    """Migrate the database down to `revision` ("base" drops every table)."""
    with _engine(url_or_engine) as engine, engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)


def current_revision(url_or_engine: str | Engine) -> str | None:
    """The revision the database is at; None when it was never migrated."""
    with _engine(url_or_engine) as engine, engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest revision this code ships, to compare with `current_revision`."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
