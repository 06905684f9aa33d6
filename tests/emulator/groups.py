"""Subscriptions and resource groups (Microsoft.Resources), the containers accounts live in.

Only what the collection's tests need: list/get subscriptions; PUT/GET/HEAD/DELETE/list resource groups.
Deleting a group deletes its accounts (synchronously; answers 200).
"""

import json

from . import errors, validation
from .replies import Reply

RG_TYPE = "Microsoft.Resources/resourceGroups"


def require_subscription(conn, sub):
    validation.check_subscription_id(sub)
    row = conn.execute("SELECT * FROM subscriptions WHERE id = ?", (sub.lower(),)).fetchone()
    if row is None:
        raise errors.arm(404, "SubscriptionNotFound", "The subscription '%s' could not be found." % sub)
    return row


def group_row(conn, sub, rg):
    return conn.execute("SELECT * FROM resource_groups WHERE sub = ? AND key = ?", (sub.lower(), rg.lower())).fetchone()


def require_group(conn, sub, rg):
    row = group_row(conn, sub, rg) if validation.resource_group_name_valid(rg) else None
    if row is None:
        raise errors.arm(404, "ResourceGroupNotFound", "Resource group '%s' could not be found." % rg,
                         headers={"x-ms-failure-cause": "gateway"})
    return row


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
    with emu.store.read() as conn:
        rows = conn.execute("SELECT * FROM resource_groups WHERE sub = ? ORDER BY seq", (call.sub.lower(),)).fetchall()
    return Reply(200, {"value": [group_doc(r) for r in rows]})


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
            conn.execute("UPDATE resource_groups SET name = ?, tags = ? WHERE seq = ?", (call.rg, json.dumps(tags), row["seq"]))
            status = 200
        row = group_row(conn, call.sub, call.rg)
    return Reply(status, group_doc(row))


def delete_group(emu, call):
    with emu.store.write() as conn:
        row = require_group(conn, call.sub, call.rg)
        conn.execute("DELETE FROM accounts WHERE sub = ? AND rg_key = ?", (row["sub"], row["key"]))
        conn.execute("DELETE FROM operations WHERE sub = ? AND rg_key = ?", (row["sub"], row["key"]))
        conn.execute("DELETE FROM resource_groups WHERE seq = ?", (row["seq"],))
    return Reply(200)
