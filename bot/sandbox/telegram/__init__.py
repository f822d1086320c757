"""An offline stand-in for the Telegram Bot API, plus a user API to play the humans.

See docs/telegram-sandbox.md.
"""

from bot.sandbox.telegram.limits import RateLimits
from bot.sandbox.telegram.sandbox import SandboxConfig, TelegramSandbox

__all__ = ["RateLimits", "SandboxConfig", "TelegramSandbox"]
