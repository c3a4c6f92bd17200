"""Build the faust.App from Settings (broker, store, security, commit and buffer tuning)."""

from __future__ import annotations

import ssl

import faust
from faust.transport.producer import ProducerBuffer

from streams.settings import Settings


def _credentials(settings: Settings) -> faust.types.auth.CredentialsT | ssl.SSLContext | None:
    protocol = settings.kafka_security_protocol
    context = None
    if protocol in {"SSL", "SASL_SSL"}:
        context = ssl.create_default_context(cafile=settings.kafka_ssl_cafile or None)
    if protocol.startswith("SASL"):
        return faust.SASLCredentials(
            username=settings.kafka_sasl_username,
            password=settings.kafka_sasl_password,
            mechanism=settings.kafka_sasl_mechanism or "PLAIN",
            ssl_context=context,
        )
    return context


# Messages (table changelog writes included) an agent may queue before Faust pauses the stream
# to flush them. Faust's 100 paused every few articles, with a warning each time; 2,000 of our
# ~10 KB records bound the buffer at ~20 MB.
PRODUCER_BUFFER_MESSAGES = 2000


def create_app(settings: Settings) -> faust.App:
    # Each worker on a host needs its own table store directory (RocksDB takes a lock on it).
    datadir = (settings.workers_home / f"{settings.app_id}-{settings.worker_name}").resolve()
    datadir.mkdir(parents=True, exist_ok=True)
    ProducerBuffer.max_messages = PRODUCER_BUFFER_MESSAGES
    return faust.App(
        settings.app_id,
        broker=[f"kafka://{hp}" for hp in settings.kafka_bootstrap.split(",")],
        broker_credentials=_credentials(settings),
        store=settings.store,
        datadir=str(datadir),
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=settings.topic_replication,
        # A new deployment reads the raw topic from the start: nothing published before the
        # first worker started is skipped.
        consumer_auto_offset_reset="earliest",
        # Offsets are committed only after the agents finished with the events (take() acks
        # after the bulk write returned); Faust flushes the producer before each commit.
        broker_commit_every=1000,
        broker_commit_interval=1.0,
        producer_acks=-1,
        # Batch what the agents and tables send within 10 ms into one produce request: a table
        # write is one message, and unbatched they cost the broker a request each.
        producer_linger=0.01,
        # A crashed worker's partitions move to the others after this long (Faust's default of
        # 60 s stalls a restart for a minute); the heartbeat runs on the event loop, and no
        # single event blocks it for more than milliseconds.
        broker_session_timeout=15.0,
        broker_heartbeat_interval=3.0,
        producer_max_request_size=4 * 1024 * 1024,
        consumer_max_fetch_size=4 * 1024 * 1024,
        stream_buffer_maxsize=4096,
        web_enabled=settings.web_port > 0,
        web_port=settings.web_port or 6066,
        web_host=settings.web_host,
        loghandlers=[],
    )
