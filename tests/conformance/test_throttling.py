"""Resource Manager's subscription throttling, behind the `throttling` config switch: token buckets per subscription,
principal and operation kind, 429 SubscriptionRequestsThrottled with Retry-After, and remaining-request headers.
test_throttling_rules.py has the rules around them (tenant buckets, early retries, whole-second refill).

The tests use small buckets and the emulator's throttling clock, frozen and advanced through the control API, so
nothing here sleeps for the refill (but one test of the real clock).
"""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from emu_support import EXTRA_SUB, NS, RG_API, Client
from throttle_support import HEADER, advance, assert_throttled, get, msi_token, throttle

TAGS_API = "2021-04-01"
READS = HEADER % ("subscription", "reads")
WRITES = HEADER % ("subscription", "writes")
DELETES = HEADER % ("subscription", "deletes")


def test_off_by_default_with_azures_buckets(emu):
    cfg = emu.control("GET", "config").json()
    assert cfg["throttling"] is False
    assert cfg["throttling_reads"] == {"size": 250, "rate": 25}
    assert cfg["throttling_writes"] == {"size": 200, "rate": 10}
    assert cfg["throttling_deletes"] == {"size": 200, "rate": 10}
    assert cfg["throttling_global_factor"] == 15
    emu.control("PATCH", "config", json={"throttling_reads": {"size": 1, "rate": 0.001}})
    for _attempt in range(5):
        resp = get(emu)
        assert resp.status_code == 404, "throttling is off: tiny buckets change nothing"
        assert resp.headers[READS] == "1", "the headers of a full bucket (test_throttling_rules.py)"


def test_read_bucket_empties_then_refills_at_its_rate(emu):
    throttle(emu, reads=(3, 1))
    remaining = [get(emu).headers[READS] for _attempt in range(3)]
    assert remaining == ["2", "1", "0"], "the header reflects the bucket after this request's token"
    assert_throttled(get(emu), "read", emu)
    advance(emu, 0.5)
    refused = get(emu)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1", "half a token: wait, at least 1 s"
    assert refused.headers[READS] == "0"
    advance(emu, 0.5)
    resp = get(emu)
    assert resp.status_code == 404 and resp.headers[READS] == "0", "one token refilled after 1 s at 1/s"
    assert get(emu).status_code == 429
    advance(emu, 60)
    assert [get(emu).status_code for _attempt in range(4)] == [404, 404, 404, 429], "the bucket holds at most its size"


def test_kinds_have_separate_buckets_and_headers(emu):
    throttle(emu, reads=(2, 1), writes=(2, 1), deletes=(2, 1))
    created = emu.put_account("k1")
    assert created.status_code == 201 and created.headers[WRITES] == "1"
    assert READS not in created.headers and DELETES not in created.headers, "Azure returns the header of the request's kind"
    tags = emu.arm("PATCH", emu.account_path("k1") + "/providers/Microsoft.Resources/tags/default", api=TAGS_API,
                   json={"operation": "Merge", "properties": {"tags": {"a": "b"}}})
    assert tags.status_code == 200 and tags.headers[WRITES] == "0", "a Tags API write is a write"
    assert_throttled(emu.arm("PATCH", emu.account_path("k1"), json={}), "write", emu)
    assert_throttled(emu.arm("POST", "/subscriptions/%s/providers/%s/register" % (emu.sub, NS), api=RG_API),
                     "write", emu)
    head = emu.arm("HEAD", emu.account_path("k1"))
    assert head.status_code == 204 and head.headers[READS] == "1", "HEAD is a read"
    assert get(emu, "k1").headers[READS] == "0"
    assert_throttled(get(emu, "k1"), "read", emu)
    deleted = emu.arm("DELETE", emu.account_path("k1"))
    assert deleted.status_code == 200 and deleted.headers[DELETES] == "1"
    assert READS not in deleted.headers and WRITES not in deleted.headers
    assert emu.arm("DELETE", emu.account_path("k1")).status_code == 204
    assert_throttled(emu.arm("DELETE", emu.account_path("k1")), "delete", emu)


def test_global_headers_reflect_the_subscription_bucket(emu):
    throttle(emu, reads=(4, 1), global_factor=15)
    resp = get(emu)
    assert resp.headers[READS] == "3"
    assert resp.headers["x-ms-ratelimit-remaining-subscription-global-reads"] == "59"


def test_buckets_are_per_subscription(emu):
    throttle(emu, reads=(1, 1))
    assert get(emu).status_code == 404
    assert get(emu).status_code == 429
    other = emu.arm("GET", emu.account_path("x", sub=EXTRA_SUB))
    assert other.status_code == 404 and other.headers[READS] == "0", "another subscription has its own bucket"
    upper = emu.arm("GET", emu.account_path("x", sub=emu.sub.upper()))
    assert upper.status_code == 429, "the subscription id compares ignoring case"


@pytest.mark.parametrize("factor, managed_identity_status", [(2, 404), (1, 429)])
def test_buckets_are_per_principal_within_a_global_limit(emu, factor, managed_identity_status):
    throttle(emu, reads=(2, 1), global_factor=factor)
    token, msi_client = msi_token(emu)
    assert [get(emu).status_code for _attempt in range(3)] == [404, 404, 429]
    resp = get(emu, token=token)
    assert resp.status_code == managed_identity_status, "its own bucket is full; the subscription's global one decides"
    if managed_identity_status == 429:
        assert resp.json()["error"]["code"] == "SubscriptionRequestsThrottled"
        assert resp.headers["x-ms-ratelimit-remaining-subscription-global-reads"] == "0"
        assert resp.headers[READS] == "2"
    else:
        assert resp.headers[READS] == "1" and resp.headers["x-ms-ratelimit-remaining-subscription-global-reads"] == "1"
        assert_throttled(get(emu), "read", emu)
    state = emu.control("GET", "throttling").json()
    principals = {(b["principal"], b["kind"]) for b in state["buckets"]}
    assert (emu.env["AZURE_CLIENT_ID"], "reads") in principals and (msi_client, "reads") in principals


def test_refused_request_is_not_applied_and_is_journaled(emu):
    throttle(emu, writes=(1, 1))
    emu.control("DELETE", "requests")
    assert emu.put_account("a1").status_code == 201
    assert emu.put_account("a2").status_code == 429
    assert get(emu, "a2").status_code == 404, "a throttled PUT creates nothing"
    entries = [e for e in emu.journal() if e["method"] == "PUT"]
    assert [e["status"] for e in entries] == [201, 429]
    assert "fault" not in entries[1], "throttling is Resource Manager's answer, not an injected fault"
    state = emu.control("GET", "throttling").json()
    assert state["admitted"]["writes"] == 1 and state["throttled"]["writes"] == 1


def test_identity_metadata_control_and_unauthenticated_requests_are_not_throttled(emu):
    throttle(emu, reads=(1, 1), writes=(1, 1))
    assert get(emu).status_code == 404
    assert get(emu).status_code == 429
    for _attempt in range(3):
        token = emu.http.post("%s/%s/oauth2/v2.0/token" % (emu.base, emu.env["AZURE_TENANT"]), data={
            "grant_type": "client_credentials", "client_id": emu.env["AZURE_CLIENT_ID"],
            "client_secret": emu.env["AZURE_SECRET"], "scope": emu.base + "/.default"})
        assert token.status_code == 200
        assert not [h for h in token.headers if h.lower().startswith("x-ms-ratelimit")], "identity is not Resource Manager"
        assert emu.http.get(emu.base + "/metadata/endpoints?api-version=2015-01-01").status_code == 200
        assert emu.control("GET", "health").status_code == 200
        assert emu.arm("GET", emu.account_path("x"), token=False).status_code == 401, "no principal, nothing counted"
    throttle(emu, reads=(1, 1))
    emu.arm("GET", emu.account_path("x"), token=False)
    assert get(emu).status_code == 404, "a 401 took no token"


def test_concurrent_requests_never_overdraw_a_bucket(emu):
    throttle(emu, reads=(25, 1))
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda _i: get(emu).status_code, range(60)))
    assert statuses.count(404) == 25 and statuses.count(429) == 35


def test_real_clock_refills(emu):
    throttle(emu, freeze=False, reads=(1, 2))
    assert get(emu).status_code == 404
    refused = get(emu)
    assert_throttled(refused, "read", emu)
    time.sleep(float(refused.headers["Retry-After"]))
    assert get(emu).status_code == 404, "a token is back after Retry-After"


def test_config_validation_change_refills_and_reset(emu):
    for bad in ({"throttling": "yes"}, {"throttling_reads": {"size": 0, "rate": 1}}, {"throttling_reads": {"size": 1}},
                {"throttling_writes": {"size": 1, "rate": 0}}, {"throttling_deletes": {"size": 1.5, "rate": 1}},
                {"throttling_writes": {"size": 1, "rate": 1, "extra": 1}}, {"throttling_reads": [1, 1]},
                {"throttling_global_factor": -1}, {"throttling_global_factor": True}):
        assert emu.control("PATCH", "config", json=bad).status_code == 400, bad
    throttle(emu, reads=(1, 0.001))
    assert get(emu).status_code == 404 and get(emu).status_code == 429
    throttle(emu, reads=(2, 0.001))
    assert get(emu).status_code == 404, "changing a throttling key refills every bucket"
    assert emu.control("POST", "reset").status_code == 200
    emu.login()
    cfg = emu.control("GET", "config").json()
    assert cfg["throttling"] is False and cfg["throttling_reads"] == {"size": 250, "rate": 25}
    state = emu.control("GET", "throttling").json()
    assert state["clock"]["frozen"] is False and state["buckets"] == []
    assert state["admitted"] == {"reads": 0, "writes": 0, "deletes": 0}


@pytest.mark.parametrize("body", [{"advance": -1}, {"advance": "1"}, {"freeze": "yes"}, {"other": 1}, [1], {}])
def test_clock_control_validation(emu, body):
    resp = emu.control("POST", "throttling/clock", json=body)
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "BadRequest"


def test_command_line_flags(start_emulator, tmp_path):
    proc = start_emulator("--throttling", "--throttling-reads", "2:0.5", "--throttling-writes", "3:1",
                          "--throttling-deletes", "4:2", "--throttling-global-factor", "0", data_dir=tmp_path / "flags")
    client = Client(proc)
    client.login()
    cfg = client.control("GET", "config").json()
    assert cfg["throttling"] is True
    assert (cfg["throttling_reads"], cfg["throttling_writes"], cfg["throttling_deletes"]) == (
        {"size": 2, "rate": 0.5}, {"size": 3, "rate": 1}, {"size": 4, "rate": 2})
    assert cfg["throttling_global_factor"] == 0
    client.control("POST", "throttling/clock", json={"freeze": True})
    statuses = [client.arm("GET", client.account_path("x")) for _attempt in range(3)]
    assert [r.status_code for r in statuses] == [404, 404, 429]
    assert statuses[2].headers["Retry-After"] == "2"
    assert "x-ms-ratelimit-remaining-subscription-global-reads" not in statuses[0].headers, "factor 0: no global bucket"
    client.control("POST", "reset")
    assert client.control("GET", "config").json()["throttling"] is True, "reset restores the start options"


@pytest.mark.parametrize("flag, value", [("--throttling-reads", "2"), ("--throttling-writes", "0:1"),
                                         ("--throttling-deletes", "1:x"), ("--throttling-global-factor", "-2")])
def test_bad_command_line_flag_is_refused(start_emulator, tmp_path, flag, value):
    with pytest.raises(RuntimeError):
        start_emulator(flag, value, data_dir=tmp_path / "bad")
