"""Shared fixtures: the Telegram sandbox on loopback, the real bot polling it, chat drivers."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from bot.config import SANDBOX_BOT_TOKEN, Settings, load_settings
from bot.runner import RunningBot, running_bot
from bot.sandbox.driver import ChatDriver
from bot.sandbox.telegram import SandboxConfig, TelegramSandbox
from bot.sandbox.tiktok import TikTokSandbox, TikTokSandboxConfig
from bot.serve import serve_asgi
from models.db import create_db_engine, upgrade


def free_port() -> int:
    """A port on loopback that was free a moment ago (for URLs that must be known up front)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
async def tiktok_url() -> AsyncIterator[str]:
    """The TikTok sandbox (Marketing API, Promote API, consent page); integrations take 1 s."""
    sandbox = TikTokSandbox(TikTokSandboxConfig(integration_seconds=1.0))
    async with serve_asgi(sandbox.asgi_app()) as url:
        yield url


@pytest.fixture
def make_settings(tmp_path: Path, tiktok_url: str) -> Callable[..., Settings]:
    """Settings as a test wants them: no .env file, data under tmp_path, any free web port,
    the TikTok sandbox, and a status poller that looks often."""

    def make(**overrides: object) -> Settings:
        values: dict[str, object] = {
            "data_dir": tmp_path / "data",
            "web_port": 0,
            "tiktok_api_base_url": tiktok_url,
            "tiktok_auth_url": f"{tiktok_url}/portal/auth",
            "promote_api_base_url": f"{tiktok_url}/promote/v1",
            "poll_interval_seconds": 0.2,
        }
        values.update(overrides)
        return load_settings(_env_file=None, **values)

    return make


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    upgrade(url)
    engine = create_db_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
async def sandbox_url() -> AsyncIterator[str]:
    sandbox = TelegramSandbox(SandboxConfig(bot_token=SANDBOX_BOT_TOKEN))
    async with serve_asgi(sandbox.asgi_app()) as url:
        yield url


@pytest.fixture
async def sandbox_client(sandbox_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sandbox_url, timeout=30) as client:
        yield client


@pytest.fixture
async def http_client() -> AsyncIterator[httpx.AsyncClient]:
    """A plain client, for pages a browser would open (the consent page, the callback)."""
    async with httpx.AsyncClient(timeout=30) as client:
        yield client


@pytest.fixture
async def polling_bot(
    make_settings: Callable[..., Settings], sandbox_url: str, engine: Engine
) -> AsyncIterator[RunningBot]:
    async with running_bot(
        make_settings(), bot_api_base_url=f"{sandbox_url}/bot", engine=engine
    ) as bot:
        yield bot


TESTER = 9001  # the localization tester of the `tester_bot` fixture


@pytest.fixture
async def tester_bot(
    make_settings: Callable[..., Settings], sandbox_url: str, engine: Engine
) -> AsyncIterator[RunningBot]:
    """The bot with user TESTER configured as a localization tester."""
    settings = make_settings(tester_user_ids=str(TESTER))
    async with running_bot(settings, bot_api_base_url=f"{sandbox_url}/bot", engine=engine) as bot:
        yield bot


@pytest.fixture
def chat(sandbox_client: httpx.AsyncClient) -> Callable[..., ChatDriver]:
    """A driver for one user: `chat(user_id=…, language_code=…)`."""

    def make(*, user_id: int = 1001, **options: object) -> ChatDriver:
        return ChatDriver(sandbox_client, user_id=user_id, **options)  # type: ignore[arg-type]

    return make
