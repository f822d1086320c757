"""Database fixtures: every store test runs on SQLite and on PostgreSQL.

PostgreSQL tests get a fresh database on the server named by PROMOTE_BOT_TEST_POSTGRES_URL
(dropped afterwards). An unreachable server skips them, unless PROMOTE_BOT_REQUIRE_POSTGRES=1
(as in CI), which makes that a failure so they can never be skipped silently.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import pytest
from sqlalchemy import Engine, create_engine, make_url
from sqlalchemy.exc import OperationalError

from models.db import create_db_engine, normalize_database_url, upgrade

POSTGRES_URL = os.environ.get(
    "PROMOTE_BOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_POSTGRES = os.environ.get("PROMOTE_BOT_REQUIRE_POSTGRES") == "1"


def _postgres_unreachable(error: Exception) -> NoReturn:
    server = make_url(normalize_database_url(POSTGRES_URL)).render_as_string(hide_password=True)
    message = f"PostgreSQL not reachable at {server}: {error}"
    if REQUIRE_POSTGRES:
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """Create a uniquely named database on the test server; yield its URL; drop it."""
    server = make_url(normalize_database_url(POSTGRES_URL))
    admin = create_engine(server, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    name = f"promote_bot_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except OperationalError as exc:
        admin.dispose()
        _postgres_unreachable(exc)
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def sqlite_url(directory: Path) -> str:
    # A subdirectory that doesn't exist yet: create_db_engine must create it.
    return f"sqlite:///{directory / 'db' / 'promote-bot.sqlite3'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty (unmigrated) database of each kind."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
    else:
        with fresh_postgres_database() as url:
            yield url


@contextmanager
def migrated_engine(url: str) -> Iterator[Engine]:
    engine = create_db_engine(url)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated database of each kind."""
    with migrated_engine(database_url) as engine:
        yield engine


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    with migrated_engine(sqlite_url(tmp_path)) as engine:
        yield engine


@pytest.fixture
def postgres_engine() -> Iterator[Engine]:
    """For tests about PostgreSQL's row locks; mark them `pytest.mark.postgres`."""
    with fresh_postgres_database() as url, migrated_engine(url) as engine:
        yield engine
