"""The login probe's two requests, byte by byte as the Kafka protocol lays them out."""

from __future__ import annotations

import struct

from streams import kafka_login


def test_plain_token_is_empty_authzid_user_password_separated_by_nul():
    assert kafka_login.plain_token("newsflow", "pä55") == b"\0newsflow\0p\xc3\xa455"


def test_a_request_is_size_then_header_v1_then_body():
    body = kafka_login._string("PLAIN")
    frame = kafka_login._request(kafka_login.SASL_HANDSHAKE, 1, 7, body)
    (size,) = struct.unpack(">i", frame[:4])
    assert size == len(frame) - 4
    api_key, version, correlation, id_len = struct.unpack(">hhih", frame[4:14])
    assert (api_key, version, correlation) == (17, 1, 7)
    assert frame[14 : 14 + id_len] == kafka_login.CLIENT_ID.encode()
    assert frame[14 + id_len :] == b"\x00\x05PLAIN"


def test_nothing_listening_is_unknown_not_refused():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    login = kafka_login.probe("127.0.0.1", port, "newsflow", "x", None, timeout_s=1.0)
    assert login.verdict is kafka_login.Verdict.UNKNOWN and "cannot connect" in login.detail
