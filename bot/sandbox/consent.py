"""Deciding on TikTok's consent page without a browser: what the terminal chat's `:approve`
and the end-to-end tests do instead of clicking Authorize or Deny."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx


async def decide(
    http: httpx.AsyncClient, *, authorization_url: str, account: str, decision: str = "authorize"
) -> httpx.Response:
    """Ask the TikTok sandbox behind `authorization_url` for the redirect, then follow it to
    the bot's callback, as the browser would. Returns the callback's answer (the page)."""
    parts = urlsplit(authorization_url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    answer = await http.post(
        f"{parts.scheme}://{parts.netloc}/sandbox/approve",
        json={
            "app_id": query.get("app_id", ""),
            "state": query.get("state", ""),
            "redirect_uri": query.get("redirect_uri", ""),
            "account": account,
            "decision": decision,
        },
    )
    if answer.is_error:
        raise ValueError(answer.json().get("error", answer.text))
    return await http.get(answer.json()["location"])
