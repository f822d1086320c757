"""An offline stand-in for TikTok: Marketing API v1.3 (OAuth, advertisers), the Promote
integration API, the consent page, and knobs for tests.

See docs/tiktok-sandbox.md.
"""

from bot.sandbox.tiktok.config import TikTokSandboxConfig
from bot.sandbox.tiktok.sandbox import TikTokSandbox
from bot.sandbox.tiktok.seed import SEEDED_ACCOUNTS, SeedAccount

__all__ = ["SEEDED_ACCOUNTS", "SeedAccount", "TikTokSandbox", "TikTokSandboxConfig"]
