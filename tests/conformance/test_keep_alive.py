"""HTTP/1.1 persistent connections, as Resource Manager keeps them: several requests on one TLS connection."""

import http.client
import json
import socket
import ssl
from urllib.parse import urlsplit

from emu_support import API


def connect(emu):
    parts = urlsplit(emu.p.base)
    context = ssl.create_default_context(cafile=emu.p.ca)
    return http.client.HTTPSConnection(parts.hostname, parts.port, context=context, timeout=30)


def exchange(conn, method, path, token=None, body=None, headers=None):
    headers = dict(headers or {})
    if token:
        headers["Authorization"] = "Bearer " + token
    data = json.dumps(body).encode() if body is not None else None
    if data is not None:
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=headers)
    response = conn.getresponse()
    response.read()
    return response


def test_one_connection_serves_successes_errors_and_writes(emu):
    token = emu.get_token()
    conn = connect(emu)
    try:
        path = emu.account_path("keepalive") + "?api-version=" + API
        answers = [
            exchange(conn, "GET", "/_emulator/health"),
            exchange(conn, "GET", path, token),                                   # 404
            exchange(conn, "PUT", path, token, {"location": "eastus", "sku": {"name": "S1", "capacity": 1}}),
            exchange(conn, "GET", path, "not-a-token"),                           # 401
            exchange(conn, "GET", path, token),
        ]
        first_socket = conn.sock
        assert [answer.status for answer in answers] == [200, 404, 201, 401, 200]
        assert not any(answer.will_close for answer in answers)
        assert conn.sock is first_socket and conn.sock is not None
    finally:
        conn.close()
    journaled = [entry["status"] for entry in emu.journal() if "keepalive" in entry["path"]]
    assert journaled == [404, 201, 401, 200]


def test_client_asking_to_close_is_answered_and_closed(emu):
    conn = connect(emu)
    try:
        answer = exchange(conn, "GET", "/_emulator/health", headers={"Connection": "close"})
        assert answer.status == 200 and answer.will_close
    finally:
        conn.close()


def test_a_silent_connection_does_not_hold_up_other_clients(emu):
    """TLS handshakes happen in worker threads: a client that connects and sends nothing blocks only itself.

    With the handshake in cheroot's accept loop, this request waited for the silent socket's 30 s timeout.
    """
    parts = urlsplit(emu.p.base)
    silent = socket.create_connection((parts.hostname, parts.port))
    try:
        conn = connect(emu)
        conn.timeout = 20  # below the emulator's 30 s socket timeout: a stall shows as a timeout error here
        try:
            assert exchange(conn, "GET", "/_emulator/health").status == 200
        finally:
            conn.close()
    finally:
        silent.close()


def test_a_chunked_body_and_a_pipelined_request_on_one_connection(emu):
    """A PUT whose body comes in chunks, and a GET sent before the PUT's answer arrived (pipelining): the server reads
    the chunks to their end and answers both, in order. (The GET asks to close, so the answers end at EOF.)"""
    token = emu.get_token()
    path = emu.account_path("chunked") + "?api-version=" + API
    body = json.dumps({"location": "eastus", "sku": {"name": "S1", "capacity": 1}, "tags": {"via": "chunks"}}).encode()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:10], body[10:])) + b"0\r\n\r\n"
    host = urlsplit(emu.p.base).netloc
    requests_bytes = (
        b"PUT %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n%s" % (path.encode(), host.encode(), token.encode(), chunks)
        + b"GET %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nConnection: close\r\n\r\n"
        % (path.encode(), host.encode(), token.encode()))
    parts = urlsplit(emu.p.base)
    context = ssl.create_default_context(cafile=emu.p.ca)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as raw:
        with context.wrap_socket(raw, server_hostname=parts.hostname) as tls:
            tls.sendall(requests_bytes)
            received = b""
            while True:
                data = tls.recv(65536)
                if not data:
                    break
                received += data
    answers = received.split(b"HTTP/1.1 ")[1:]
    assert [answer[:3] for answer in answers] == [b"201", b"200"], received[:300]
    assert b'"via": "chunks"' in answers[1]
    assert [e["body"]["tags"] for e in emu.journal() if e["method"] == "PUT"] == [{"via": "chunks"}]
