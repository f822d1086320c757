"""How one TikTok sandbox is set up."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class TikTokSandboxConfig:
    app_id: str = "sandbox-app"  # the one developer app the sandbox knows
    app_secret: str = "sandbox-secret"  # noqa: S105 - a sandbox value, offline only
    app_name: str = "Promote Assistant"  # shown on the consent page
    integration_seconds: float = 60.0  # how long an integration takes (a knob changes it)
    auth_code_seconds: float = 3600.0  # an auth code is valid this long, once
    clock: Callable[[], float] = time.time  # Unix seconds; tests pass their own to skip ahead

    def __post_init__(self) -> None:
        if not self.app_id or not self.app_secret:
            raise ValueError("app_id and app_secret must not be empty")
        if self.integration_seconds < 0 or self.auth_code_seconds <= 0:
            raise ValueError("integration_seconds must be ≥ 0 and auth_code_seconds > 0")
