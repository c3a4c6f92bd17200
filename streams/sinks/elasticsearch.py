"""Bulk writes, index setup and searches against Elasticsearch, with retries on transient failures."""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import orjson
from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout, TlsError
from elasticsearch import ApiError, AsyncElasticsearch, ConflictError, Elasticsearch, NotFoundError
from elasticsearch.serializer import JsonSerializer, NdjsonSerializer

from streams import documents
from streams.settings import Settings
from streams.sinks.base import ItemFailure

log = logging.getLogger(__name__)

T = TypeVar("T")

# Statuses worth retrying for a whole request: overload (429) and server-side trouble (5xx).
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# A bulk item may also come back 409, a version conflict that retry_on_conflict already
# retried: transient there. A whole request's 409 is an answer (create: the id exists), which
# the caller handles, never something to wait out.
RETRY_ITEM_STATUSES = RETRY_STATUSES | {409, 403}
# A refused login (401) or privilege (403) needs an operator: the worker says so and waits,
# retrying, instead of dead-lettering every article it cannot write meanwhile. An item's 403
# (a privilege on the index, or a read-only block on a full disk) waits the same way.
LOGIN_STATUSES = frozenset({401, 403})


class _Orjson(JsonSerializer):
    """Request and response bodies through orjson (the client's default is the json module)."""

    def json_dumps(self, data: Any) -> bytes:
        return orjson.dumps(data, default=self.default)

    def json_loads(self, data: bytes) -> Any:
        return orjson.loads(data)


class _OrjsonLines(_Orjson, NdjsonSerializer):
    """Bulk bodies, one orjson line per operation: encoded several times faster than with the
    json module, and non-ASCII text travels as UTF-8 instead of escape sequences."""

    mimetype = NdjsonSerializer.mimetype


SERIALIZERS = {
    _Orjson.mimetype: _Orjson(),
    _OrjsonLines.mimetype: _OrjsonLines(),
}


def client_options(settings: Settings) -> dict[str, Any]:
    opts: dict[str, Any] = {
        "request_timeout": 60,
        "max_retries": 0,
        "retry_on_timeout": False,
        "serializers": SERIALIZERS,
    }
    if settings.es_api_key:
        opts["api_key"] = settings.es_api_key
    elif settings.es_username:
        opts["basic_auth"] = (settings.es_username, settings.es_password)
    if settings.es_ca_certs:
        opts["ca_certs"] = settings.es_ca_certs
    return opts


def sync_client(settings: Settings) -> Elasticsearch:
    return Elasticsearch(settings.es_url, **client_options(settings))


def async_client(settings: Settings) -> AsyncElasticsearch:
    return AsyncElasticsearch(settings.es_url, **client_options(settings))


class Backoff:
    """Exponential backoff with full jitter, capped; reset after a success."""

    def __init__(self, base: float = 0.5, cap: float = 30.0) -> None:
        self.base = base
        self.cap = cap
        self.attempt = 0

    def next_delay(self) -> float:
        self.attempt += 1
        return random.uniform(0, min(self.cap, self.base * 2**self.attempt))


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, TransportConnectionError | ConnectionTimeout | asyncio.TimeoutError | OSError):
        return True
    return isinstance(exc, ApiError) and exc.meta.status in RETRY_STATUSES | LOGIN_STATUSES


async def retrying(
    what: str,
    call: Callable[[], Awaitable[T]],
    backoff: Backoff | None = None,
    on_retry: Callable[[BaseException], None] | None = None,
) -> T:
    """Run call until it succeeds or fails permanently; transient errors wait and retry forever,
    which pauses the calling agent (and so consumption) instead of dropping anything."""
    backoff = backoff or Backoff()
    while True:
        try:
            return await call()
        except Exception as exc:
            if not is_transient(exc):
                raise
            delay = backoff.next_delay()
            if on_retry is not None:
                on_retry(exc)
            log.warning("%s failed (%s); retry %d in %.1fs", what, _describe(exc), backoff.attempt, delay)
            await asyncio.sleep(delay)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ApiError) and exc.meta.status == 401:
        return (
            "Elasticsearch refused the credentials (HTTP 401): set a valid NEWSFLOW_ES_API_KEY or "
            "NEWSFLOW_ES_USERNAME/NEWSFLOW_ES_PASSWORD and restart the worker; nothing is skipped meanwhile"
        )
    if isinstance(exc, ApiError) and exc.meta.status == 403:
        return (
            f"Elasticsearch does not allow it (HTTP 403 {exc.message}): grant the user of "
            "NEWSFLOW_ES_API_KEY/NEWSFLOW_ES_USERNAME write access to the newsflow indices; "
            "nothing is skipped meanwhile"
        )
    if isinstance(exc, TlsError):
        return (
            f"TLS with Elasticsearch failed ({exc}): point NEWSFLOW_ES_CA_CERTS at the CA that "
            "signed its certificate and restart the worker; nothing is skipped meanwhile"
        )
    if isinstance(exc, ApiError):
        return f"HTTP {exc.meta.status} {exc.message}"
    return f"{type(exc).__name__}: {exc}"


class ElasticsearchSink:
    """Bulk writer for article documents, with the index and its alias set up on first use.

    Live workers write through the alias (`target` None), so after `newsflow reindex` swaps it
    they write to the new index without a restart; a reindex writes to its `target` by name.
    """

    def __init__(
        self,
        client: AsyncElasticsearch,
        prefix: str = "",
        on_retry: Callable[[BaseException], None] | None = None,
        target: str | None = None,
    ) -> None:
        self.client = client
        self.on_retry = on_retry
        self.prefix = prefix
        self.alias = documents.alias_name(prefix)
        self.target = target
        self._ready = False

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        on_retry: Callable[[BaseException], None] | None = None,
        target: str | None = None,
    ) -> ElasticsearchSink:
        return cls(async_client(settings), settings.index_prefix, on_retry, target)

    async def ensure_index(self) -> None:
        if self._ready:
            return
        body = documents.template(self.prefix)
        await retrying(
            "installing the index template",
            lambda: self.client.indices.put_index_template(name=self.alias, **body),
            on_retry=self.on_retry,
        )
        target = self.target
        if target is None:
            await retrying(f"setting up the alias {self.alias}", self._ensure_alias, on_retry=self.on_retry)
        else:
            await retrying(f"creating index {target}", lambda: self._create(target), on_retry=self.on_retry)
        # An index made by an older release lacks the fields added since (additions only: a
        # changed field type needs a new index version, see documents.INDEX_VERSION).
        mappings = body["template"]["mappings"]
        name = self.target or self.alias
        await retrying(
            f"adding new fields to the mapping of {name}",
            lambda: self.client.indices.put_mapping(index=name, properties=mappings["properties"]),
            on_retry=self.on_retry,
        )
        if target is None:
            # A worker that died in a backlog may have left the refresh slowed down (refresh.py).
            normal = documents.refresh_interval(self.prefix)
            try:
                await self.set_refresh_interval(normal)
            except Exception as exc:
                log.warning("refresh interval of %s not set to %s: %s", self.alias, normal, _describe(exc))
        self._ready = True

    async def set_refresh_interval(self, interval: str, refresh_now: bool = False) -> None:
        """Set how often the written index refreshes (through the alias: the index it points at),
        and with `refresh_now` make what was written searchable at once. One attempt: a failure
        is the caller's to log, since a refresh interval is never worth pausing the pipeline for."""
        name = self.target or self.alias
        await self.client.indices.put_settings(index=name, settings={"index": {"refresh_interval": interval}})
        if refresh_now:
            await self.client.indices.refresh(index=name)

    async def _create(self, index: str, aliases: dict[str, Any] | None = None) -> bool:
        """Create the index; False when it exists already (another worker made it first)."""
        try:
            await self.client.indices.create(index=index, aliases=aliases)
        except ApiError as exc:
            if exc.meta.status != 400 or "resource_already_exists" not in str(exc.message):
                raise
            return False
        return True

    async def _ensure_alias(self) -> None:
        """The alias exists, or the first index is made with it as its write index."""
        if await self.client.indices.exists_alias(name=self.alias):
            return
        first = documents.index_name(self.prefix)
        if not await self._create(first, {self.alias: {"is_write_index": True}}):
            # The first index is there without the alias (made by hand or by an older release
            # that set the alias from the template, then removed): put the alias back on it.
            await self.client.indices.put_alias(index=first, name=self.alias, is_write_index=True)

    async def write(self, operations: list[dict[str, Any]]) -> list[ItemFailure]:
        """Send (action, body) pairs in one bulk request; return the items Elasticsearch refused
        for good. A `create` of an id that exists comes back 409 and is sent again at once as
        documents.update_after_conflict(); overload and version conflicts wait and retry."""
        await self.ensure_index()
        operations = list(operations)
        pending = list(range(0, len(operations), 2))
        failures: list[ItemFailure] = []
        backoff = Backoff()
        while pending:
            body: list[dict[str, Any]] = []
            for pos in pending:
                body.extend(operations[pos : pos + 2])
            response = await retrying(
                f"bulk request of {len(pending)} operations",
                lambda body=body: self.client.bulk(operations=body),  # type: ignore[misc]
                backoff,
                self.on_retry,
            )
            again: list[int] = []
            deferred: set[str] = set()  # ids with a write in the next round
            transient = 0
            for pos, item in zip(pending, response["items"], strict=True):
                ((op, result),) = item.items()
                status = int(result.get("status", 200))
                doc_id = next(iter(operations[pos].values()))["_id"]
                if status < 300:
                    if doc_id in deferred:
                        # Applied before an earlier write of its document that goes again:
                        # sent again after it, so the document ends as the writes were ordered.
                        again.append(pos)
                    continue
                if status == 409 and op == "create":
                    operations[pos : pos + 2] = documents.update_after_conflict(*operations[pos : pos + 2])
                    again.append(pos)
                    deferred.add(doc_id)
                    continue
                if status in RETRY_ITEM_STATUSES:
                    again.append(pos)
                    deferred.add(doc_id)
                    transient += 1
                    continue
                error = result.get("error") or {}
                failures.append(
                    ItemFailure(
                        position=pos // 2,
                        doc_id=str(result.get("_id")),
                        status=status,
                        error_type=str(error.get("type", "unknown")),
                        reason=str(error.get("reason", ""))[:1000],
                    )
                )
            if transient:
                delay = backoff.next_delay()
                log.warning("%d bulk items refused transiently; retry in %.1fs", transient, delay)
                await asyncio.sleep(delay)
            pending = again
        return failures

    async def close(self) -> None:
        await self.client.close()


def search(settings: Settings, body: dict[str, Any]) -> dict[str, Any]:
    """Run a search on the read alias."""
    client = sync_client(settings)
    try:
        response = client.search(index=documents.alias_name(settings.index_prefix), **body)
        return dict(response.body)
    finally:
        client.close()


def count(settings: Settings, query: dict[str, Any] | None = None) -> int:
    client = sync_client(settings)
    try:
        alias = documents.alias_name(settings.index_prefix)
        client.indices.refresh(index=alias)
        return int(client.count(index=alias, query=query or {"match_all": {}})["count"])
    finally:
        client.close()


ALERTS_TEMPLATE = Path(__file__).resolve().parents[2] / "schemas" / "index-template.alerts.json"


def alerts_index(prefix: str = "") -> str:
    return f"{prefix}alerts"


class ArticleSearch:
    """Searches on the articles alias for the spike scan; no index yet reads as no documents."""

    def __init__(self, client: AsyncElasticsearch, prefix: str = "") -> None:
        self.client = client
        self.alias = documents.alias_name(prefix)

    async def __call__(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = await self.client.search(index=self.alias, **body)
        except NotFoundError:
            return {}
        return dict(response.body)


class AlertIndex:
    """The alerts index: one document per alert id; a repeated alert leaves the first in place."""

    def __init__(self, client: AsyncElasticsearch, prefix: str = "") -> None:
        self.client = client
        self.index = alerts_index(prefix)
        self.prefix = prefix
        self._ready = False

    async def ensure_index(self) -> None:
        if self._ready:
            return
        body = json.loads(ALERTS_TEMPLATE.read_text(encoding="utf-8").replace("{prefix}", self.prefix))
        body.pop("_comment", None)
        await retrying(
            "installing the alerts template",
            lambda: self.client.indices.put_index_template(name=self.index, **body),
        )
        self._ready = True

    async def create(self, alert: dict[str, Any]) -> bool:
        """Store a new alert; False when one with its id (same keyword and window) exists."""
        await self.ensure_index()
        try:
            await retrying(
                "writing an alert",
                lambda: self.client.create(index=self.index, id=alert["id"], document=alert, refresh=True),
            )
        except ConflictError:
            return False
        return True


def list_alerts(settings: Settings, since_s: int, limit: int) -> list[dict[str, Any]]:
    client = sync_client(settings)
    try:
        index = alerts_index(settings.index_prefix)
        if not client.indices.exists(index=index):
            return []
        client.indices.refresh(index=index)
        hits = client.search(
            index=index,
            query={"range": {"window_start": {"gte": f"now-{since_s}s"}}},
            sort=[{"window_start": {"order": "desc"}}, {"score": {"order": "desc"}}],
            size=limit,
        )["hits"]["hits"]
        return [h["_source"] for h in hits]
    finally:
        client.close()
