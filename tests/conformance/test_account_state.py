"""POST /_emulator/provisioning-state (a test aid): put an account into Failed / Canceled / Creating / Updating /
Deleting, optionally settling after N GETs or S seconds; and how writes treat such accounts (as ARM does)."""

import time

import pytest

BODY = {"location": "eastus", "sku": {"name": "S1", "capacity": 1}, "tags": {"a": "1"}}


def set_state(emu, name, state, **options):
    spec = dict({"resource_group": "demo-rg", "name": name, "state": state}, **options)
    resp = emu.control("POST", "provisioning-state", json=spec)
    assert resp.status_code == 200, resp.text
    return resp.json()


def state_of(emu, name):
    resp = emu.arm("GET", emu.account_path(name))
    return resp.json()["properties"].get("provisioningState") if resp.status_code == 200 else resp.status_code


def test_failed_account_reads_failed_and_keeps_its_etag(emu):
    created = emu.put_account("s1", body=BODY).json()
    answer = set_state(emu, "s1", "Failed")
    assert answer["operation"] is None
    assert answer["account"]["properties"]["provisioningState"] == "Failed"
    got = emu.arm("GET", emu.account_path("s1")).json()
    assert got["properties"]["provisioningState"] == "Failed"
    assert got["etag"] == created["etag"] and got["properties"]["modifiedOn"] == created["properties"]["modifiedOn"]
    listed = emu.arm("GET", "/subscriptions/%s/providers/Microsoft.MachineLearningModelManagement/accounts" % emu.sub)
    assert listed.json()["value"][0]["properties"]["provisioningState"] == "Failed"


@pytest.mark.parametrize("state", ["Failed", "Canceled"])
def test_patch_changes_fields_but_not_the_state(emu, state):
    emu.put_account("s2", body=BODY)
    set_state(emu, "s2", state)
    resp = emu.arm("PATCH", emu.account_path("s2"), json={"tags": {"b": "2"}, "sku": {"capacity": 3}})
    assert resp.status_code == 200
    doc = resp.json()
    assert doc["tags"] == {"b": "2"} and doc["sku"]["capacity"] == 3
    assert doc["properties"]["provisioningState"] == state, "PATCH does not re-provision"
    assert state_of(emu, "s2") == state


@pytest.mark.parametrize("state", ["Failed", "Canceled"])
def test_put_repairs_a_failed_account(emu, state):
    emu.put_account("s3", body=BODY)
    set_state(emu, "s3", state)
    resp = emu.put_account("s3", body=BODY)
    assert resp.status_code == 200 and resp.json()["properties"]["provisioningState"] == "Succeeded"
    assert state_of(emu, "s3") == "Succeeded"


def test_put_repair_in_async_mode_runs_the_async_flow(emu):
    emu.put_account("s4", body=BODY)
    set_state(emu, "s4", "Canceled")
    emu.control("PATCH", "config", json={"async": True, "async_polls": 1})
    resp = emu.put_account("s4", body=BODY)
    assert resp.status_code == 200 and resp.json()["properties"]["provisioningState"] == "Updating"
    status_url = resp.headers["Azure-AsyncOperation"]
    assert emu.arm("GET", status_url, api=None).json()["status"] == "InProgress"
    assert emu.arm("GET", status_url, api=None).json()["status"] == "Succeeded"
    assert state_of(emu, "s4") == "Succeeded"


@pytest.mark.parametrize("state", ["Creating", "Updating", "Deleting"])
def test_running_state_refuses_writes_until_it_ends(emu, state):
    emu.put_account("s5", body=BODY)
    answer = set_state(emu, "s5", state)
    assert answer["operation"]["settle_to"] is None and answer["operation"]["action"]
    for _read in range(3):
        assert state_of(emu, "s5") == state, "without settle options the state stays"
    for method, kwargs in (("PUT", {"json": BODY}), ("PATCH", {"json": {"tags": {}}})):
        resp = emu.arm(method, emu.account_path("s5"), **kwargs)
        assert resp.status_code == 409 and resp.json()["code"] == "AnotherOperationInProgress", (method, resp.text)
    delete = emu.arm("DELETE", emu.account_path("s5"))
    if state == "Deleting":
        assert delete.status_code == 202 and "/operationResults/" in delete.headers["Location"]
    else:
        assert delete.status_code == 409
    set_state(emu, "s5", "Succeeded")  # a terminal state ends the running one
    assert emu.arm("PATCH", emu.account_path("s5"), json={"tags": {}}).status_code == 200


def test_creating_settles_after_n_gets(emu):
    emu.put_account("s6", body=BODY)
    answer = set_state(emu, "s6", "Creating", settle_to="Succeeded", after_gets=2)
    assert answer["operation"]["settle_to"] == "Succeeded" and answer["operation"]["after_gets"] == 2
    assert [state_of(emu, "s6") for _read in range(4)] == ["Creating", "Creating", "Succeeded", "Succeeded"]
    assert emu.put_account("s6", body=BODY).status_code == 200


def test_head_counts_as_a_get_and_lists_do_not(emu):
    emu.put_account("s7", body=BODY)
    set_state(emu, "s7", "Updating", settle_to="Failed", after_gets=1)
    emu.arm("GET", "/subscriptions/%s/resourceGroups/demo-rg/providers/Microsoft.MachineLearningModelManagement/accounts"
            % emu.sub)
    assert emu.arm("HEAD", emu.account_path("s7")).status_code == 204
    assert state_of(emu, "s7") == "Failed"


def test_updating_settles_to_failed_after_seconds(emu):
    emu.put_account("s8", body=BODY)
    set_state(emu, "s8", "Updating", settle_to="Failed", after_seconds=0.5)
    assert state_of(emu, "s8") == "Updating"
    time.sleep(0.6)
    assert state_of(emu, "s8") == "Failed"
    assert emu.arm("PATCH", emu.account_path("s8"), json={"tags": {}}).json()["properties"]["provisioningState"] == "Failed"


def test_states_that_settle_after_seconds_each_end_at_their_own_time(emu):
    """Two time-based operations started in either order (the later-ending one first): each account settles when its
    own time has come, not before, whatever GETs came between."""
    emu.put_account("s11", body=BODY)
    emu.put_account("s12", body=BODY)
    set_state(emu, "s11", "Updating", settle_to="Failed", after_seconds=1.2)
    assert state_of(emu, "s11") == "Updating"
    set_state(emu, "s12", "Creating", settle_to="Succeeded", after_seconds=0.4)
    assert (state_of(emu, "s11"), state_of(emu, "s12")) == ("Updating", "Creating")
    time.sleep(0.6)
    assert (state_of(emu, "s11"), state_of(emu, "s12")) == ("Updating", "Succeeded")
    time.sleep(0.8)
    assert (state_of(emu, "s11"), state_of(emu, "s12")) == ("Failed", "Succeeded")


def test_deleting_that_succeeds_removes_the_account(emu):
    emu.put_account("s9", body=BODY)
    set_state(emu, "s9", "Deleting", settle_to="Succeeded", after_gets=1)
    assert state_of(emu, "s9") == "Deleting"
    assert state_of(emu, "s9") == 404


def test_deleting_that_fails_leaves_it_failed(emu):
    emu.put_account("s10", body=BODY)
    set_state(emu, "s10", "Deleting", settle_to="Failed", after_gets=0)
    assert state_of(emu, "s10") == "Failed"


def test_settle_to_defaults_to_succeeded_and_by_id(emu):
    doc = emu.put_account("s11", body=BODY).json()
    resp = emu.control("POST", "provisioning-state", json={"id": doc["id"].upper().replace("S11", "s11"),
                                                           "state": "Creating", "after_gets": 0})
    assert resp.status_code == 200 and resp.json()["operation"]["settle_to"] == "Succeeded"
    assert state_of(emu, "s11") == "Succeeded"


def test_missing_account_is_404(emu):
    resp = emu.control("POST", "provisioning-state", json={"resource_group": "demo-rg", "name": "nope", "state": "Failed"})
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "NotFound"


@pytest.mark.parametrize("spec", [
    {"state": "Broken"},
    {"state": "Failed", "settle_to": "Succeeded", "after_gets": 1},
    {"state": "Creating", "settle_to": "Succeeded"},
    {"state": "Creating", "after_gets": 1, "after_seconds": 1},
    {"state": "Creating", "after_gets": -1},
    {"state": "Creating", "after_gets": True},
    {"state": "Creating", "settle_to": "Deleting", "after_gets": 1},
    {"state": "Failed", "extra": 1},
])
def test_bad_requests(emu, spec):
    emu.put_account("s12", body=BODY)
    resp = emu.control("POST", "provisioning-state", json=dict({"resource_group": "demo-rg", "name": "s12"}, **spec))
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "BadRequest", spec
    assert state_of(emu, "s12") is None, "nothing changed (sync mode accounts carry no provisioningState)"


def test_account_named_neither_by_id_nor_by_name(emu):
    for spec in ({"state": "Failed"}, {"id": "/subscriptions/x/resourceGroups/y", "state": "Failed"},
                 {"name": "n", "state": "Failed"}):
        assert emu.control("POST", "provisioning-state", json=spec).status_code == 400


def test_reset_clears_the_state(emu):
    emu.put_account("s13", body=BODY)
    set_state(emu, "s13", "Creating")
    emu.control("POST", "reset")
    emu.login()
    assert emu.put_account("s13", body=BODY).status_code == 201
