"""Configure, format and launch a single KRaft broker+controller on 127.0.0.1."""

from __future__ import annotations

import base64
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

from newsflow_tools.stack.java import Jdk
from newsflow_tools.stack.secure import write_private

MAIN_CLASS = "kafka.Kafka"
STORAGE_TOOL = "kafka.tools.StorageTool"

LOG4J2 = """\
status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = {log}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.kafka.name = kafka
logger.kafka.level = WARN
logger.controller.name = org.apache.kafka
logger.controller.level = WARN
"""


@dataclass(frozen=True)
class Sasl:
    """A SASL_SSL client listener: PEM key store (key + chain) and trust store (the CA), and the
    PLAIN users (the broker's own, for the inter-broker connection, and the pipeline's)."""

    keystore: Path
    truststore: Path
    broker_password: str
    users: dict[str, str]


def _jaas(user: str, password: str, users: dict[str, str]) -> str:
    accounts = " ".join(f'user_{name}="{secret}"' for name, secret in users.items())
    return (
        "org.apache.kafka.common.security.plain.PlainLoginModule required "
        f'username="{user}" password="{password}" {accounts};'
    )


def server_properties(
    *, host: str, port: int, controller_port: int, data: Path, sasl: Sasl | None = None
) -> str:
    # One node is broker and controller; internal topics get replication factor 1 and few
    # partitions so consumer groups (Faust workers, tests) coordinate in well under a second.
    return f"""\
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@{host}:{controller_port}
{_listeners(host, port, controller_port, sasl)}
log.dirs={data}
num.partitions=1
default.replication.factor=1
auto.create.topics.enable=true
delete.topic.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
message.max.bytes=10485760
log.retention.hours=168
log.segment.bytes=104857600
num.network.threads=2
num.io.threads=4
"""


def cluster_id() -> str:
    # Kafka's Uuid text form: URL-safe base64 of 16 bytes, no padding. Like Kafka's own
    # generator, never start with "-": the storage tool's parser would read it as an option.
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not text.startswith("-"):
            return text


def classpath(libs: Path) -> str:
    return str(libs / "*")


def prepare(
    *,
    root: Path,
    libs: Path,
    jdk: Jdk,
    host: str,
    port: int,
    controller_port: int,
    sasl: Sasl | None = None,
) -> Path:
    """Write config (every start, so port changes apply) and format storage once."""
    config_dir = root / "config"
    data = root / "data"
    logs = root / "logs"
    for d in (config_dir, data, logs):
        d.mkdir(parents=True, exist_ok=True)
    props = config_dir / "server.properties"
    text = server_properties(host=host, port=port, controller_port=controller_port, data=data, sasl=sasl)
    # Holds the SASL passwords when secured: owner-only, like every secret of the stack.
    write_private(props, text)
    (config_dir / "log4j2.properties").write_text(LOG4J2.format(log=logs / "server.log"))
    if not (data / "meta.properties").is_file():
        # StorageTool calls System.exit, so it runs as its own JVM.
        proc = subprocess.run(
            [
                str(jdk.java),
                "-cp",
                classpath(libs),
                STORAGE_TOOL,
                "format",
                f"--cluster-id={cluster_id()}",
                f"--config={props}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"formatting Kafka storage in {data} failed:\n{proc.stdout}{proc.stderr}")
    return props


def command(*, root: Path, libs: Path, jdk: Jdk, heap: str = "512m") -> list[str]:
    config_dir = root / "config"
    return [
        str(jdk.java),
        f"-Xms{heap}",
        f"-Xmx{heap}",
        "-XX:+UseG1GC",
        "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={config_dir / 'log4j2.properties'}",
        f"-Dkafka.logs.dir={root / 'logs'}",
        "-cp",
        classpath(libs),
        MAIN_CLASS,
        str(config_dir / "server.properties"),
    ]


def _listeners(host: str, port: int, controller_port: int, sasl: Sasl | None) -> str:
    # The controller listener stays PLAINTEXT on the loopback address: it serves only KRaft's
    # controller protocol of this one node. Clients and the broker itself use the main listener.
    if sasl is None:
        return f"""\
listeners=PLAINTEXT://{host}:{port},CONTROLLER://{host}:{controller_port}
advertised.listeners=PLAINTEXT://{host}:{port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"""
    jaas = _jaas("broker", sasl.broker_password, {"broker": sasl.broker_password, **sasl.users})
    return f"""\
listeners=SASL_SSL://{host}:{port},CONTROLLER://{host}:{controller_port}
advertised.listeners=SASL_SSL://{host}:{port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=SASL_SSL
listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT
sasl.enabled.mechanisms=PLAIN
sasl.mechanism.inter.broker.protocol=PLAIN
listener.name.sasl_ssl.plain.sasl.jaas.config={jaas}
ssl.keystore.type=PEM
ssl.keystore.location={sasl.keystore}
ssl.truststore.type=PEM
ssl.truststore.location={sasl.truststore}
ssl.client.auth=none"""
