"""Database URLs and engine options, without a server."""

from pathlib import Path

import pytest

from models.db import create_db_engine, normalize_database_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u:p@db:5432/bot", "postgresql+psycopg://u:p@db:5432/bot"),
        ("postgresql://u@db/bot", "postgresql+psycopg://u@db/bot"),
        ("postgresql+psycopg://u@db/bot", "postgresql+psycopg://u@db/bot"),
        ("sqlite:///data/bot.sqlite3", "sqlite:///data/bot.sqlite3"),
    ],
)
def test_normalize_database_url(url: str, expected: str) -> None:
    assert normalize_database_url(url) == expected


def test_postgres_engine_uses_psycopg_and_pre_ping() -> None:
    engine = create_db_engine("postgres://u:p@db.invalid/bot")
    try:
        assert engine.dialect.driver == "psycopg"
        assert engine.pool._pre_ping
    finally:
        engine.dispose()


def test_sqlite_engine_creates_the_parent_directory(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path}/a/b/bot.sqlite3")
    try:
        assert (tmp_path / "a" / "b").is_dir()
    finally:
        engine.dispose()


def test_other_databases_are_refused() -> None:
    with pytest.raises(ValueError, match="unsupported database URL 'mysql://u:\\*\\*\\*@db/bot'"):
        create_db_engine("mysql://u:secret@db/bot")
