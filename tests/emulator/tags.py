"""Resource Manager's Tags API at an account's scope: `{account id}/providers/Microsoft.Resources/tags/default`.

GET reads the tags, PUT replaces them all, PATCH merges / replaces / deletes some (`operation`), DELETE removes all.
Each write reads, changes and writes the account in ONE store write transaction, so concurrent Merge writers never
lose a tag (the reason clients use this API when the account has no etag). A tag write is a write of the account:
its etag and modifiedOn change, and the account GET shows the new tags.
"""

import json

from . import errors, groups, provider, providers, validation
from .replies import Reply, iso, utc_now

TAGS_TYPE = "Microsoft.Resources/tags"
# The Tags API at a scope exists since Microsoft.Resources 2019-10-01; every GA api-version since then serves it.
API_VERSIONS = tuple(v for v in providers.API_VERSIONS if v >= "2019-10-01")
OPERATIONS = ("Merge", "Replace", "Delete")


def _tags_resource(doc):
    return {"id": doc["id"] + "/providers/" + TAGS_TYPE + "/default", "name": "default", "type": TAGS_TYPE,
            "properties": {"tags": doc["tags"]}}


def _find(tags, name):
    """The stored name equal to `name` ignoring case (tag names are case-insensitive), or None."""
    lower = name.lower()
    return next((key for key in tags if key.lower() == lower), None)


def merge(current, changes):
    """Add new names, update the values of existing ones (keeping the stored casing of the name)."""
    out = dict(current)
    for name, value in changes.items():
        out[_find(out, name) or name] = value
    return out


def delete(current, pairs):
    """Remove each tag whose name (ignoring case) AND value (exactly) match a given pair."""
    out = dict(current)
    for name, value in pairs.items():
        key = _find(out, name)
        if key is not None and out[key] == value:
            del out[key]
    return out


def _body_tags(call):
    """`properties.tags` of a PUT/PATCH body, validated like account tags (the operation is checked by the caller)."""
    body = validation.parse_json_body(call.raw)
    props = body.get("properties")
    if not isinstance(props, dict):
        raise errors.invalid_content("'properties' is required and must be an object with 'tags'.")
    return body, validation.check_tags(props.get("tags"))


def _operation(body):
    value = body.get("operation")
    for name in OPERATIONS:
        if isinstance(value, str) and value.lower() == name.lower():
            return name
    raise errors.invalid_content("'operation' must be one of %s, not %s." % (", ".join(OPERATIONS), json.dumps(value)))


def _account(conn, call):
    """The account row of the scope (404 ResourceGroupNotFound / ResourceNotFound as for the account itself)."""
    groups.require_group(conn, call.sub, call.rg)
    row = provider.account_row(conn, call.sub, call.rg, call.name)
    if row is None:
        raise provider.not_found(call.name, call.rg)
    return row


def _write(emu, call, change):
    """Apply change(current tags) -> new tags to the account atomically; return the new account doc."""
    provider.settle_due(emu)
    with emu.store.write() as conn:
        row = _account(conn, call)
        busy = provider.in_progress(conn, row)
        if busy is not None:
            raise provider.conflict(busy)
        doc = json.loads(row["doc"])
        doc["tags"] = validation.check_tags(change(doc["tags"]))  # the limits apply to the result (max 50 after a merge)
        doc["properties"]["modifiedOn"] = iso(utc_now())
        doc["etag"] = provider.new_etag()
        conn.execute("UPDATE accounts SET doc = ?, etag = ? WHERE seq = ?", (json.dumps(doc), doc["etag"], row["seq"]))
    return doc


def _check_target(emu, call):
    with emu.store.read() as conn:
        groups.require_group(conn, call.sub, call.rg)
    provider.check_account_name(call.name)


def get_tags(emu, call):
    _check_target(emu, call)
    provider.settle_due(emu)
    with emu.store.read() as conn:
        row = _account(conn, call)
    return Reply(200, _tags_resource(json.loads(row["doc"])))


def put_tags(emu, call):
    _check_target(emu, call)
    _body, tags = _body_tags(call)
    return Reply(200, _tags_resource(_write(emu, call, lambda _current: tags)))


def patch_tags(emu, call):
    _check_target(emu, call)
    body, tags = _body_tags(call)
    operation = _operation(body)
    change = {"Merge": lambda current: merge(current, tags), "Replace": lambda _current: tags,
              "Delete": lambda current: delete(current, tags)}[operation]
    return Reply(200, _tags_resource(_write(emu, call, change)))


def delete_tags(emu, call):
    _check_target(emu, call)
    _write(emu, call, lambda _current: {})
    return Reply(200)
