"""The resource provider Microsoft.MachineLearningModelManagement: accounts, operations list, async operations.

Every write runs in one SQLite write transaction (read current state, check preconditions, write), so
concurrent clients never lose an update. Async mode (a test aid: the real service was synchronous)
answers PUT/DELETE with ARM's async patterns and completes operations after N polls or S seconds.
"""

import functools
import json
import threading
import time
import uuid

from . import errors, groups, locations, paging, validation
from .replies import JsonText, Reply, iso, utc_now

NAMESPACE = "Microsoft.MachineLearningModelManagement"
ACCOUNT_TYPE = NAMESPACE + "/accounts"
API_VERSION = "2017-09-01-preview"
API_VERSIONS = (API_VERSION,)
SWAGGER = ("https://{location}.modelmanagement.azureml.net/api/subscriptions/{sub}/resourceGroups/{rg}/accounts/{name}"
           "/swagger.json?api-version=" + API_VERSION)
PROVIDER_DISPLAY = "Microsoft Machine Learning Model Management"


def _op(name, resource, operation, description):
    display = {"provider": PROVIDER_DISPLAY, "resource": resource, "operation": operation, "description": description}
    return {"name": "%s/%s" % (NAMESPACE, name), "display": display, "origin": "user,system"}


OPERATIONS = [
    _op("accounts/read", "Model Management Accounts", "Read Model Management Account",
        "Reads a Model Management Account or lists Model Management Accounts."),
    _op("accounts/write", "Model Management Accounts", "Create or Update Model Management Account",
        "Creates a new Model Management Account or updates an existing one."),
    _op("accounts/delete", "Model Management Accounts", "Delete Model Management Account",
        "Deletes a Model Management Account."),
    _op("operations/read", "Operations", "List Operations",
        "Lists the operations of the Microsoft.MachineLearningModelManagement resource provider."),
    _op("locations/operationStatuses/read", "Operation Statuses", "Read Operation Status",
        "Reads the status of an asynchronous operation."),
    _op("locations/operationResults/read", "Operation Results", "Read Operation Result",
        "Reads the result of an asynchronous operation."),
    _op("register/action", "Microsoft.MachineLearningModelManagement", "Register Resource Provider",
        "Registers the subscription for the Microsoft.MachineLearningModelManagement resource provider."),
    _op("unregister/action", "Microsoft.MachineLearningModelManagement", "Unregister Resource Provider",
        "Unregisters the subscription from the Microsoft.MachineLearningModelManagement resource provider."),
]


# ---- helpers ------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=4096)
def _account_name_valid(name):
    try:
        validation.check_resource_name(name)
    except errors.ApiError:
        return False
    return True


def check_account_name(name):
    """validation.check_resource_name, remembering the names that passed (a pure rule, checked on every request)."""
    if not _account_name_valid(name):
        validation.check_resource_name(name)  # raises a fresh 400: an error object is changed on its way out


def new_etag():
    return '"%s"' % uuid.uuid4()


def _etag_set(value):
    out = set()
    for part in value.split(","):
        part = part.strip()
        if part.startswith("W/"):
            part = part[2:]
        out.add(part.strip('"'))
    return out


def check_preconditions(headers, current_etag, etags=True):
    """If-Match / If-None-Match against the current etag (None when the resource is absent).

    With etags off the resource has no etag for a client to hold: `*` still tests existence, an If-Match value can
    never match (412, so a client that believes it holds an etag never overwrites), an If-None-Match value never
    matches either (the write goes ahead), as RFC 9110 evaluates conditions against a representation without one.
    """
    if_match = headers.get("If-Match")
    if_none = headers.get("If-None-Match")
    exists = current_etag is not None
    current = current_etag.strip('"') if exists and etags else None
    if if_match is not None:
        wanted = _etag_set(if_match)
        if not exists:
            raise errors.arm(412, "PreconditionFailed",
                             "The condition 'If-Match: %s' was not met: the resource does not exist." % if_match)
        if "*" not in wanted and current not in wanted:
            now = "the current etag is '%s'" % current_etag if etags else "the resource has no etag"
            raise errors.arm(412, "PreconditionFailed", "The condition 'If-Match: %s' was not met: %s." % (if_match, now))
    if if_none is not None and exists:
        wanted = _etag_set(if_none)
        if "*" in wanted or (current is not None and current in wanted):
            raise errors.arm(412, "PreconditionFailed", "The condition 'If-None-Match: %s' was not met: the resource "
                             "already exists%s." % (if_none, " with etag '%s'" % current_etag if etags else ""))


def not_found(name, rg):
    return errors.arm(404, "ResourceNotFound", "The Resource '%s/%s' under resource group '%s' was not found."
                      % (ACCOUNT_TYPE, name, rg))


def build_doc(sub, rg, name, location, tags, sku, props, created, modified, etag, state=None):
    properties = {}
    if "description" in props:
        properties["description"] = props["description"]
    properties["createdOn"] = created
    properties["modifiedOn"] = modified
    properties["modelManagementSwaggerLocation"] = SWAGGER.format(location=location, sub=sub, rg=rg, name=name)
    if state is not None:
        properties["provisioningState"] = state
    return {"id": "/subscriptions/%s/resourceGroups/%s/providers/%s/%s" % (sub, rg, ACCOUNT_TYPE, name),
            "name": name, "type": ACCOUNT_TYPE, "location": location, "tags": tags, "sku": sku, "etag": etag,
            "properties": properties}


def stored_names(doc):
    """(resource group, account name) as spelled when the account was created: Resource Manager compares names ignoring
    case and a later PUT or PATCH spelled otherwise does not rename it (docs/decisions.md, "Name casing")."""
    return doc["id"].split("/")[4], doc["name"]


def account_row(conn, sub, rg, name):
    return conn.execute("SELECT * FROM accounts WHERE sub = ? AND rg_key = ? AND key = ?",
                        (sub.lower(), rg.lower(), name.lower())).fetchone()


def public_doc(emu, doc):
    """The account as clients see it: without `etag` when the `etags` config key is off (stored docs keep theirs)."""
    if emu.config.get("etags"):
        return doc
    return {k: v for k, v in doc.items() if k != "etag"}


def _reply(emu, status, doc, headers=None):
    out = {"ETag": doc["etag"]} if emu.config.get("etags") else {}
    out.update(headers or {})
    return Reply(status, public_doc(emu, doc), out)


def _preconditions(emu, call, row):
    check_preconditions(call.headers, row["etag"] if row else None, emu.config.get("etags"))


def _op_url(emu, sub, location, op_id, kind):
    return "%s/subscriptions/%s/providers/%s/locations/%s/%s/%s?api-version=%s" % (
        emu.base, sub, NAMESPACE, location, kind, op_id, API_VERSION)


# ---- async operations ---------------------------------------------------------------------------
class TimedOperations:
    """When `settle_due` has to look in the operations table: the earliest end of the time-based operations in
    progress, as far as this process knows (0 at start: a state file may hold some; infinity: none).

    Most requests then cost no query for it. An operation counts once its transaction has committed, and every such
    start is counted, so a look that began before one cannot overwrite the earlier end it brought.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._next_end = 0.0
        self._starts = 0

    def due(self, now):
        return now >= self._next_end

    def started(self, ends_at):
        with self._lock:
            self._starts += 1
            self._next_end = min(self._next_end, ends_at)

    def looking(self):
        with self._lock:
            return self._starts

    def looked(self, starts, next_end):
        """The table's earliest end as read after `looking()` returned `starts` (None: no such operation)."""
        with self._lock:
            if starts == self._starts:
                self._next_end = float("inf") if next_end is None else next_end


def _insert_operation(emu, conn, action, account, location, need_polls, need_seconds, outcome, async_error):
    """One InProgress operation on the account row `account` (sub, rg_key, key); return its id."""
    op_id = str(uuid.uuid4())
    error = json.dumps(async_error) if outcome != "Succeeded" else None
    created = time.time()
    conn.execute("INSERT INTO operations (id, action, sub, location, rg_key, acct_key, status, start_time, created, polls, "
                 "need_polls, need_seconds, outcome, error) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                 (op_id, action, account[0], location, account[1], account[2], "InProgress", iso(utc_now()), created, 0,
                  need_polls, need_seconds, outcome, error))
    if need_seconds is not None:
        ends_at = conn.execute("SELECT created + need_seconds FROM operations WHERE id = ?", (op_id,)).fetchone()[0]
        emu.store.after_commit(lambda: emu.timed_operations.started(ends_at))
    return op_id


def _start_operation(emu, conn, action, sub, location, rg_key, acct_key):
    cfg = emu.config.snapshot()
    op_id = _insert_operation(emu, conn, action, (sub, rg_key, acct_key), location, cfg["async_polls"], cfg["async_seconds"],
                              cfg["async_outcome"], cfg["async_error"])
    return op_id, cfg["retry_after"]


def _settle(conn, op, poll=False):
    """Advance one operation (count a poll, finish it when due), apply its effect, return the fresh row."""
    if op["status"] != "InProgress":
        return op
    polls = op["polls"] + (1 if poll else 0)
    if op["need_seconds"] is not None:
        done = time.time() >= op["created"] + op["need_seconds"]
    else:
        done = polls > op["need_polls"]
    if not done:
        conn.execute("UPDATE operations SET polls = ? WHERE id = ?", (polls, op["id"]))
        return conn.execute("SELECT * FROM operations WHERE id = ?", (op["id"],)).fetchone()
    outcome = op["outcome"]
    conn.execute("UPDATE operations SET polls = ?, status = ?, end_time = ? WHERE id = ?",
                 (polls, outcome, iso(utc_now()), op["id"]))
    row = conn.execute("SELECT * FROM accounts WHERE op_id = ?", (op["id"],)).fetchone()
    if row is not None:
        if op["action"] == "delete" and outcome == "Succeeded":
            conn.execute("DELETE FROM accounts WHERE seq = ?", (row["seq"],))
        else:
            doc = json.loads(row["doc"])
            doc["properties"]["provisioningState"] = outcome
            conn.execute("UPDATE accounts SET doc = ? WHERE seq = ?", (json.dumps(doc), row["seq"]))
    return conn.execute("SELECT * FROM operations WHERE id = ?", (op["id"],)).fetchone()


def settle_due(emu):
    """Finish time-based operations whose time has come (called before account reads and writes)."""
    now = time.time()
    timed = emu.timed_operations
    if not timed.due(now):  # none has come to its end: nothing to look for
        return
    starts = timed.looking()
    conn = emu.store.connection()
    due = conn.execute("SELECT id FROM operations WHERE status = 'InProgress' AND need_seconds IS NOT "
                       "NULL AND created + need_seconds <= ?", (now,)).fetchall()
    if due:
        with emu.store.write() as conn:
            for item in due:
                op = conn.execute("SELECT * FROM operations WHERE id = ?", (item["id"],)).fetchone()
                if op is not None:
                    _settle(conn, op)
    timed.looked(starts, conn.execute("SELECT MIN(created + need_seconds) FROM operations WHERE status = 'InProgress' "
                                      "AND need_seconds IS NOT NULL").fetchone()[0])


def in_progress(conn, row):
    if row is None or not row["op_id"]:
        return None
    op = conn.execute("SELECT * FROM operations WHERE id = ?", (row["op_id"],)).fetchone()
    if op is not None and op["status"] == "InProgress":
        return op
    return None


def conflict(op):
    return errors.provider(409, "AnotherOperationInProgress",
                           "Another operation (%s, id '%s') is in progress on this account. Retry when it has completed."
                           % (op["action"], op["id"]))


def _location_change(current, requested):
    return errors.provider(400, "LocationCannotBeChanged",
                           "The location of an existing account cannot be changed: it is '%s', the request asks for '%s'."
                           % (current, requested),
                           details=[{"code": "LocationCannotBeChanged", "message": "Delete and recreate the account to move it."}])


# ---- accounts -----------------------------------------------------------------------------------
def _check_put_body(call, body):
    for field, expected in (("name", call.name), ("type", ACCOUNT_TYPE)):
        value = body.get(field)
        if value is not None and (not isinstance(value, str) or value.lower() != expected.lower()):
            raise errors.provider(400, "InvalidRequestBody", "The %s '%s' in the request body does not match '%s'."
                                  % (field, value, expected))


def put_account(emu, call):
    with emu.store.read() as conn:
        groups.require_group(conn, call.sub, call.rg)
    check_account_name(call.name)
    body = validation.parse_json_body(call.raw)
    location = validation.require_location(body)
    locations.check_account_location(emu, location)
    tags = validation.check_tags(body.get("tags"))
    _check_put_body(call, body)
    sku = validation.check_sku_for_put(body.get("sku"))
    props = validation.check_properties(body.get("properties"))
    settle_due(emu)
    async_mode = emu.config.get("async")
    with emu.store.write() as conn:
        rg_row = groups.require_group(conn, call.sub, call.rg)
        row = account_row(conn, call.sub, call.rg, call.name)
        _preconditions(emu, call, row)
        busy = in_progress(conn, row)
        if busy is not None:
            raise conflict(busy)
        now = iso(utc_now())
        created = now
        state = op_id = None
        rg_name, name = call.rg, call.name
        if row is not None:
            old = json.loads(row["doc"])
            rg_name, name = stored_names(old)
            if old["location"] != location:
                raise _location_change(old["location"], location)
            created = old["properties"]["createdOn"]
            if "provisioningState" in old["properties"]:
                state = "Succeeded"  # a full replace re-provisions: it repairs a Failed / Canceled account
        headers = {}
        if async_mode:
            state = "Updating" if row is not None else "Creating"
            op_id, retry = _start_operation(emu, conn, "replace" if row is not None else "create", call.sub.lower(), location,
                                            rg_row["key"], call.name.lower())
            headers = {"Azure-AsyncOperation": _op_url(emu, call.sub.lower(), location, op_id, "operationStatuses"),
                       "Retry-After": str(retry)}
        doc = build_doc(call.sub.lower(), rg_name, name, location, tags, sku, props, created, now, new_etag(), state)
        if row is None:
            conn.execute("INSERT INTO accounts (sub, rg_key, key, doc, etag, op_id) VALUES (?,?,?,?,?,?)",
                         (call.sub.lower(), rg_row["key"], call.name.lower(), json.dumps(doc), doc["etag"], op_id))
        else:
            conn.execute("UPDATE accounts SET doc = ?, etag = ?, op_id = ? WHERE seq = ?",
                         (json.dumps(doc), doc["etag"], op_id, row["seq"]))
    return _reply(emu, 200 if row is not None else 201, doc, headers)


# the group and the account in one statement (one consistent read, without BEGIN and COMMIT): an account GET's own
# query; `group_seq` is NULL without the group, the account's columns are NULL without the account
GROUP_AND_ACCOUNT = ("SELECT g.seq AS group_seq, a.* FROM resource_groups g LEFT JOIN accounts a "
                     "ON a.sub = g.sub AND a.rg_key = g.key AND a.key = ? WHERE g.sub = ? AND g.key = ?")


def get_account(emu, call):
    settle_due(emu)
    found = None
    if groups.group_name_valid(call.rg):
        found = emu.store.read_one(GROUP_AND_ACCOUNT, (call.name.lower(), call.sub.lower(), call.rg.lower()))
    if found is None:
        raise groups.group_not_found(call.rg)
    check_account_name(call.name)
    row = found if found["seq"] is not None else None
    counted = False
    if row is not None and row["op_id"]:  # an operation: read it all again in one snapshot, as before
        with emu.store.read() as conn:
            groups.require_group(conn, call.sub, call.rg)
            row = account_row(conn, call.sub, call.rg, call.name)
            counted = row is not None and _settles_on_gets(conn, row)
    if counted:
        row = _count_get(emu, call)
    if row is None:
        raise not_found(call.name, call.rg)
    if emu.config.get("etags"):  # the stored document is the answer: send its text as it is
        return Reply(200, JsonText(row["doc"]), {"ETag": row["etag"]})
    return _reply(emu, 200, json.loads(row["doc"]))


def patch_account(emu, call):
    with emu.store.read() as conn:
        groups.require_group(conn, call.sub, call.rg)
    check_account_name(call.name)
    body = validation.parse_json_body(call.raw)
    tags = validation.check_tags(body.get("tags")) if "tags" in body else None
    settle_due(emu)
    with emu.store.write() as conn:
        groups.require_group(conn, call.sub, call.rg)
        row = account_row(conn, call.sub, call.rg, call.name)
        _preconditions(emu, call, row)
        if row is None:
            raise not_found(call.name, call.rg)
        busy = in_progress(conn, row)
        if busy is not None:
            raise conflict(busy)
        old = json.loads(row["doc"])
        if "location" in body and validation.normalize_location(body["location"]) != old["location"]:
            raise _location_change(old["location"], body["location"])
        for field, expected in (("name", call.name), ("type", ACCOUNT_TYPE)):
            if field in body and (not isinstance(body[field], str) or body[field].lower() != expected.lower()):
                raise errors.provider(400, "InvalidRequestBody", "The property '%s' cannot be changed by PATCH (requested '%s', "
                                      "current '%s')." % (field, body[field], expected))
        sku = validation.merge_sku(old["sku"], body.get("sku"))
        current_props = {"description": old["properties"]["description"]} if "description" in old["properties"] else {}
        props = validation.merge_properties(current_props, body.get("properties"))
        doc = build_doc(row["sub"], *stored_names(old), old["location"], tags if tags is not None else old["tags"], sku, props,
                        old["properties"]["createdOn"], iso(utc_now()), new_etag(), old["properties"].get("provisioningState"))
        conn.execute("UPDATE accounts SET doc = ?, etag = ? WHERE seq = ?", (json.dumps(doc), doc["etag"], row["seq"]))
    return _reply(emu, 200, doc)


def delete_account(emu, call):
    with emu.store.read() as conn:
        groups.require_group(conn, call.sub, call.rg)
    check_account_name(call.name)
    settle_due(emu)
    with emu.store.write() as conn:
        row = account_row(conn, call.sub, call.rg, call.name)
        _preconditions(emu, call, row)
        if row is None:
            return Reply(204)
        busy = in_progress(conn, row)
        if busy is not None and busy["action"] == "delete":
            return Reply(202, None, {"Location": _op_url(emu, busy["sub"], busy["location"], busy["id"], "operationResults"),
                                     "Retry-After": str(emu.config.get("retry_after"))})
        if busy is not None:
            raise conflict(busy)
        if not emu.config.get("async"):
            conn.execute("DELETE FROM accounts WHERE seq = ?", (row["seq"],))
            return Reply(200)
        doc = json.loads(row["doc"])
        op_id, retry = _start_operation(emu, conn, "delete", row["sub"], doc["location"], row["rg_key"], row["key"])
        doc["properties"]["provisioningState"] = "Deleting"
        conn.execute("UPDATE accounts SET doc = ?, op_id = ? WHERE seq = ?", (json.dumps(doc), op_id, row["seq"]))
    return Reply(202, None, {"Location": _op_url(emu, row["sub"], doc["location"], op_id, "operationResults"),
                             "Retry-After": str(retry)})


def _list(emu, call, scope, where, params):
    settle_due(emu)
    cfg = emu.config.snapshot()

    def fetch(after, limit):
        with emu.store.read() as conn:
            rows = conn.execute("SELECT seq, doc FROM accounts WHERE %s AND seq > ? ORDER BY seq LIMIT ?" % where,
                                params + (after, limit)).fetchall()
        return [(r["seq"], public_doc(emu, json.loads(r["doc"]))) for r in rows]

    body = paging.page(scope, call.args.get("$skiptoken"), cfg["page_size"], cfg["empty_pages"], fetch,
                       lambda token: paging.next_link(emu.base, call.raw_path, call.api_version, token))
    return Reply(200, body)


def list_in_group(emu, call):
    with emu.store.read() as conn:
        row = groups.require_group(conn, call.sub, call.rg)
    return _list(emu, call, "rg:%s/%s" % (row["sub"], row["key"]), "sub = ? AND rg_key = ?", (row["sub"], row["key"]))


def list_in_subscription(emu, call):
    return _list(emu, call, "sub:%s" % call.sub.lower(), "sub = ?", (call.sub.lower(),))


def list_operations(emu, call):
    cfg = emu.config.snapshot()

    def fetch(after, limit):
        return [(i + 1, OPERATIONS[i]) for i in range(after, min(after + limit, len(OPERATIONS)))]

    body = paging.page("operations", call.args.get("$skiptoken"), cfg["page_size"], cfg["empty_pages"], fetch,
                       lambda token: paging.next_link(emu.base, call.raw_path, call.api_version, token))
    return Reply(200, body)


# ---- operation status / result ------------------------------------------------------------------
def _poll(emu, call):
    with emu.store.write() as conn:
        op = conn.execute("SELECT * FROM operations WHERE id = ? AND sub = ?", (call.op.lower(), call.sub.lower())).fetchone()
        if op is None or op["location"] != validation.normalize_location(call.loc):
            raise errors.provider(404, "OperationNotFound", "The operation '%s' could not be found in location '%s'."
                                  % (call.op, call.loc))
        op = _settle(conn, op, poll=True)
        account = conn.execute("SELECT doc FROM accounts WHERE sub = ? AND rg_key = ? AND key = ?",
                               (op["sub"], op["rg_key"], op["acct_key"])).fetchone()
    return op, account


def _status_body(op):
    op_path = "/subscriptions/%s/providers/%s/locations/%s/operationStatuses/%s" % (op["sub"], NAMESPACE, op["location"], op["id"])
    body = {"id": op_path, "name": op["id"], "status": op["status"], "startTime": op["start_time"]}
    if op["end_time"]:
        body["endTime"] = op["end_time"]
    if op["status"] in ("Failed", "Canceled") and op["error"]:
        body["error"] = json.loads(op["error"])
    return body


def operation_status(emu, call):
    op, _account = _poll(emu, call)
    headers = {}
    if op["status"] == "InProgress":
        headers["Retry-After"] = str(emu.config.get("retry_after"))
    return Reply(200, _status_body(op), headers)


def operation_result(emu, call):
    op, account = _poll(emu, call)
    if op["status"] == "InProgress":
        return Reply(202, None, {"Location": _op_url(emu, op["sub"], op["location"], op["id"], "operationResults"),
                                 "Retry-After": str(emu.config.get("retry_after"))})
    if op["status"] != "Succeeded":
        error = json.loads(op["error"])
        raise errors.arm(400, error["code"], error["message"])
    if op["action"] == "delete":
        return Reply(200)
    if account is None:
        return Reply(204)
    return _reply(emu, 200, json.loads(account["doc"]))


# ---- provisioning-state control (a test aid: POST /_emulator/provisioning-state) ---------------------------------
STATES = ("Succeeded", "Failed", "Canceled", "Creating", "Updating", "Deleting")
STATE_ACTIONS = {"Creating": "create", "Updating": "replace", "Deleting": "delete"}
NEVER = 2 ** 62  # polls an unsettled state waits for: it stays until reset or the next state change


def _settles_on_gets(conn, row):
    return bool(row["op_id"]) and conn.execute("SELECT 1 FROM account_state_ops WHERE op_id = ?",
                                               (row["op_id"],)).fetchone() is not None


def _count_get(emu, call):
    """Count one GET of an account whose state the control API set to settle after GETs; return the fresh row."""
    with emu.store.write() as conn:
        row = account_row(conn, call.sub, call.rg, call.name)
        if row is not None and _settles_on_gets(conn, row):
            op = conn.execute("SELECT * FROM operations WHERE id = ?", (row["op_id"],)).fetchone()
            if op is not None:
                _settle(conn, op, poll=True)
            row = account_row(conn, call.sub, call.rg, call.name)
    return row


def set_provisioning_state(emu, account, state, settle_to=None, after_gets=None, after_seconds=None):
    """Give the existing account (sub, rg, name) `provisioningState` = `state`; return (doc, operation) or None.

    A running state (Creating, Updating, Deleting) is an InProgress operation like async mode's, so writes meet 409
    and a DELETE of a Deleting account answers 202; it ends as `settle_to` after `after_gets` GETs (or HEADs) of the
    account or `after_seconds`, else never. A terminal state ends any operation in progress (as Canceled). Neither
    the etag nor modifiedOn changes: this is the provider's doing, not a client's write.
    """
    settle_due(emu)
    with emu.store.write() as conn:
        row = account_row(conn, *account)
        if row is None:
            return None
        conn.execute("UPDATE operations SET status = 'Canceled', end_time = ? WHERE id = ? AND status = 'InProgress'",
                     (iso(utc_now()), row["op_id"]))
        conn.execute("DELETE FROM account_state_ops WHERE op_id NOT IN (SELECT id FROM operations WHERE status = 'InProgress')")
        doc = json.loads(row["doc"])
        doc["properties"]["provisioningState"] = state
        op_id = operation = None
        if state in STATE_ACTIONS:
            outcome = settle_to or "Succeeded"
            need_polls = NEVER if after_gets is None else after_gets
            op_id = _insert_operation(emu, conn, STATE_ACTIONS[state], (row["sub"], row["rg_key"], row["key"]), doc["location"],
                                      need_polls, after_seconds, outcome, emu.config.get("async_error"))
            conn.execute("INSERT INTO account_state_ops (op_id) VALUES (?)", (op_id,))
            settles = after_gets is not None or after_seconds is not None
            operation = {"id": op_id, "action": STATE_ACTIONS[state], "settle_to": outcome if settles else None,
                         "after_gets": after_gets, "after_seconds": after_seconds}
        conn.execute("UPDATE accounts SET doc = ?, op_id = ? WHERE seq = ?", (json.dumps(doc), op_id, row["seq"]))
    return public_doc(emu, doc), operation
