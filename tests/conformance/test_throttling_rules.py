"""Resource Manager's throttling rules as "Understand how Azure Resource Manager throttles requests" (learn.microsoft.com,
2025) states them, beyond the subscription buckets of test_throttling.py: tenant-level buckets, an early retry,
whole-second refill, Retry-After as the time until a token, and the headers while throttling is off.

Every test runs on the emulator's frozen throttling clock (nothing sleeps).
"""

from emu_support import Client
from throttle_support import (HEADER, advance, assert_throttled, get, list_subscriptions, msi_token, ratelimit_headers,
                              throttle)

TENANT_READS = HEADER % ("tenant", "reads")
TENANT_WRITES = HEADER % ("tenant", "writes")
READS = HEADER % ("subscription", "reads")
WRITES = HEADER % ("subscription", "writes")
DELETES = HEADER % ("subscription", "deletes")


def test_tenant_level_requests_spend_the_tenant_bucket(emu):
    """"Requests are throttled if global, service principal, or tenant specific limits are exceeded"; tenant requests
    are those without a subscription id (the subscription list, the operations list); tenant buckets are per principal
    with the subscription buckets' sizes, and answer x-ms-ratelimit-remaining-tenant-<kind>."""
    throttle(emu, reads=(2, 1), writes=(2, 1))
    first = list_subscriptions(emu)
    assert first.status_code == 200 and ratelimit_headers(first) == {TENANT_READS: "1"}
    operations = emu.arm("GET", "/providers/Microsoft.MachineLearningModelManagement/operations")
    assert operations.status_code == 200 and operations.headers[TENANT_READS] == "0"
    refused = list_subscriptions(emu)
    assert_throttled(refused, "read", emu, scope="tenant")
    assert ratelimit_headers(refused) == {TENANT_READS: "0"}
    account = get(emu)
    assert account.status_code == 404 and account.headers[READS] == "1", "the subscription's bucket is another one"
    unknown = emu.arm("PUT", "/providers/Microsoft.Unknown/things/x", json={})
    assert unknown.status_code == 404 and ratelimit_headers(unknown) == {TENANT_WRITES: "1"}, "a tenant-level write"
    token, _client = msi_token(emu)
    assert list_subscriptions(emu, token=token).headers[TENANT_READS] == "1", "another principal, its own bucket"
    advance(emu, 1)
    again = list_subscriptions(emu)
    assert again.status_code == 200 and again.headers[TENANT_READS] == "0"
    state = emu.control("GET", "throttling").json()
    tenant = [b for b in state["buckets"] if b["scope"] == "tenant" and b["kind"] == "reads"]
    assert {b["tenant"] for b in tenant} == {emu.env["AZURE_TENANT"]} and len(tenant) == 2


def test_an_early_retry_is_refused_although_the_bucket_has_tokens_again(emu):
    """"If you send a request before the retry value elapses, your request isn't processed and a new retry value is
    returned." The rule keys on the bucket: every client of the principal waits; another principal does not."""
    throttle(emu, writes=(1, 10))
    assert emu.put_account("w1").status_code == 201
    advance(emu, 0.4)
    assert_throttled(emu.put_account("w2"), "write", emu, retry_after="1")  # the next tick is 0.6 s away: wait 1 s
    advance(emu, 0.8)  # the tick brought 10 tokens (the bucket holds 1), but 0.2 s of the Retry-After are left
    early = emu.put_account("w2")
    assert_throttled(early, "write", emu, retry_after="1")
    assert early.headers[WRITES] == "1", "the bucket has its token: only the early retry refuses"
    other_client = Client(emu.p)  # another session and token of the same service principal
    assert other_client.put_account("w3").status_code == 429, "the same principal's bucket: every client waits"
    token, _client = msi_token(emu)
    assert emu.put_account("m1", token=token).status_code == 201, "another principal's bucket is not held up"
    assert get(emu, "w2").status_code == 404, "the refused PUT created nothing"
    advance(emu, 0.2)
    created = emu.put_account("w2")
    assert created.status_code == 201 and created.headers[WRITES] == "0", "an early retry spent no token"
    assert [e["status"] for e in emu.journal() if e["method"] == "PUT" and e["path"].endswith("/w2")] == [429, 429, 201]


def test_tokens_are_added_at_each_whole_second(emu):
    """"If the bucket is below capacity, tokens are added back every second": a bucket of 10 refilled at 4 per second
    gains nothing in the first 0.9 s, 4 at the second, and never more than its size."""
    throttle(emu, reads=(10, 4))
    assert [get(emu).headers[READS] for _attempt in range(6)] == ["9", "8", "7", "6", "5", "4"]
    advance(emu, 0.9)
    assert get(emu).headers[READS] == "3", "no token in the first 0.9 s"
    advance(emu, 0.1)
    assert get(emu).headers[READS] == "6", "4 tokens at the second"
    advance(emu, 2.5)
    assert get(emu).headers[READS] == "9", "8 more at the next two seconds, capped at the size (10), one spent"
    state = emu.control("GET", "throttling").json()
    assert [b["remaining"] for b in state["buckets"] if b["principal"] != "*" and b["kind"] == "reads"] == [9]


def test_retry_after_is_the_time_until_the_bucket_has_a_token(emu):
    """"The response includes a Retry-After value, which specifies the number of seconds your application should wait":
    whole seconds until the refill tick that gives the bucket a whole token, and the time still left on an early
    retry; with Azure's refill rates (10 and 25 a second) it is 1."""
    throttle(emu, writes=(2, 0.25), reads=(25, 25))
    assert [emu.put_account("r%d" % n).status_code for n in range(2)] == [201, 201]
    assert_throttled(emu.put_account("r2"), "write", emu, retry_after="4")  # 4 ticks of 0.25
    advance(emu, 1.5)
    assert_throttled(emu.put_account("r2"), "write", emu, retry_after="3")  # 2.5 s left
    advance(emu, 2.4)
    assert_throttled(emu.put_account("r2"), "write", emu, retry_after="1")  # 0.1 s left
    advance(emu, 0.1)
    assert emu.put_account("r2").status_code == 201
    assert [get(emu).status_code for _attempt in range(25)] == [404] * 25
    assert_throttled(get(emu), "read", emu, retry_after="1")


def test_retry_after_counts_whole_refill_ticks(emu):
    """A bucket of 1 refilled at 0.4 per second, emptied at 0 s, has a token at the third tick (3 s): a request at 0.5 s
    waits 2.5 s, so Retry-After is 3 (a continuous refill would have said 2). The client is told 3 s, so the token that
    arrives at 3 s is not its until those 3 s have passed."""
    throttle(emu, writes=(1, 0.4))
    assert emu.put_account("t0").status_code == 201
    advance(emu, 0.5)
    assert_throttled(emu.put_account("t1"), "write", emu, retry_after="3")
    advance(emu, 2.5)
    assert_throttled(emu.put_account("t1"), "write", emu, retry_after="1")
    advance(emu, 0.5)
    assert emu.put_account("t1").status_code == 201


def test_throttling_off_sends_the_headers_of_full_buckets(emu):
    """Off (the default) nothing is spent or refused: each answer carries the header of its scope and kind (a DELETE
    the deletes one) with the bucket's size, never the retired hourly counters (12,000 reads, 1,200 writes)."""
    expected = {"GET": {READS: "250", HEADER % ("subscription-global", "reads"): "3750"},
                "PUT": {WRITES: "200", HEADER % ("subscription-global", "writes"): "3000"},
                "DELETE": {DELETES: "200", HEADER % ("subscription-global", "deletes"): "3000"}}
    for _attempt in range(3):
        assert ratelimit_headers(emu.put_account("off1")) == expected["PUT"]
        assert ratelimit_headers(get(emu, "off1")) == expected["GET"]
        assert ratelimit_headers(emu.arm("DELETE", emu.account_path("off1"))) == expected["DELETE"]
    assert ratelimit_headers(list_subscriptions(emu)) == {TENANT_READS: "250"}
    token = emu.http.post("%s/%s/oauth2/v2.0/token" % (emu.base, emu.env["AZURE_TENANT"]), data={
        "grant_type": "client_credentials", "client_id": emu.env["AZURE_CLIENT_ID"],
        "client_secret": emu.env["AZURE_SECRET"], "scope": emu.base + "/.default"})
    assert token.status_code == 200 and ratelimit_headers(token) == {}, "identity is not Resource Manager"
    assert ratelimit_headers(get(emu, token=False)) == {}, "a 401 has no principal: no bucket"
    emu.control("PATCH", "config", json={"throttling_reads": {"size": 7, "rate": 1}, "throttling_global_factor": 0})
    assert ratelimit_headers(get(emu)) == {READS: "7"}, "the configured size, and no global bucket with factor 0"
    assert emu.control("GET", "throttling").json()["admitted"] == {"reads": 0, "writes": 0, "deletes": 0}
