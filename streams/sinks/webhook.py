"""POST alerts to a webhook as JSON, with a timeout and a few retries; never blocks the pipeline for long."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp

log = logging.getLogger(__name__)


class Webhook:
    def __init__(self, url: str, timeout_s: float = 5.0, attempts: int = 3) -> None:
        self.url = url
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self.attempts = attempts

    async def post(self, alert: dict[str, Any]) -> bool:
        """True once the endpoint answered 2xx; False (logged, not raised) after the last attempt:
        the alert is in Kafka and Elasticsearch already, the webhook is a notification."""
        for attempt in range(1, self.attempts + 1):
            try:
                async with (
                    aiohttp.ClientSession(timeout=self.timeout) as session,
                    session.post(self.url, json=alert) as response,
                ):
                    if response.status < 300:
                        return True
                    problem = f"HTTP {response.status}"
                    if 400 <= response.status < 500 and response.status != 429:
                        break
            except (aiohttp.ClientError, TimeoutError) as exc:
                problem = f"{type(exc).__name__}: {exc}"
            if attempt < self.attempts:
                await asyncio.sleep(0.5 * 2**attempt)
        log.warning("webhook POST of alert %s failed: %s", alert.get("id"), problem)
        return False
