"""`TikTokSandbox`: the Marketing API, the Promote integration API and the consent page."""

from __future__ import annotations

from starlette.applications import Starlette

from bot.sandbox.tiktok.config import TikTokSandboxConfig
from bot.sandbox.tiktok.consent import consent_routes
from bot.sandbox.tiktok.control_api import control_routes
from bot.sandbox.tiktok.marketing_api import marketing_routes
from bot.sandbox.tiktok.promote_api import promote_routes
from bot.sandbox.tiktok.terms import terms_page_routes
from bot.sandbox.tiktok.world import World

MAX_BODY_BYTES = 64 * 1024


class TikTokSandbox:
    """All state lives in `world`, in memory; every app from `asgi_app()` shares it."""

    def __init__(self, config: TikTokSandboxConfig | None = None) -> None:
        self.config = config or TikTokSandboxConfig()
        self.world = World(self.config)

    def asgi_app(self) -> Starlette:
        routes = (
            marketing_routes(self.world)
            + promote_routes(self.world)
            + consent_routes(self.world)
            + terms_page_routes()
            + control_routes(self.world)
        )
        app = Starlette(routes=routes, max_body_size=MAX_BODY_BYTES)
        # TikTok answers a path without its trailing slash with 404, not a redirect.
        app.router.redirect_slashes = False
        return app
