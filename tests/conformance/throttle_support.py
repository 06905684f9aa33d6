"""Helpers for the throttling conformance tests: switch the model on with small buckets, move its clock, read a 429.

The tests use small buckets and the emulator's throttling clock, frozen and advanced through the control API, so
nothing sleeps for a refill.
"""

import os

from emu_support import read_env

TENANT_API = "2022-12-01"  # GET /subscriptions, a tenant-level request
HEADER = "x-ms-ratelimit-remaining-%s-%s"  # scope (subscription, subscription-global, tenant), kind


def throttle(emu, freeze=True, **buckets):
    """Throttling on with the given buckets ({"reads": (size, rate)}, ...); every other kind gets a large bucket."""
    changes = {"throttling": True}
    for kind in ("reads", "writes", "deletes"):
        size, rate = buckets.get(kind, (1000, 1000))
        changes["throttling_" + kind] = {"size": size, "rate": rate}
    if "global_factor" in buckets:
        changes["throttling_global_factor"] = buckets["global_factor"]
    resp = emu.control("PATCH", "config", json=changes)
    assert resp.status_code == 200, resp.text
    if freeze:
        assert emu.control("POST", "throttling/clock", json={"freeze": True}).status_code == 200


def advance(emu, seconds):
    resp = emu.control("POST", "throttling/clock", json={"advance": seconds})
    assert resp.status_code == 200, resp.text


def get(emu, name="nothing-here", **kwargs):
    return emu.arm("GET", emu.account_path(name), **kwargs)


def list_subscriptions(emu, **kwargs):
    return emu.arm("GET", "/subscriptions", api=TENANT_API, **kwargs)


def assert_throttled(resp, kind, emu, retry_after="1", actor=None, scope="subscription"):
    """A 429 with Resource Manager's body for `scope` (subscription or tenant) naming the principal."""
    assert resp.status_code == 429, resp.text
    assert resp.headers["Retry-After"] == retry_after
    error = resp.json()["error"]
    assert error["code"] == {"subscription": "SubscriptionRequestsThrottled", "tenant": "TenantRequestsThrottled"}[scope]
    scope_id = emu.sub if scope == "subscription" else emu.env["AZURE_TENANT"]
    assert error["message"] == (
        "Number of '%s' requests for %s '%s' actor '%s' exceeded. Please try again after '%s' seconds after "
        "additional tokens are available. Refer to https://aka.ms/arm-throttling for additional information."
        % (kind, scope, scope_id, actor or emu.env["AZURE_CLIENT_ID"], retry_after))


def msi_token(emu):
    """A token of another principal: the managed identity's (token, client id)."""
    msi = read_env(os.path.join(emu.p.data_dir, "msi.env"))
    resp = emu.http.get(msi["IDENTITY_ENDPOINT"], params={"resource": emu.base, "api-version": "2019-08-01"},
                        headers={"X-IDENTITY-HEADER": msi["IDENTITY_HEADER"]})
    assert resp.status_code == 200, resp.text
    return resp.json()["access_token"], resp.json()["client_id"]


def ratelimit_headers(resp):
    """{header: value} of the x-ms-ratelimit-* headers of an answer (names lower case)."""
    return {name.lower(): value for name, value in resp.headers.items() if name.lower().startswith("x-ms-ratelimit")}
