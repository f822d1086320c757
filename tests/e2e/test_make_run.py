"""`make run`'s embedded default, as a person uses it: the terminal chat of `promote-bot run`
with no configuration, driven through its standard input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import free_port


def run_chat(workdir: Path, typed: str, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "DATABASE_URL", "TOKEN_ENCRYPTION_KEY"))
    }
    env.update(SANDBOX_TELEGRAM_PORT=str(free_port()), WEB_PORT=str(free_port()))
    return subprocess.run(
        [sys.executable, "-m", "bot", "run", *extra],
        input=typed,
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_start_in_the_terminal_chat_gets_the_greeting(tmp_path: Path) -> None:
    done = run_chat(tmp_path, "/start\n:lang en\n/start\n:quit\n")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "you › /start" in lines
    assert "bot › Halo, Budi! 👋" in lines
    # The second /start resumes the same conversation, now in English.
    resumed = "bot › Welcome back! Let's continue where you left off."
    assert resumed in lines
    assert lines.index("bot › Halo, Budi! 👋") < lines.index(resumed)
    # The embedded default keeps its state under ./data/.
    data = tmp_path / "data"
    assert {p.name for p in data.iterdir()} >= {
        "promote-bot.sqlite3",
        "token-encryption.key",
        "promote-bot.log",
    }


def test_a_second_run_on_the_same_data_still_answers(tmp_path: Path) -> None:
    """The sandbox starts afresh each run while the database remembers earlier update ids."""
    first = run_chat(tmp_path, "/start\n")
    second = run_chat(tmp_path, "/start\n", "--user-id", "2002", "--name", "Sari")
    assert "bot › Halo, Budi! 👋" in first.stdout.splitlines()
    assert "bot › Halo, Sari! 👋" in second.stdout.splitlines(), second.stdout
