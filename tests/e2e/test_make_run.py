"""`make run`'s embedded default, as a person uses it: the terminal chat of `promote-bot run`
with no configuration, driven through its standard input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import free_port


def run_chat(
    workdir: Path, typed: str, *extra: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`promote-bot run` with no configuration (but free ports), fed `typed` on stdin."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "TIKTOK_", "PROMOTE_API", "DATABASE_URL", "TOKEN_"))
    }
    environment.update(
        SANDBOX_TELEGRAM_PORT=str(free_port()),
        SANDBOX_TIKTOK_PORT=str(free_port()),
        WEB_PORT=str(free_port()),
        **(env or {}),
    )
    return subprocess.run(
        [sys.executable, "-m", "bot", "run", *extra],
        input=typed,
        cwd=workdir,
        env=environment,
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


def test_the_whole_sync_path_in_the_terminal_chat(tmp_path: Path) -> None:
    """A person at `make run`: eligibility, terms, authorization as a sandbox account (no
    browser), the account by name and ID, confirmation, and the pushed success message."""
    typed = "\n".join(
        [
            "/start",
            "1",  # Ya: registered in Indonesia
            "1",  # Ya: 18 or older
            "2",  # Selanjutnya (1 opens the terms page)
            ":accounts",
            ":approve sekar-ayu",
            "1",  # Batik Sekar Ayu Official (ID 7301234567890120001)
            "1",  # Konfirmasi dan integrasikan
            ":wait 30",
            ":quit",
        ]
    )
    done = run_chat(
        tmp_path,
        typed + "\n",
        env={"SANDBOX_INTEGRATION_SECONDS": "1", "POLL_INTERVAL_SECONDS": "0.3"},
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Apakah bisnis Anda terdaftar di Indonesia?" in out
    assert "[2] Selanjutnya" in out
    assert "sekar-ayu" in out and "kopi-nusantara" in out
    assert "(browser: 200 Akses diotorisasikan)" in out
    assert "1. Batik Sekar Ayu Official (ID 7301234567890120001)" in out
    assert "[1] 1. Batik Sekar Ayu Official" in out
    assert "bot › ⏳ Integrasi sedang berlangsung." in out
    assert "bot › 🎉 Integrasi Fitur Promosi dengan TikTok Ads Manager telah berhasil!" in out
