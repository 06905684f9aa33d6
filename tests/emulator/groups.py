"""Subscriptions and resource groups (Microsoft.Resources), the containers accounts live in.

Subscriptions: list/get. Resource groups: PUT/GET/HEAD/PATCH (tags)/DELETE and a paged list with `$filter`
(tags) and `$top`. DELETE answers 202 with a `Location` to poll, as Azure does; the group and its accounts
are already gone by then, so the first poll answers 200.
"""

import base64
import binascii
import functools
import json
from urllib.parse import quote

from . import errors, locations, odata, paging, validation
from .replies import Reply

RG_TYPE = "Microsoft.Resources/resourceGroups"


def require_subscription(conn, sub):
    validation.check_subscription_id(sub)
    row = conn.execute("SELECT * FROM subscriptions WHERE id = ?", (sub.lower(),)).fetchone()
    if row is None:
        raise errors.arm(404, "SubscriptionNotFound", "The subscription '%s' could not be found." % sub)
    return row


def require_known_subscription(emu, sub):
    """require_subscription for a request that needs no row: the same checks and error, against the ids the emulator
    keeps in memory (the table changes only when the emulator seeds or resets it), without a query."""
    validation.check_subscription_id(sub)
    if sub.lower() not in emu.known_subscriptions:
        raise errors.arm(404, "SubscriptionNotFound", "The subscription '%s' could not be found." % sub)


def group_row(conn, sub, rg):
    return conn.execute("SELECT * FROM resource_groups WHERE sub = ? AND key = ?", (sub.lower(), rg.lower())).fetchone()


# the name rule is a pure function of the name, checked on every request of an account: remember its answers
group_name_valid = functools.lru_cache(maxsize=4096)(validation.resource_group_name_valid)


def require_group(conn, sub, rg):
    row = group_row(conn, sub, rg) if group_name_valid(rg) else None
    if row is None:
        raise group_not_found(rg)
    return row


def group_not_found(rg):
    return errors.arm(404, "ResourceGroupNotFound", "Resource group '%s' could not be found." % rg,
                      headers={"x-ms-failure-cause": "gateway"})


def group_doc(row):
    return {"id": "/subscriptions/%s/resourceGroups/%s" % (row["sub"], row["name"]), "name": row["name"], "type": RG_TYPE,
            "location": row["location"], "tags": json.loads(row["tags"]), "properties": {"provisioningState": "Succeeded"}}


def subscription_doc(row, tenant):
    return {"id": "/subscriptions/%s" % row["id"], "authorizationSource": "RoleBased", "subscriptionId": row["id"],
            "tenantId": tenant, "displayName": row["display_name"], "state": "Enabled",
            "subscriptionPolicies": {"locationPlacementId": "Public_2014-09-01", "quotaId": "PayAsYouGo_2014-09-01",
                                     "spendingLimit": "Off"}}


def list_subscriptions(emu, _call):
    with emu.store.read() as conn:
        rows = conn.execute("SELECT * FROM subscriptions ORDER BY id").fetchall()
    return Reply(200, {"value": [subscription_doc(r, emu.identity.tenant) for r in rows]})


def get_subscription(emu, call):
    with emu.store.read() as conn:
        row = require_subscription(conn, call.sub)
    return Reply(200, subscription_doc(row, emu.identity.tenant))


def list_groups(emu, call):
    matches = odata.compile_filter(call.args.get("$filter"), odata.TAG_FIELDS)
    size = odata.page_size(call.args, emu.config.get("page_size"))
    sub = call.sub.lower()

    def fetch(after, limit):
        with emu.store.read() as conn:
            rows = conn.execute("SELECT * FROM resource_groups WHERE sub = ? AND seq > ? ORDER BY seq", (sub, after)).fetchall()
        docs = [(r["seq"], group_doc(r)) for r in rows]
        return [(seq, doc) for seq, doc in docs if matches(doc)][:limit]

    scope = "groups:%s:%s" % (sub, call.args.get("$filter") or "")
    body = paging.page(scope, call.args.get("$skiptoken"), size, False, fetch,
                       lambda token: list_link(emu, call, token))
    return Reply(200, body)


def list_link(emu, call, token):
    """nextLink of a filtered list: the same query (`$filter`, `$top`) plus the skiptoken."""
    link = paging.next_link(emu.base, call.raw_path, call.api_version, token)
    for key in ("$filter", "$top"):
        if call.args.get(key) is not None:
            link += "&%s=%s" % (key, quote(call.args[key], safe=""))
    return link


def get_group(emu, call):
    with emu.store.read() as conn:
        row = require_group(conn, call.sub, call.rg)
    if call.method == "HEAD":
        return Reply(204)
    return Reply(200, group_doc(row))


def put_group(emu, call):
    validation.check_resource_group_name(call.rg)
    body = validation.parse_json_body(call.raw)
    location = validation.require_location(body)
    locations.check_group_location(location)
    tags = validation.check_tags(body.get("tags"))
    with emu.store.write() as conn:
        row = group_row(conn, call.sub, call.rg)
        if row is not None and row["location"] != location:
            raise errors.arm(409, "InvalidResourceGroupLocation",
                             "Invalid resource group location '%s'. The Resource group already exists in location '%s'."
                             % (location, row["location"]))
        if row is None:
            conn.execute("INSERT INTO resource_groups (sub, key, name, location, tags) VALUES (?,?,?,?,?)",
                         (call.sub.lower(), call.rg.lower(), call.rg, location, json.dumps(tags)))
            status = 201
        else:
            # the group keeps the name it was created with (names compare ignoring case; see docs/decisions.md)
            conn.execute("UPDATE resource_groups SET tags = ? WHERE seq = ?", (json.dumps(tags), row["seq"]))
            status = 200
        row = group_row(conn, call.sub, call.rg)
    return Reply(status, group_doc(row))


def patch_group(emu, call):
    """PATCH replaces the tags when `tags` is given; the location cannot change (the other fields are ignored)."""
    body = validation.parse_json_body(call.raw)
    tags = validation.check_tags(body.get("tags")) if "tags" in body else None
    with emu.store.write() as conn:
        row = require_group(conn, call.sub, call.rg)
        location = validation.normalize_location(body.get("location"))
        if location is not None and location != row["location"]:
            raise errors.arm(409, "InvalidResourceGroupLocation",
                             "Invalid resource group location '%s'. The Resource group already exists in location '%s'."
                             % (location, row["location"]))
        if tags is not None:
            conn.execute("UPDATE resource_groups SET tags = ? WHERE seq = ?", (json.dumps(tags), row["seq"]))
        row = group_row(conn, call.sub, call.rg)
    return Reply(200, group_doc(row))


def _deletion_job(row):
    raw = json.dumps({"jobId": "RESOURCEGROUPDELETIONJOB-%s-%s" % (row["name"].upper(), row["location"].upper()),
                      "jobLocation": row["location"]}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def delete_group(emu, call):
    """202 + Location (Azure's answer); the group's accounts and operations go with it."""
    with emu.store.write() as conn:
        row = require_group(conn, call.sub, call.rg)
        conn.execute("DELETE FROM accounts WHERE sub = ? AND rg_key = ?", (row["sub"], row["key"]))
        conn.execute("DELETE FROM operations WHERE sub = ? AND rg_key = ?", (row["sub"], row["key"]))
        conn.execute("DELETE FROM resource_groups WHERE seq = ?", (row["seq"],))
    location = "%s/subscriptions/%s/operationresults/%s?api-version=%s" % (emu.base, row["sub"], _deletion_job(row),
                                                                           quote(call.api_version, safe=""))
    return Reply(202, None, {"Location": location, "Retry-After": str(emu.config.get("retry_after"))})


def operation_result(_emu, call):
    """The Location of a group deletion: done (200) at the first poll, since the delete itself was immediate."""
    token = call.params.get("job", "")
    try:
        job = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode())
        if not str(job.get("jobId", "")).startswith("RESOURCEGROUPDELETIONJOB-"):
            raise ValueError(token)
    except (ValueError, UnicodeDecodeError, binascii.Error, AttributeError):
        raise errors.arm(404, "NotFound", "The operation result '%s' could not be found." % token) from None
    return Reply(200)
