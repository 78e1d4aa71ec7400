"""The local web servers' rule for whom they answer: their own page on 127.0.0.1, nothing else.

The preview and the officer's page listen on 127.0.0.1 only, and answer a request only when its
``Host`` header names that server itself (``127.0.0.1:PORT`` or ``localhost:PORT``): a web page
elsewhere that points a name of its own at 127.0.0.1 (DNS rebinding) gets 403 with no body, so it can
read neither the report nor its status. No CORS header is ever sent.
"""

from __future__ import annotations

HOST = "127.0.0.1"


def own(host_header: str | None, port: int) -> bool:
    """Whether ``host_header`` names the server on ``port`` of this machine's loopback, as a browser sends it."""
    if not host_header:
        return False
    return host_header.strip().lower() in (f"{HOST}:{port}", f"localhost:{port}")
