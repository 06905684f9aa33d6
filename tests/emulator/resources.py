"""Resource Manager's generic resource views: `/resources` lists (`$filter`, `$top`) and HEAD (check existence).

The generic list answers each resource in Resource Manager's own short form (id, name, type, sku, location,
tags when set), not the provider's full document, as Azure's `resources` list does.
"""

import json

from . import groups, odata, paging, provider
from .replies import Reply


def _generic(doc, rg_name):
    item = {"id": doc["id"], "name": doc["name"], "type": doc["type"], "sku": doc["sku"], "location": doc["location"]}
    if doc.get("tags"):
        item["tags"] = doc["tags"]
    view = {"type": doc["type"], "name": doc["name"], "location": doc["location"], "resourceGroup": rg_name,
            "tags": doc.get("tags") or {}}
    return item, view


def _list(emu, call, where, params):
    matches = odata.compile_filter(call.args.get("$filter"))
    size = odata.page_size(call.args, emu.config.get("page_size"))
    provider.settle_due(emu)

    def fetch(after, limit):
        """The next `limit` matches after `after`, reading rows in batches (not the whole rest of the list per page)."""
        found, batch = [], max(2 * limit, 200)
        while len(found) < limit:
            with emu.store.read() as conn:
                rows = conn.execute("SELECT a.seq, a.doc, g.name AS rg_name FROM accounts a JOIN resource_groups g "
                                    "ON g.sub = a.sub AND g.key = a.rg_key WHERE %s AND a.seq > ? ORDER BY a.seq LIMIT ?"
                                    % where, params + (after, batch)).fetchall()
            for row in rows:
                item, view = _generic(json.loads(row["doc"]), row["rg_name"])
                if matches(view):
                    found.append((row["seq"], item))
            if len(rows) < batch:
                break
            after = rows[-1]["seq"]
        return found[:limit]

    scope = "resources:%s:%s" % ("/".join(params), call.args.get("$filter") or "")
    body = paging.page(scope, call.args.get("$skiptoken"), size, False, fetch,
                       lambda token: groups.list_link(emu, call, token))
    return Reply(200, body)


def list_in_subscription(emu, call):
    return _list(emu, call, "a.sub = ?", (call.sub.lower(),))


def list_in_group(emu, call):
    with emu.store.read() as conn:
        row = groups.require_group(conn, call.sub, call.rg)
    return _list(emu, call, "a.sub = ? AND a.rg_key = ?", (row["sub"], row["key"]))


def account_exists(emu, call):
    """HEAD on an account: 204 when it exists, else the GET's error (404) without a body."""
    provider.get_account(emu, call)
    return Reply(204)
