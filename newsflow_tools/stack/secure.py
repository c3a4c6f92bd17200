"""Security for the local stack: a private CA and a server certificate, generated passwords, and
the env file that points newsflow's clients at the secured servers (`newsflow stack up --secure`).

Everything lives under $NEWSFLOW_HOME/secure (mode 0700, secrets 0600) and is made once; later
starts reuse it, so clients keep working across restarts. `stack down --purge` deletes it with
the data it protects.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from streams.settings import Settings

ES_USER = "newsflow"  # file-realm user of the local node (superuser: it creates the API key)
KAFKA_USER = "newsflow"  # SASL/PLAIN user the pipeline's clients log in as
BROKER_USER = "broker"  # SASL/PLAIN user the broker uses to talk to itself
SASL_MECHANISM = "PLAIN"
API_KEY_NAME = "newsflow-pipeline"


@dataclass(frozen=True)
class Secrets:
    es_password: str
    kafka_password: str
    broker_password: str
    es_api_key: str = ""  # base64 "id:key", made once Elasticsearch answers


def write_private(path: Path, text: str | bytes) -> None:
    """Create or replace a file readable by its owner only (the mode is set before any byte lands)."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(text.encode() if isinstance(text, str) else text)
    os.replace(tmp, path)


class SecureState:
    """The files of a secured local stack under one home."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.dir = home / "secure"

    @property
    def ca_cert(self) -> Path:
        return self.dir / "ca.pem"

    @property
    def ca_key(self) -> Path:
        return self.dir / "ca.key"

    @property
    def server_cert(self) -> Path:
        return self.dir / "server.pem"

    @property
    def server_key(self) -> Path:
        return self.dir / "server.key"

    @property
    def secrets_file(self) -> Path:
        return self.dir / "secrets.json"

    @property
    def env_file(self) -> Path:
        return self.home / "secure.env"

    @property
    def enabled(self) -> bool:
        return self.secrets_file.is_file()

    def create(self, hosts: list[str]) -> Secrets:
        """Make the CA, the server certificate and the passwords, keeping whatever exists."""
        self.dir.mkdir(parents=True, exist_ok=True)
        self.dir.chmod(0o700)
        if not (self.ca_cert.is_file() and self.server_cert.is_file() and self.server_key.is_file()):
            _issue_certificates(self, hosts)
        if not self.secrets_file.is_file():
            made = Secrets(
                es_password=secrets.token_urlsafe(24),
                kafka_password=secrets.token_urlsafe(24),
                broker_password=secrets.token_urlsafe(24),
            )
            write_private(self.secrets_file, json.dumps(dataclasses.asdict(made), indent=2))
        return self.load()

    def load(self) -> Secrets:
        return Secrets(**json.loads(self.secrets_file.read_text()))

    def save_api_key(self, api_key: str) -> Secrets:
        updated = dataclasses.replace(self.load(), es_api_key=api_key)
        write_private(self.secrets_file, json.dumps(dataclasses.asdict(updated), indent=2))
        return updated

    def admin_settings(self, settings: Settings) -> Settings:
        """What the launcher itself uses to probe the servers: TLS with our CA, the node's user
        for Elasticsearch (the API key may not exist yet), SASL for Kafka."""
        found = self.load()
        return dataclasses.replace(
            client_settings(self, settings, found),
            es_api_key="",
            es_username=ES_USER,
            es_password=found.es_password,
        )

    def write_env(self, settings: Settings) -> Path:
        """The variables a client of the secured stack needs, for `set -a; . FILE; set +a`."""
        found = self.load()
        client = client_settings(self, settings, found)
        lines = [
            "# newsflow: clients of the secured local stack (written by `newsflow stack up --secure`).",
            "# Secret: keep it mode 0600. Load it with: set -a; . THIS_FILE; set +a",
            f"NEWSFLOW_KAFKA_BOOTSTRAP={client.kafka_bootstrap}",
            f"NEWSFLOW_KAFKA_SECURITY_PROTOCOL={client.kafka_security_protocol}",
            f"NEWSFLOW_KAFKA_SASL_MECHANISM={client.kafka_sasl_mechanism}",
            f"NEWSFLOW_KAFKA_SASL_USERNAME={client.kafka_sasl_username}",
            f"NEWSFLOW_KAFKA_SASL_PASSWORD={client.kafka_sasl_password}",
            f"NEWSFLOW_KAFKA_SSL_CAFILE={client.kafka_ssl_cafile}",
            f"NEWSFLOW_ES_URL={client.es_url}",
            f"NEWSFLOW_ES_API_KEY={client.es_api_key}",
            f"NEWSFLOW_ES_USERNAME={client.es_username}",
            f"NEWSFLOW_ES_PASSWORD={client.es_password}",
            f"NEWSFLOW_ES_CA_CERTS={client.es_ca_certs}",
        ]
        write_private(self.env_file, "\n".join(lines) + "\n")
        return self.env_file


def https_url(url: str) -> str:
    return "https://" + url.split("://", 1)[-1]


def client_settings(state: SecureState, settings: Settings, found: Secrets) -> Settings:
    """settings pointed at the secured servers: https and the API key, SASL_SSL and its user."""
    ca = str(state.ca_cert.resolve())
    # The API key when the node could make one, else the node's user (see Stack._ensure_api_key).
    return dataclasses.replace(
        settings,
        es_url=https_url(settings.es_url),
        es_api_key=found.es_api_key,
        es_username="" if found.es_api_key else ES_USER,
        es_password="" if found.es_api_key else found.es_password,
        es_ca_certs=ca,
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism=SASL_MECHANISM,
        kafka_sasl_username=KAFKA_USER,
        kafka_sasl_password=found.kafka_password,
        kafka_ssl_cafile=ca,
    )


def _issue_certificates(state: SecureState, hosts: list[str]) -> None:
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    except ImportError:
        raise RuntimeError(
            "`newsflow stack up --secure` makes its certificates with the 'cryptography' package, "
            "which is not installed; run `make install` (it installs the dev extra) or "
            "`pip install -e '.[dev]'`"
        ) from None

    now = dt.datetime.now(dt.UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "newsflow local CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    names: list[x509.GeneralName] = [x509.DNSName("localhost")]
    for host in dict.fromkeys([*hosts, "127.0.0.1"]):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "newsflow local stack")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=825))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pkcs8 = serialization.PrivateFormat.PKCS8  # what Kafka's PEM key store reads
    plain = serialization.NoEncryption()
    write_private(state.ca_key, ca_key.private_bytes(serialization.Encoding.PEM, pkcs8, plain))
    write_private(state.server_key, key.private_bytes(serialization.Encoding.PEM, pkcs8, plain))
    state.ca_cert.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    state.server_cert.write_bytes(
        cert.public_bytes(serialization.Encoding.PEM) + ca_cert.public_bytes(serialization.Encoding.PEM)
    )
