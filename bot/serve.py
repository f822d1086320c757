"""Serve an ASGI app with uvicorn inside the running event loop: the bot's web app, the
sandboxes, and the tests' servers all start this way."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator

import uvicorn
from starlette.types import ASGIApp

STARTUP_POLL_SECONDS = 0.01


def _bound_socket(host: str, port: int) -> socket.socket:
    """Binds here, so a taken port is an OSError for the caller, not uvicorn's sys.exit(1)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio then sets TCP_NODELAY, sparing each keep-alive request
    # a Nagle + delayed-ACK wait (~40 ms).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


@contextlib.asynccontextmanager
async def serve_asgi(app: ASGIApp, *, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
    """Yields the base URL, e.g. "http://127.0.0.1:<port>"; port 0 picks a free one."""
    sock = _bound_socket(host, port)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    task = asyncio.create_task(server.serve(sockets=[sock]), name=f"uvicorn {host}:{port}")
    try:
        # uvicorn offers nothing to await for "started"; poll briefly until it serves.
        while not server.started:
            if task.done():
                task.result()  # surfaces a failed start, e.g. an error in the app's lifespan
                raise RuntimeError(f"uvicorn stopped before serving on {host}:{port}")
            await asyncio.sleep(STARTUP_POLL_SECONDS)
        bound_port = server.servers[0].sockets[0].getsockname()[1]
        url_host = f"[{host}]" if ":" in host else host
        yield f"http://{url_host}:{bound_port}"
    finally:
        server.should_exit = True
        await task
        sock.close()
