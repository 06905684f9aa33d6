"""Faults with `after: true` (the request is applied, then its answer is dropped, delayed or replaced), and injected
answers of any shape: raw bodies with any Content-Type / Content-Encoding, JSON of any type, redirects."""

import base64
import gzip
import time

import pytest
import requests

PUT_BODY = {"location": "eastus", "sku": {"name": "S1", "capacity": 1}}


def fault(emu, **spec):
    resp = emu.control("POST", "faults", json=spec)
    assert resp.status_code == 201, resp.text
    return resp.json()


def last_entry(emu, method, wait=0.0, faulted=False):
    """The newest journal entry for `method` (polling up to `wait` s: a delayed answer is journaled once sent)."""
    deadline = time.monotonic() + wait
    while True:
        entries = [e for e in emu.journal() if e["method"] == method and (e.get("fault") or not faulted)]
        if entries or time.monotonic() >= deadline:
            return entries[-1] if entries else None
        time.sleep(0.1)


def test_drop_after_put_applies_the_write(emu):
    fault(emu, method="PUT", path="/accounts/a1$", drop=True, after=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        emu.put_account("a1")
    assert emu.arm("GET", emu.account_path("a1")).status_code == 200, "the PUT was applied before the drop"
    entry = last_entry(emu, "PUT")
    assert entry["status"] == 0 and entry["fault"] is True and entry["dispatched_status"] == 201


def test_drop_before_put_applies_nothing(emu):
    fault(emu, method="PUT", path="/accounts/a2$", drop=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        emu.put_account("a2")
    assert emu.arm("GET", emu.account_path("a2")).status_code == 404
    assert "dispatched_status" not in last_entry(emu, "PUT")


def test_answer_delayed_after_the_write(emu):
    """The client gives up (timeout 0.5 s) while the applied PUT's answer waits 1.5 s: a retry then meets 412."""
    fault(emu, method="PUT", path="/accounts/a3$", delay=1.5, after=True)
    started = time.monotonic()
    with pytest.raises(requests.exceptions.Timeout):
        emu.put_account("a3", timeout=0.5)
    assert time.monotonic() - started < 1.4
    assert emu.arm("GET", emu.account_path("a3")).status_code == 200, "applied while the answer was still delayed"
    retry = emu.put_account("a3", headers={"If-None-Match": "*"})
    assert retry.status_code == 412
    entry = last_entry(emu, "PUT", wait=3, faulted=True)
    assert entry["status"] == 201 and entry["dispatched_status"] == 201 and entry["fault"] is True


def test_delay_before_the_write_applies_it_late(emu):
    fault(emu, method="PUT", path="/accounts/a4$", delay=1.0)
    with pytest.raises(requests.exceptions.Timeout):
        emu.put_account("a4", timeout=0.3)
    assert emu.arm("GET", emu.account_path("a4")).status_code == 404, "not applied yet: the delay comes first"
    time.sleep(1.2)
    assert emu.arm("GET", emu.account_path("a4")).status_code == 200


def test_status_after_delete_replaces_the_answer(emu):
    emu.put_account("a5")
    fault(emu, method="DELETE", path="/accounts/a5$", status=500,
          body={"error": {"code": "InternalServerError", "message": "lost"}}, after=True)
    resp = emu.arm("DELETE", emu.account_path("a5"))
    assert resp.status_code == 500 and resp.json()["error"]["message"] == "lost"
    assert emu.arm("GET", emu.account_path("a5")).status_code == 404, "the delete happened"
    entry = last_entry(emu, "DELETE")
    assert entry["status"] == 500 and entry["dispatched_status"] == 200
    assert emu.arm("DELETE", emu.account_path("a5")).status_code == 204


def test_drop_after_delete(emu):
    emu.put_account("a6")
    fault(emu, method="DELETE", path="/accounts/a6$", drop=True, after=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        emu.arm("DELETE", emu.account_path("a6"))
    assert emu.arm("GET", emu.account_path("a6")).status_code == 404


def test_html_body_with_its_content_type(emu):
    fault(emu, method="GET", path="/accounts/h1$", status=200, body="<html><body>Sign in</body></html>",
          headers={"Content-Type": "text/html"})
    resp = emu.arm("GET", emu.account_path("h1"))
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "text/html"
    assert resp.text == "<html><body>Sign in</body></html>"


@pytest.mark.parametrize("body, raw", [
    ("just text", b'"just text"'),
    (42, b"42"),
    (1.5, b"1.5"),
    (True, b"true"),
    (None, b"null"),
    ([1, "two"], b'[1, "two"]'),
    ({"value": "not a list"}, b'{"value": "not a list"}'),
])
def test_json_body_of_any_type(emu, body, raw):
    fault(emu, method="GET", path="/accounts/j1$", status=200, body=body, body_json=True)
    resp = emu.arm("GET", emu.account_path("j1"))
    assert resp.headers["Content-Type"].startswith("application/json")
    assert resp.content == raw and resp.json() == body


def test_numbers_are_json_even_without_body_json(emu):
    fault(emu, method="GET", path="/accounts/j2$", status=200, body=7)
    resp = emu.arm("GET", emu.account_path("j2"))
    assert resp.content == b"7" and resp.headers["Content-Type"].startswith("application/json")


def test_content_type_header_wins_over_the_json_default(emu):
    fault(emu, method="GET", path="/accounts/j3$", status=200, body={"a": 1}, headers={"content-type": "text/plain"})
    resp = emu.arm("GET", emu.account_path("j3"))
    assert resp.headers["Content-Type"] == "text/plain" and resp.content == b'{"a": 1}'


def test_gzip_encoding_with_a_body_that_is_not_gzip(emu):
    fault(emu, method="GET", path="/accounts/g1$", status=200, body='{"name": "g1"}',
          headers={"Content-Type": "application/json", "Content-Encoding": "gzip"}, count=2)
    with pytest.raises(requests.exceptions.ContentDecodingError):
        emu.arm("GET", emu.account_path("g1"))
    raw = emu.arm("GET", emu.account_path("g1"), stream=True)
    assert raw.headers["Content-Encoding"] == "gzip"
    assert raw.raw.read(decode_content=False) == b'{"name": "g1"}', "sent as given, not compressed"


def test_raw_bytes_body_base64(emu):
    data = gzip.compress(b'{"name": "z1"}')[:-4] + b"\xff\xfe"  # a truncated gzip stream plus junk
    fault(emu, method="GET", path="/accounts/z1$", status=200, body_base64=base64.b64encode(data).decode(),
          headers={"Content-Encoding": "gzip"})
    resp = emu.arm("GET", emu.account_path("z1"), stream=True)
    assert resp.headers["Content-Type"] == "application/octet-stream"
    assert resp.raw.read(decode_content=False) == data


def test_redirect_with_location_and_no_body(emu):
    emu.put_account("r1")
    target = emu.base + emu.account_path("r1") + "?api-version=2017-09-01-preview"
    fault(emu, method="PUT", path="/accounts/r2$", status=307, headers={"Location": target})
    resp = emu.put_account("r2", allow_redirects=False)
    assert resp.status_code == 307 and resp.headers["Location"] == target
    assert resp.content == b"" and "Content-Type" not in resp.headers
    assert emu.arm("GET", emu.account_path("r2")).status_code == 404


def test_202_without_headers_after_the_delete(emu):
    emu.put_account("d1")
    fault(emu, method="DELETE", path="/accounts/d1$", status=202, after=True)
    resp = emu.arm("DELETE", emu.account_path("d1"))
    assert resp.status_code == 202 and resp.content == b""
    assert "Location" not in resp.headers and "Azure-AsyncOperation" not in resp.headers
    assert emu.arm("GET", emu.account_path("d1")).status_code == 404


@pytest.mark.parametrize("spec, message", [
    ({"status": 500, "after": "yes"}, "'after'"),
    ({"status": 500, "body_json": 1}, "'body_json'"),
    ({"status": 200, "body_base64": "***"}, "'body_base64'"),
    ({"status": 200, "body_base64": "AAAA", "body": "x"}, "either"),
    ({"after": True}, "at least one"),
])
def test_fault_validation(emu, spec, message):
    resp = emu.control("POST", "faults", json=spec)
    assert resp.status_code == 400 and message in resp.json()["error"]["message"]


def test_fault_listing_shows_the_new_fields(emu):
    created = fault(emu, method="PUT", status=503, after=True, body="x", body_json=True)
    assert created["after"] is True and created["body_json"] is True and created["body_base64"] is None
    assert emu.control("GET", "faults").json()["faults"] == [created]
