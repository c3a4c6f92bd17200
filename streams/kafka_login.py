"""Ask a Kafka broker, in two requests, whether it takes our SASL/PLAIN login.

kafka-python does not always report a refused login: after a wrong password the broker waits
`connection.failed.authentication.delay.ms` and closes the connection, and the client often sees
the close before it reads the error, so it retries until its bootstrap times out and raises a
bare timeout. When that happens the CLI asks here, on a blocking socket that reads every byte the
broker sent before it hung up: SaslHandshake v1, then SaslAuthenticate v0 with the PLAIN token.

Only PLAIN is probed (the mechanism `newsflow stack up --secure` sets up); other mechanisms
answer UNKNOWN and the caller falls back to what it knew before.
"""

from __future__ import annotations

import enum
import socket
import ssl
import struct
from dataclasses import dataclass

SASL_HANDSHAKE = 17  # Kafka API keys
SASL_AUTHENTICATE = 36
CLIENT_ID = "newsflow-login-probe"


class Verdict(enum.Enum):
    ACCEPTED = "accepted"
    REFUSED = "refused"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Login:
    verdict: Verdict
    detail: str


class _Closed(Exception):
    """The broker closed the connection before a whole response arrived."""


def _string(value: str) -> bytes:
    raw = value.encode()
    return struct.pack(">h", len(raw)) + raw


def _request(api_key: int, version: int, correlation: int, body: bytes) -> bytes:
    header = struct.pack(">hhi", api_key, version, correlation) + _string(CLIENT_ID)
    return struct.pack(">i", len(header) + len(body)) + header + body


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = sock.recv(size - len(chunks))
        if not chunk:
            raise _Closed
        chunks += chunk
    return bytes(chunks)


def _response(sock: socket.socket, correlation: int) -> bytes:
    (size,) = struct.unpack(">i", _read_exactly(sock, 4))
    payload = _read_exactly(sock, size)
    (got,) = struct.unpack(">i", payload[:4])
    if got != correlation:
        raise ValueError(f"response {got} to request {correlation}")
    return payload[4:]


def plain_token(username: str, password: str) -> bytes:
    """RFC 4616: authorization id (empty), user, password, separated by NUL."""
    return b"\0" + username.encode() + b"\0" + password.encode()


def _exchange(sock: socket.socket, username: str, password: str) -> Login:
    sock.sendall(_request(SASL_HANDSHAKE, 1, 1, _string("PLAIN")))
    body = _response(sock, 1)
    (error,) = struct.unpack(">h", body[:2])
    if error != 0:
        return Login(Verdict.UNKNOWN, f"the broker does not offer SASL/PLAIN (error {error})")
    token = plain_token(username, password)
    sock.sendall(_request(SASL_AUTHENTICATE, 0, 2, struct.pack(">i", len(token)) + token))
    try:
        body = _response(sock, 2)
    except _Closed:
        # Kafka closes a connection whose login it refused; the request before was answered.
        return Login(Verdict.REFUSED, "the broker closed the connection after the login")
    (error, length) = struct.unpack(">hh", body[:4])
    message = body[4 : 4 + length].decode(errors="replace") if length > 0 else ""
    if error == 0:
        return Login(Verdict.ACCEPTED, "")
    return Login(Verdict.REFUSED, message or f"error {error}")


def probe(
    host: str,
    port: int,
    username: str,
    password: str,
    context: ssl.SSLContext | None,
    timeout_s: float = 5.0,
) -> Login:
    """Whether the broker at host:port accepts this PLAIN login (over TLS when context is given)."""
    try:
        raw = socket.create_connection((host, port), timeout=timeout_s)
    except OSError as exc:
        return Login(Verdict.UNKNOWN, f"cannot connect: {exc}")
    try:
        sock = context.wrap_socket(raw, server_hostname=host) if context is not None else raw
        with sock:
            return _exchange(sock, username, password)
    except _Closed:
        return Login(Verdict.UNKNOWN, "the broker closed the connection before the login")
    except (OSError, ValueError, struct.error) as exc:
        return Login(Verdict.UNKNOWN, f"{type(exc).__name__}: {exc}")
    finally:
        raw.close()
