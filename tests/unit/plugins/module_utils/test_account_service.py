# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The GET → plan → one write flow, against a fake client that records every request."""

from __future__ import annotations

import pytest

from ansible_collections.azureml.model_management.plugins.module_utils import account_model as m
from ansible_collections.azureml.model_management.plugins.module_utils import account_service as svc
from ansible_collections.azureml.model_management.plugins.module_utils.arm import ArmError
from ansible_collections.azureml.model_management.tests.unit.fakes import SUB, Response, ScriptedClient

PATH = m.account_path(SUB, "rg", "mma")
RG_PATH = m.accounts_path(SUB, "rg")
SUB_PATH = m.accounts_path(SUB)

LOST = True  # third item of a scripted error: the answer of a write was lost (it may have been applied)


RG_MISSING = (404, "ResourceGroupNotFound")
NOT_FOUND = (404, "ResourceNotFound")


def account(**over):
    name = over.get("name", "mma")
    base = {
        "id": "/subscriptions/%s/resourceGroups/rg/providers/%s/%s" % (SUB, m.RESOURCE_TYPE, name),
        "name": name,
        "type": m.RESOURCE_TYPE,
        "location": "eastus2",
        "tags": {"env": "prod"},
        "sku": {"name": "S1", "capacity": 1},
        "properties": {"description": "models", "createdOn": "t0", "modifiedOn": "t0", "modelManagementSwaggerLocation": "u"},
    }
    base.update(over)
    return base


def desired(**params):
    return m.desired_from_params(params)


CREATE = dict(location="East US 2", sku={"name": "s1", "capacity": 1}, description="models", tags={"env": "prod"})
CREATE_BODY = {"location": "eastus2", "sku": {"name": "S1", "capacity": 1}, "tags": {"env": "prod"}, "properties": {"description": "models"}}


MMA = m.AccountId(SUB, "rg", "mma")


def present(client, params, check_mode=False, wait=True):
    return svc.ensure_present(client, MMA, desired(**params), svc.RunOptions(check_mode, wait, 600))


def absent(client, check_mode=False, wait=True):
    return svc.ensure_absent(client, MMA, svc.RunOptions(check_mode, wait, 600))


# ---------------------------------------------------------------------------------------------------------------------
# state=present


@pytest.mark.parametrize("check_mode", [False, True])
def test_unchanged_is_one_get(check_mode):
    client = ScriptedClient(gets=[account()])
    changed, result, diff = present(client, CREATE, check_mode)
    assert client.calls == [("GET", PATH)]
    assert changed is False
    assert result == account()
    assert diff["before"] == diff["after"]


def test_create_is_get_then_put_with_if_none_match():
    created = dict(account(), properties=dict(account()["properties"], createdOn="t1"))
    client = ScriptedClient(gets=[NOT_FOUND], writes=[Response(201, created)])
    changed, result, diff = present(client, CREATE)
    assert client.calls == [("GET", PATH), ("PUT", PATH, CREATE_BODY, {"If-None-Match": "*"})]
    assert changed is True
    assert result == created
    assert diff["before"] == {} and diff["after"]["sku"] == {"name": "S1", "capacity": 1}


def test_create_check_mode_is_get_only_and_predicts():
    client = ScriptedClient(gets=[NOT_FOUND])
    changed, result, diff = present(client, CREATE, check_mode=True)
    assert client.calls == [("GET", PATH)]
    assert changed is True
    assert result == {
        "id": account()["id"], "name": "mma", "type": m.RESOURCE_TYPE, "location": "eastus2",
        "tags": {"env": "prod"}, "sku": {"name": "S1", "capacity": 1}, "properties": {"description": "models"},
    }
    assert diff == {"before": {}, "after": m.managed_view(result)}


def test_get_is_asked_to_treat_only_account_codes_as_missing():
    seen = {}

    class Spy(ScriptedClient):
        def get_or_none(self, path, missing_codes=None):
            seen["codes"] = missing_codes
            return super(Spy, self).get_or_none(path, missing_codes)

    present(Spy(gets=[account()]), CREATE)
    assert "ResourceNotFound" in seen["codes"] and "ResourceGroupNotFound" not in seen["codes"]


@pytest.mark.parametrize("check_mode", [False, True])
def test_missing_resource_group_fails_for_present(check_mode):
    client = ScriptedClient(gets=[RG_MISSING])
    with pytest.raises(ArmError) as info:
        present(client, CREATE, check_mode)
    assert info.value.code == "ResourceGroupNotFound"
    assert client.calls == [("GET", PATH)]


UPDATES = [
    ("sku", dict(sku={"capacity": 3}), {"sku": {"name": "S1", "capacity": 3}, "properties": {}}),
    ("description", dict(description="new"), {"properties": {"description": "new"}}),
    ("tags append", dict(tags={"a": ""}), {"tags": {"env": "prod", "a": ""}, "properties": {}}),
    ("tags purge", dict(tags={"a": "1"}, append_tags=False), {"tags": {"a": "1"}, "properties": {}}),
]


@pytest.mark.parametrize("params, body", [u[1:] for u in UPDATES], ids=[u[0] for u in UPDATES])
def test_update_with_an_etag_is_get_then_patch_if_match(params, body):
    patched = m.apply_patch(account(etag="W/1"), body)
    patched["properties"]["modifiedOn"] = "t1"
    client = ScriptedClient(gets=[account(etag="W/1")], writes=[Response(200, patched)])
    changed, result, diff = present(client, params)
    assert client.calls == [("GET", PATH), ("PATCH", PATH, body, {"If-Match": "W/1"})]
    assert changed is True
    assert result == patched
    assert diff == m.diff_output(account(), patched)


@pytest.mark.parametrize("params, body", [u[1:] for u in UPDATES if u[0] != "tags append"], ids=[u[0] for u in UPDATES if u[0] != "tags append"])
def test_update_without_an_etag_and_without_added_tags_is_get_then_patch(params, body):
    patched = m.apply_patch(account(), body)
    client = ScriptedClient(gets=[account()], writes=[Response(200, patched)])
    changed, result, _diff = present(client, params)
    assert client.calls == [("GET", PATH), ("PATCH", PATH, body, None)]
    assert changed is True and result == patched


TAGS_PATH = PATH + "/providers/Microsoft.Resources/tags/default?api-version=2021-04-01"


def tags_answer(tags):
    return Response(200, {"id": PATH + "/providers/Microsoft.Resources/tags/default", "name": "default",
                          "type": "Microsoft.Resources/tags", "properties": {"tags": tags}})


def test_added_tags_without_an_etag_are_merged_on_the_server():
    """Nothing read earlier is written back: only the added tag travels, and the server merges it."""
    server_tags = {"env": "prod", "a": "", "someone-else": "x"}
    client = ScriptedClient(gets=[account()], writes=[tags_answer(server_tags)])
    changed, result, diff = present(client, dict(tags={"a": "", "env": "prod"}))
    assert client.calls == [("GET", PATH), ("PATCH", TAGS_PATH, {"operation": "Merge", "properties": {"tags": {"a": ""}}}, None)]
    assert changed is True and result["tags"] == server_tags
    assert diff["after"]["tags"] == server_tags


def test_added_tags_and_a_field_without_an_etag_patch_the_field_then_merge_the_tags():
    patched = m.apply_patch(account(), {"sku": {"name": "S1", "capacity": 2}, "properties": {}})
    client = ScriptedClient(gets=[account()], writes=[Response(200, patched), tags_answer({"env": "prod", "b": "2"})])
    changed, result, _diff = present(client, dict(tags={"b": "2"}, sku={"capacity": 2}))
    assert client.calls == [
        ("GET", PATH),
        ("PATCH", PATH, {"sku": {"name": "S1", "capacity": 2}, "properties": {}}, None),
        ("PATCH", TAGS_PATH, {"operation": "Merge", "properties": {"tags": {"b": "2"}}}, None),
    ]
    assert changed is True and result["sku"]["capacity"] == 2 and result["tags"] == {"env": "prod", "b": "2"}


def test_a_changed_tag_value_is_merged_with_the_new_value_only():
    client = ScriptedClient(gets=[account(tags={"env": "prod", "keep": "1"})], writes=[tags_answer({"env": "dev", "keep": "1"})])
    present(client, dict(tags={"ENV": "dev"}))
    assert client.calls[1] == ("PATCH", TAGS_PATH, {"operation": "Merge", "properties": {"tags": {"ENV": "dev"}}}, None)


def test_a_tags_answer_without_tags_is_an_invalid_response():
    client = ScriptedClient(gets=[account(), account()], writes=[Response(200, {"properties": "x"})])
    with pytest.raises(ArmError) as info:
        present(client, dict(tags={"a": "1"}))
    assert info.value.code == "InvalidResponse"


def test_patch_412_rereads_replans_and_retries_with_the_new_etag():
    theirs = account(etag="W/2", tags={"env": "prod", "theirs": "1"})
    body = {"tags": {"env": "prod", "theirs": "1", "mine": "1"}, "properties": {}}
    client = ScriptedClient(gets=[account(etag="W/1"), theirs], writes=[(412, "PreconditionFailed"), Response(200, m.apply_patch(theirs, body))])
    changed, result, _diff = present(client, dict(tags={"mine": "1"}))
    assert client.calls == [
        ("GET", PATH),
        ("PATCH", PATH, {"tags": {"env": "prod", "mine": "1"}, "properties": {}}, {"If-Match": "W/1"}),
        ("GET", PATH),
        ("PATCH", PATH, body, {"If-Match": "W/2"}),
    ]
    assert changed is True and result["tags"] == body["tags"] and len(client.pauses) == 1


def test_412_every_time_gives_up_after_a_bounded_number_of_rounds():
    rounds = svc.MAX_ROUNDS
    client = ScriptedClient(gets=[account(etag="W/%d" % i) for i in range(rounds + 1)], writes=[(412, "PreconditionFailed")] * rounds)
    with pytest.raises(ArmError) as info:
        present(client, dict(description="x"))
    assert info.value.status == 412 and "%d times" % rounds in info.value.message
    assert client.methods().count("PATCH") == rounds
    assert all(later >= 0 for later in client.pauses) and len(client.pauses) == rounds


@pytest.mark.parametrize("params, body", [u[1:] for u in UPDATES], ids=[u[0] for u in UPDATES])
def test_update_check_mode_is_get_only(params, body):
    client = ScriptedClient(gets=[account()])
    changed, result, diff = present(client, params, check_mode=True)
    assert client.calls == [("GET", PATH)]
    assert changed is True
    assert result == m.apply_patch(account(), body)
    assert diff == m.diff_output(account(), result)


@pytest.mark.parametrize("check_mode", [False, True])
@pytest.mark.parametrize("params, fragment", [
    (dict(location="westeurope"), "location cannot be changed (current 'eastus2', requested 'westeurope')"),
])
def test_location_change_is_refused_before_any_write(check_mode, params, fragment):
    client = ScriptedClient(gets=[account()])
    with pytest.raises(m.AccountError) as info:
        present(client, params, check_mode)
    assert fragment in str(info.value)
    assert client.calls == [("GET", PATH)]


@pytest.mark.parametrize("check_mode", [False, True])
def test_create_without_sku_capacity_is_refused_before_any_write(check_mode):
    client = ScriptedClient(gets=[NOT_FOUND])
    with pytest.raises(m.AccountError) as info:
        present(client, dict(location="eastus2", sku={"name": "S1"}), check_mode)
    assert str(info.value) == "creating account 'mma' needs sku.capacity"
    assert client.calls == [("GET", PATH)]


def test_put_412_falls_back_to_get_and_patch():
    theirs = account(etag="W/9", tags={"owner": "them"}, properties={"description": "theirs"})
    patched = m.apply_patch(theirs, {"tags": {"owner": "them", "env": "prod"}, "properties": {"description": "models"}})
    client = ScriptedClient(gets=[NOT_FOUND, theirs], writes=[(412, "PreconditionFailed"), Response(200, patched)])
    changed, result, diff = present(client, CREATE)
    assert client.calls == [
        ("GET", PATH),
        ("PUT", PATH, CREATE_BODY, {"If-None-Match": "*"}),
        ("GET", PATH),
        ("PATCH", PATH, {"tags": {"owner": "them", "env": "prod"}, "properties": {"description": "models"}}, {"If-Match": "W/9"}),
    ]
    assert changed is True and result == patched
    assert diff == m.diff_output(theirs, patched)  # what this task did: its PUT was refused, its PATCH applied


def test_put_412_then_the_account_as_desired_is_someone_elses_create():
    """Issue 15.6: a definite 412 applied nothing; someone else created the account as the task wanted it."""
    client = ScriptedClient(gets=[NOT_FOUND, account()], writes=[(412, "PreconditionFailed")])
    outcome = present(client, CREATE)
    assert client.methods() == ["GET", "PUT", "GET"]
    assert outcome == (False, account(), m.diff_output(account(), account())) and outcome.action == "none"


def test_put_412_after_a_lost_answer_then_the_account_as_desired_is_a_change():
    """Our PUT's answer was lost (timeout, then the retry saw 412): the account as the task meant it may be ours."""
    client = ScriptedClient(gets=[NOT_FOUND, account()], writes=[(412, "PreconditionFailed", LOST)])
    outcome = present(client, CREATE)
    assert client.methods() == ["GET", "PUT", "GET"]
    assert outcome.changed is True and outcome.account == account() and outcome.action == "create"
    assert outcome.diff == {"before": {}, "after": m.managed_view(account())}


def test_put_412_then_other_location_fails():
    client = ScriptedClient(gets=[NOT_FOUND, account(location="westeurope")], writes=[(412, "PreconditionFailed")])
    with pytest.raises(m.AccountError):
        present(client, CREATE)
    assert client.methods() == ["GET", "PUT", "GET"]


def test_put_412_then_gone_again_creates_again():
    client = ScriptedClient(gets=[NOT_FOUND, NOT_FOUND], writes=[(412, "PreconditionFailed"), Response(201, account())])
    changed, result, _diff = present(client, CREATE)
    assert client.methods() == ["GET", "PUT", "GET", "PUT"] and changed is True and result == account()


@pytest.mark.parametrize("status, code", [(400, "InvalidSku"), (403, "AuthorizationFailed"), (409, "Conflict")])
def test_put_errors_propagate(status, code):
    """A definite refusal applied nothing: changed false without reading the account again."""
    client = ScriptedClient(gets=[NOT_FOUND], writes=[(status, code)])
    with pytest.raises(ArmError) as info:
        present(client, CREATE)
    assert info.value.code == code and info.value.changed is False
    assert client.methods() == ["GET", "PUT"]


def test_patch_errors_propagate():
    client = ScriptedClient(gets=[account()], writes=[(400, "BadRequest")])
    with pytest.raises(ArmError):
        present(client, dict(description="x"))
    assert client.methods() == ["GET", "PATCH"]


# ---------------------------------------------------------------------------------------------------------------------
# waiting


ASYNC_RESPONSES = [
    ("201 + Azure-AsyncOperation", Response(201, account(properties={"provisioningState": "Creating"}), {"Azure-AsyncOperation": "https://x/op"})),
    ("202 + Location", Response(202, None, {"Location": "https://x/loc"})),
    ("201 lower-case header", Response(201, account(), {"azure-asyncoperation": "https://x/op"})),
    ("200 non-terminal state", Response(200, account(properties={"provisioningState": "Updating"}))),
]


@pytest.mark.parametrize("response", [a[1] for a in ASYNC_RESPONSES], ids=[a[0] for a in ASYNC_RESPONSES])
def test_async_create_waits_and_returns_final_resource(response):
    final = account(properties={"description": "models", "provisioningState": "Succeeded"})
    client = ScriptedClient(gets=[NOT_FOUND], writes=[response], wait_result=final)
    changed, result, _diff = present(client, CREATE)
    assert client.calls[-1] == ("WAIT", response.status, 600, PATH, False)
    assert client.methods() == ["GET", "PUT", "WAIT"]
    assert changed is True and result == final


def test_async_create_without_wait_returns_first_response():
    first = account(properties={"provisioningState": "Creating"})
    client = ScriptedClient(gets=[NOT_FOUND], writes=[Response(201, first, {"Azure-AsyncOperation": "https://x/op"})])
    changed, result, _diff = present(client, CREATE, wait=False)
    assert client.methods() == ["GET", "PUT"]
    assert changed is True and result == first


def test_async_create_without_wait_and_without_body_returns_prediction():
    client = ScriptedClient(gets=[NOT_FOUND], writes=[Response(202, None, {"Location": "https://x/loc"})])
    changed, result, _diff = present(client, CREATE, wait=False)
    assert changed is True and result["sku"] == {"name": "S1", "capacity": 1} and result["name"] == "mma"


def test_sync_create_does_not_wait():
    client = ScriptedClient(gets=[NOT_FOUND], writes=[Response(201, account())])
    present(client, CREATE)
    assert client.methods() == ["GET", "PUT"]


def test_failed_async_create_raises_azure_error():
    client = ScriptedClient(gets=[NOT_FOUND, account()], writes=[Response(201, None, {"Azure-AsyncOperation": "https://x/op"})],
                            wait_result=(200, "InternalServerError"))
    with pytest.raises(ArmError) as info:
        present(client, CREATE)
    assert info.value.code == "InternalServerError"


def test_async_patch_waits():
    final = account(sku={"name": "S1", "capacity": 4})
    client = ScriptedClient(gets=[account()], writes=[Response(202, None, {"Location": "https://x/loc"})], wait_result=final)
    changed, result, _diff = present(client, dict(sku={"capacity": 4}))
    assert client.methods() == ["GET", "PATCH", "WAIT"]
    assert result == final


# ---------------------------------------------------------------------------------------------------------------------
# state=absent


def test_delete_is_get_then_delete():
    client = ScriptedClient(gets=[account()], writes=[Response(200)])
    changed, result, diff = absent(client)
    assert client.calls == [("GET", PATH), ("DELETE", PATH, None, None)]
    assert changed is True and result == {}
    assert diff == {"before": m.managed_view(account()), "after": {}}


def test_delete_check_mode_is_get_only():
    client = ScriptedClient(gets=[account()])
    changed, result, diff = absent(client, check_mode=True)
    assert client.calls == [("GET", PATH)]
    assert changed is True and result == {}
    assert diff == {"before": m.managed_view(account()), "after": {}}


@pytest.mark.parametrize("check_mode", [False, True])
@pytest.mark.parametrize("answer", [NOT_FOUND, RG_MISSING], ids=["account missing", "resource group missing"])
def test_absent_absent_is_one_get(check_mode, answer):
    client = ScriptedClient(gets=[answer])
    changed, result, diff = absent(client, check_mode)
    assert client.calls == [("GET", PATH)]
    assert changed is False and result == {} and diff == {"before": {}, "after": {}}


@pytest.mark.parametrize("answer", [Response(204), NOT_FOUND], ids=["204", "404"])
def test_delete_answered_already_gone_is_someone_elses_delete(answer):
    """Issue 15.10: our only DELETE found nothing to delete: someone else deleted the account after our GET."""
    client = ScriptedClient(gets=[account()], writes=[answer])
    outcome = absent(client)
    assert client.methods() == ["GET", "DELETE"]
    assert outcome == (False, {}, {"before": {}, "after": {}}) and outcome.action == "none"


@pytest.mark.parametrize("answer", [Response(204, answer_lost=True), (404, "ResourceNotFound", LOST)], ids=["204", "404"])
def test_delete_answered_already_gone_after_a_lost_answer_is_a_change(answer):
    """DELETE 200 lost, retried, answered 204 (or 404): the first attempt may have deleted it; changed."""
    client = ScriptedClient(gets=[account()], writes=[answer])
    outcome = absent(client)
    assert client.methods() == ["GET", "DELETE"]
    assert outcome.changed is True and outcome.account == {} and outcome.diff["after"] == {} and outcome.action == "delete"


def test_async_delete_waits_without_final_get():
    client = ScriptedClient(gets=[account()], writes=[Response(202, None, {"Location": "https://x/loc"})], wait_result=None)
    changed, result, _diff = absent(client)
    assert client.calls[-1] == ("WAIT", 202, 600, PATH, True)
    assert changed is True and result == {}


def test_async_delete_without_wait():
    client = ScriptedClient(gets=[account()], writes=[Response(202, None, {"Location": "https://x/loc"})])
    changed, _result, _diff = absent(client, wait=False)
    assert client.methods() == ["GET", "DELETE"]
    assert changed is True


def test_delete_errors_propagate():
    client = ScriptedClient(gets=[account(), account()], writes=[(409, "Conflict")])
    with pytest.raises(ArmError) as info:
        absent(client)
    assert info.value.changed is False


# ---------------------------------------------------------------------------------------------------------------------
# account_info


def test_get_one():
    client = ScriptedClient(gets=[account()])
    assert svc.get_accounts(client, SUB, "rg", "mma") == [account()]
    assert client.calls == [("GET", PATH)]


@pytest.mark.parametrize("answer", [NOT_FOUND, RG_MISSING])
def test_get_one_missing_is_empty(answer):
    assert svc.get_accounts(ScriptedClient(gets=[answer]), SUB, "rg", "mma") == []


def test_list_in_group_and_subscription():
    a, b = account(), account(name="other", tags={"env": "dev"})
    client = ScriptedClient(lists={RG_PATH: [a, b], SUB_PATH: [b]})
    assert svc.get_accounts(client, SUB, "rg") == [a, b]
    assert svc.get_accounts(client, SUB) == [b]
    assert client.calls == [("LIST", RG_PATH), ("LIST", SUB_PATH)]


def test_list_filters_by_tags():
    a, b = account(), account(name="other", tags={"Env": "dev"})
    client = ScriptedClient(lists={SUB_PATH: [a, b]})
    assert svc.get_accounts(client, SUB, tag_filters=["ENV:dev"]) == [b]


@pytest.mark.parametrize("group, name, answered, words", [
    ("rg", None, dict(id="/subscriptions/%s/resourceGroups/other/providers/%s/mma" % (SUB, m.RESOURCE_TYPE)), "not in the listed scope"),
    (None, None, dict(id="/subscriptions/%s/resourceGroups/rg/providers/Microsoft.Other/things/mma" % SUB), "is not the id of"),
    ("rg", "mma", dict(id="/subscriptions/%s/resourceGroups/rg/providers/%s/victim" % (SUB, m.RESOURCE_TYPE), name="victim"), "account mma"),
])
def test_an_answer_about_an_account_outside_the_scope_asked_for_fails(group, name, answered, words):
    """account_info trusts no id: an item of another group, another type, or another account is an InvalidResponse."""
    item = account(**answered)
    client = ScriptedClient(gets=[item], lists={RG_PATH: [item], SUB_PATH: [item]})
    with pytest.raises(ArmError) as caught:
        svc.get_accounts(client, SUB, group, name)
    assert caught.value.code == "InvalidResponse" and words in str(caught.value), str(caught.value)


def test_list_in_missing_group_is_empty():
    assert svc.get_accounts(ScriptedClient(lists={RG_PATH: RG_MISSING}), SUB, "rg") == []


def test_list_other_errors_propagate():
    with pytest.raises(ArmError):
        svc.get_accounts(ScriptedClient(lists={SUB_PATH: (403, "AuthorizationFailed")}), SUB)


# ---------------------------------------------------------------------------------------------------------------------
# accounts that are not Succeeded (issue 6, defect 3)


def failed(state="Failed", **over):
    over.setdefault("properties", dict(account()["properties"], provisioningState=state))
    return account(**over)


REPAIR_BODY = {"location": "eastus2", "sku": {"name": "S1", "capacity": 1}, "tags": {"env": "prod"}, "properties": {"description": "models"}}


@pytest.mark.parametrize("state", ["Failed", "Canceled", "Cancelled"])
def test_a_failed_account_as_desired_is_repaired_with_a_full_put_guarded_by_its_etag(state):
    repaired = account(etag="W/2", properties=dict(account()["properties"], provisioningState="Succeeded"))
    client = ScriptedClient(gets=[failed(state, etag="W/1")], writes=[Response(200, repaired)])
    changed, result, diff = present(client, CREATE)
    assert client.calls == [("GET", PATH), ("PUT", PATH, REPAIR_BODY, {"If-Match": "W/1"})]
    assert changed is True and result == repaired
    assert diff["before"]["provisioning_state"] == state and diff["after"]["provisioning_state"] == "Succeeded"


def test_a_failed_account_repair_applies_the_task_on_top_of_the_current_account():
    repaired = account(tags={"keep": "1", "new": "2"}, sku={"name": "S1", "capacity": 5})
    client = ScriptedClient(gets=[failed(tags={"keep": "1"})], writes=[Response(200, repaired)])
    present(client, dict(tags={"new": "2"}, sku={"capacity": 5}))
    assert client.calls[1] == ("PUT", PATH, {"location": "eastus2", "sku": {"name": "S1", "capacity": 5},
                                             "tags": {"keep": "1", "new": "2"}, "properties": {"description": "models"}}, None)


def test_a_failed_account_check_mode_predicts_the_repair_and_sends_nothing():
    client = ScriptedClient(gets=[failed()])
    changed, result, diff = present(client, CREATE, check_mode=True)
    assert client.calls == [("GET", PATH)]
    assert changed is True and result["properties"]["provisioningState"] == "Succeeded"
    assert diff["before"]["provisioning_state"] == "Failed" and diff["after"]["provisioning_state"] == "Succeeded"


@pytest.mark.parametrize("check_mode", [False, True])
def test_a_failed_account_in_another_location_fails_naming_the_state(check_mode):
    client = ScriptedClient(gets=[failed()])
    with pytest.raises(m.AccountError) as info:
        present(client, dict(location="westus"), check_mode)
    assert "is Failed" in str(info.value) and "location cannot be changed" in str(info.value)
    assert client.calls == [("GET", PATH)]


def test_a_repair_that_fails_again_reports_the_operation_state():
    from ansible_collections.azureml.model_management.plugins.module_utils.arm_errors import OperationFailed

    client = ScriptedClient(gets=[failed(), failed()], writes=[Response(201, None, {"Azure-AsyncOperation": "https://x/op"})],
                            wait_result=None)

    def failing_wait(*_args, **_kwargs):
        raise OperationFailed("PUT x", "Failed", {"code": "NoCapacity", "message": "m"})

    client.wait = failing_wait
    with pytest.raises(ArmError) as info:
        present(client, CREATE)
    assert str(info.value) == "PUT x ended Failed: NoCapacity: m"


@pytest.mark.parametrize("state", ["Creating", "Updating", "Accepted"])
def test_a_running_account_is_waited_for_then_planned(state):
    running = failed(state)
    client = ScriptedClient(gets=[running, running, account()], writes=[])
    outcome = present(client, CREATE)
    assert client.methods() == ["GET", "GET", "GET"] and client.pauses == [1, 2]
    assert outcome.account == account()
    assert outcome.changed is False and outcome.action == "none"  # issue 15.6: someone else's operation, not this task's write


def test_a_running_account_that_ends_failed_is_repaired():
    client = ScriptedClient(gets=[failed("Creating"), failed("Failed")], writes=[Response(200, account())])
    changed, _result, _diff = present(client, CREATE)
    assert client.methods() == ["GET", "GET", "PUT"] and changed is True


def test_a_running_account_that_needs_a_write_without_wait_fails_naming_the_state():
    client = ScriptedClient(gets=[failed("Updating")])
    with pytest.raises(m.AccountError) as info:
        present(client, dict(CREATE, description="new"), wait=False)
    assert "is Updating" in str(info.value) and client.methods() == ["GET"]


@pytest.mark.parametrize("check_mode", [False, True])
@pytest.mark.parametrize("state", ["Creating", "Updating"])
def test_without_wait_a_running_account_that_needs_no_write_is_unchanged(state, check_mode):
    """Issue 20.7: with wait: false the real run failed ("cannot be changed until that finishes") for an account that
    already matched, while check mode said unchanged; someone else's operation needs waiting for only by a write."""
    client = ScriptedClient(gets=[failed(state)])
    outcome = present(client, CREATE, check_mode=check_mode, wait=False)
    assert (outcome.changed, outcome.action, outcome.busy) == (False, "none", state)
    assert client.methods() == ["GET"] and client.pauses == []


@pytest.mark.parametrize("check_mode", [False, True])
def test_without_wait_a_deleting_account_is_not_taken_as_matching(check_mode):
    client = ScriptedClient(gets=[failed("Deleting")])
    with pytest.raises(m.AccountError) as info:
        present(client, CREATE, check_mode=check_mode, wait=False)
    assert "is Deleting" in str(info.value)


def test_a_running_account_that_never_finishes_times_out():
    client = ScriptedClient(gets=[failed("Creating")] * 500)
    with pytest.raises(ArmError) as info:
        svc.ensure_present(client, MMA, desired(**CREATE), svc.RunOptions(False, True, 30))
    assert info.value.code == "WaitTimeout" and "Creating" in info.value.message


def test_a_deleting_account_for_absent_is_waited_for_until_gone():
    client = ScriptedClient(gets=[failed("Deleting"), failed("Deleting"), NOT_FOUND])
    changed, result, _diff = absent(client)
    assert client.methods() == ["GET", "GET", "GET"] and result == {} and changed is False  # someone else's DELETE


def test_a_failed_account_is_deleted_normally():
    client = ScriptedClient(gets=[failed()], writes=[Response(200)])
    changed, _result, _diff = absent(client)
    assert client.methods() == ["GET", "DELETE"] and changed is True


# ---------------------------------------------------------------------------------------------------------------------
# malformed accounts (issue 6, defect 6)


@pytest.mark.parametrize("bad", [
    "text", ["a"], {"tags": ["a"]}, {"tags": {"a": 1}}, {"sku": "S1"}, {"sku": {"capacity": "2"}}, {"location": ["eastus"]},
    {"properties": "x"}, {"properties": {"provisioningState": 3}}, {"etag": 5},
])
def test_a_malformed_account_is_an_invalid_response_not_a_crash(bad):
    body = bad if not isinstance(bad, dict) else dict(account(), **bad)
    for run in (lambda c: present(c, CREATE), absent, lambda c: svc.get_accounts(c, SUB, "rg", "mma"),
                lambda c: svc.get_accounts(c, SUB, "rg")):
        client = ScriptedClient(gets=[body], lists={RG_PATH: [body]})
        with pytest.raises(ArmError) as info:
            run(client)
        assert info.value.code == "InvalidResponse"


@pytest.mark.parametrize("write, final", [
    ("PATCH", account()),                                   # 202, polled, nothing changed
    ("PUT", account(sku={"name": "S1", "capacity": 9})),    # created, but not as asked
])
def test_an_accepted_write_that_does_not_show_fails_instead_of_reporting_a_change(write, final):
    gets = [account()] if write == "PATCH" else [NOT_FOUND]
    client = ScriptedClient(gets=gets, writes=[Response(202 if write == "PATCH" else 201, None)], wait_result=final)
    with pytest.raises(ArmError) as info:
        present(client, dict(CREATE, sku={"name": "S1", "capacity": 3}))
    assert info.value.code == "WriteNotApplied" and "sku" in info.value.message
    assert client.methods() == ["GET", write, "WAIT"]


def test_without_wait_the_answer_is_not_verified():
    client = ScriptedClient(gets=[account()], writes=[Response(202, None, {"Location": "https://x/loc"})])
    changed, result, _diff = present(client, dict(sku={"capacity": 3}), wait=False)
    assert changed is True and result["sku"]["capacity"] == 3  # the prediction: nothing to verify against yet


# ---------------------------------------------------------------------------------------------------------------------
# a failure after a write was sent still tells whether the account changed


@pytest.mark.parametrize("after, changed", [(account(), True), (NOT_FOUND, False), ((500, "InternalServerError"), True)],
                         ids=["created anyway", "nothing there", "cannot tell"])
def test_a_create_whose_wait_fails_reports_whether_the_account_changed(after, changed):
    client = ScriptedClient(gets=[NOT_FOUND, after], writes=[Response(201, None, {"Azure-AsyncOperation": "https://x/op"})],
                            wait_result=(0, "WaitTimeout"))
    with pytest.raises(ArmError) as info:
        present(client, CREATE)
    assert info.value.code == "WaitTimeout" and info.value.changed is changed
    assert client.methods() == ["GET", "PUT", "WAIT", "GET"]


def test_a_rejected_write_reports_no_change():
    client = ScriptedClient(gets=[account(), account()], writes=[(400, "BadRequest")])
    with pytest.raises(ArmError) as info:
        present(client, dict(description="x"))
    assert info.value.changed is False


def test_a_delete_whose_wait_times_out_reports_whether_it_is_gone():
    client = ScriptedClient(gets=[account(), NOT_FOUND], writes=[Response(202, None, {"Location": "https://x/loc"})],
                            wait_result=(0, "WaitTimeout"))
    with pytest.raises(ArmError) as info:
        absent(client)
    assert info.value.changed is True


# ---------------------------------------------------------------------------------------------------------------------
# fleet hooks: planning from a list answer, and a purge that re-checks the account at the moment of the DELETE


def not_managed(account_now):
    """A purge's re-check: the account must still carry managed-by=ansible."""
    return None if (account_now.get("tags") or {}).get("managed-by") == "ansible" else "it no longer has the tag managed-by=ansible"


MANAGED = account(tags={"managed-by": "ansible"}, etag='"e1"')


def purge(client, listed, check_mode=False):
    return svc.ensure_absent(client, MMA, svc.RunOptions(check_mode, True, 600), listed=listed, recheck=not_managed)


def test_a_listed_account_is_planned_without_a_get_and_its_etag_guards_the_write():
    client = ScriptedClient(writes=[Response(200, account(sku={"name": "S1", "capacity": 2}, etag='"e2"'))])
    changed, _result, _diff = svc.ensure_present(client, MMA, desired(sku={"capacity": 2}), svc.RunOptions(False, True, 600),
                                                 listed=account(etag='"e1"'))
    assert changed and client.methods() == ["PATCH"] and client.calls[0][3] == {"If-Match": '"e1"'}


def test_an_account_missing_from_the_list_is_created_with_if_none_match():
    client = ScriptedClient(writes=[Response(201, account())])
    changed, _result, _diff = svc.ensure_present(client, MMA, desired(**CREATE), svc.RunOptions(False, True, 600), listed=None)
    assert changed and client.methods() == ["PUT"] and client.calls[0][3] == {"If-None-Match": "*"}


def test_purge_deletes_with_if_match_of_the_listed_etag():
    client = ScriptedClient(writes=[Response(200)])
    assert purge(client, MANAGED)[0] is True
    assert client.calls == [("DELETE", PATH, None, {"If-Match": '"e1"'})]


def test_purge_of_an_account_retagged_since_the_listing_is_skipped_after_the_412():
    retagged = account(tags={"managed-by": "someone"}, etag='"e2"')
    client = ScriptedClient(gets=[retagged], writes=[(412, "PreconditionFailed")])
    with pytest.raises(svc.DeleteSkipped) as info:
        purge(client, MANAGED)
    assert "no longer has the tag" in str(info.value) and info.value.changed is False
    assert client.methods() == ["DELETE", "GET"]  # the refused DELETE, the re-read; no second DELETE


@pytest.mark.parametrize("now, changed", [
    (account(tags={}, etag='"e9"', properties=dict(account()["properties"], createdOn="t1")), True),  # deleted, then created again
    (account(tags={"managed-by": "someone"}, etag='"e2"'), False),  # the same account (createdOn t0), re-tagged: never deleted
], ids=["re-created", "re-tagged"])
def test_a_purge_skipped_after_a_412_that_followed_a_lost_answer_asks_whether_its_delete_applied(now, changed):
    """Issue 20.5: the DELETE was applied and its answer lost; the retry answered 412 because someone re-created the
    account without the purge tags. The skip said changed: false although this task's DELETE had been applied."""
    client = ScriptedClient(gets=[now], writes=[(412, "PreconditionFailed", LOST)])
    with pytest.raises(svc.DeleteSkipped) as info:
        purge(client, MANAGED)
    assert info.value.changed is changed and client.methods() == ["DELETE", "GET"]
    assert ("earlier DELETE lost its answer" in str(info.value)) is changed, str(info.value)


def test_an_etag_that_cannot_go_into_a_header_is_an_invalid_response_naming_where_it_came_from():
    """Issue 20.6: an etag with a character outside Latin-1 failed each account with UnicodeEncodeError, changed: true."""
    client = ScriptedClient(gets=[account(etag='"e\u20ac"')])
    with pytest.raises(ArmError) as info:
        present(client, dict(description="x"))
    assert info.value.code == "InvalidResponse" and info.value.message.startswith("GET %s: " % PATH) and "etag" in info.value.message
    assert client.methods() == ["GET"] and info.value.changed is False
    client = ScriptedClient()
    with pytest.raises(ArmError) as info:
        purge(client, account(tags={"managed-by": "ansible"}, etag='"e\u20ac"'))
    assert info.value.message.startswith("the list answer for %s: " % PATH) and client.calls == []


def test_purge_without_an_etag_reads_again_right_before_the_delete():
    listed = account(tags={"managed-by": "ansible"})
    client = ScriptedClient(gets=[account(tags={"managed-by": "someone"})])
    with pytest.raises(svc.DeleteSkipped):
        purge(client, listed)
    assert client.methods() == ["GET"]
    client = ScriptedClient(gets=[listed], writes=[Response(200)])
    assert purge(client, listed)[0] is True
    assert client.methods() == ["GET", "DELETE"] and client.calls[1][3] is None


def test_a_delete_after_a_re_read_is_conditional_on_the_etag_of_that_read():
    """Issue 20.8: the candidate was listed without an etag and read again, but its DELETE carried no If-Match, so a
    change between the read and the DELETE was lost."""
    listed = account(tags={"managed-by": "ansible"})
    client = ScriptedClient(gets=[dict(listed, etag='"e7"')], writes=[Response(200)])
    assert purge(client, listed)[0] is True
    assert client.calls == [("GET", PATH), ("DELETE", PATH, None, {"If-Match": '"e7"'})]
    retagged = account(tags={"managed-by": "someone"}, etag='"e8"')
    client = ScriptedClient(gets=[dict(listed, etag='"e7"'), retagged], writes=[(412, "PreconditionFailed")])
    with pytest.raises(svc.DeleteSkipped):
        purge(client, listed)
    assert client.methods() == ["GET", "DELETE", "GET"]  # the 412 of the guarded DELETE re-reads and re-checks


def test_purge_of_an_account_someone_else_deleted_reports_no_change():
    client = ScriptedClient(gets=[None])
    assert purge(client, account(tags={"managed-by": "ansible"}))[0] is False
    client = ScriptedClient(gets=[None], writes=[(412, "PreconditionFailed")])
    assert purge(client, MANAGED)[0] is False


def test_purge_check_mode_rechecks_the_listed_account_and_sends_nothing():
    client = ScriptedClient()
    assert purge(client, MANAGED, check_mode=True)[0] is True and client.calls == []
    with pytest.raises(svc.DeleteSkipped):
        purge(client, account(tags={}, etag='"e1"'), check_mode=True)


# ---------------------------------------------------------------------------------------------------------------------
# issue 15.6: changed means "this task wrote, or may have written"; a definite refusal applied nothing

BUSY = (409, "AnotherOperationInProgress")


def test_a_409_another_operation_without_wait_fails_naming_it_and_reports_no_change():
    client = ScriptedClient(gets=[account(etag="W/1")], writes=[BUSY])
    with pytest.raises(ArmError) as info:
        present(client, dict(description="x"), wait=False)
    err = info.value
    assert err.status == 409 and err.code == "AnotherOperationInProgress" and err.changed is False
    assert "another operation" in err.message.lower() and "wait: true" in err.message
    assert client.methods() == ["GET", "PATCH"]


def test_a_409_another_operation_with_wait_waits_for_it_and_plans_again():
    theirs = account(etag="W/2", properties=dict(account()["properties"], provisioningState="Updating"))
    done = account(etag="W/3", sku={"name": "S1", "capacity": 2})
    patched = m.apply_patch(done, {"properties": {"description": "x"}})
    client = ScriptedClient(gets=[account(etag="W/1"), theirs, done], writes=[BUSY, Response(200, patched)])
    outcome = present(client, dict(description="x"))
    assert client.methods() == ["GET", "PATCH", "GET", "GET", "PATCH"]
    assert client.calls[-1][3] == {"If-Match": "W/3"}  # planned again on the account as the other operation left it
    assert outcome.changed is True and outcome.account == patched and outcome.action == "update"
    assert outcome.diff == m.diff_output(done, patched)


def test_a_409_another_operation_that_leaves_the_account_as_desired_is_no_change():
    client = ScriptedClient(gets=[NOT_FOUND, account()], writes=[BUSY])
    outcome = present(client, CREATE)
    assert client.methods() == ["GET", "PUT", "GET"] and outcome.changed is False and outcome.action == "none"


def test_a_409_another_operation_that_never_ends_is_bounded_by_wait_timeout():
    client = ScriptedClient(gets=[account()] * 200, writes=[BUSY] * 200)
    with pytest.raises(ArmError) as info:
        svc.ensure_present(client, MMA, desired(description="x"), svc.RunOptions(False, True, 30))
    err = info.value
    assert err.code == "AnotherOperationInProgress" and "30 seconds" in err.message and err.changed is False
    assert sum(client.pauses) <= 30 + 5


def test_a_409_another_operation_on_delete_waits_then_finds_it_gone():
    client = ScriptedClient(gets=[account(), NOT_FOUND], writes=[BUSY])
    outcome = absent(client)
    assert client.methods() == ["GET", "DELETE", "GET"] and outcome.changed is False and outcome.account == {}


def test_a_tag_merge_refused_without_an_etag_reports_no_change_whatever_others_wrote():
    """Issue 15.6: 400 InvalidTagCount applied nothing; a concurrent writer's tag is not this task's change."""
    client = ScriptedClient(gets=[account(), account(tags={"env": "prod", "theirs": "1"})], writes=[(400, "InvalidTagCount")])
    with pytest.raises(ArmError) as info:
        present(client, dict(tags={"mine": "1"}))
    assert info.value.code == "InvalidTagCount" and info.value.changed is False
    assert client.methods() == ["GET", "PATCH"]


def test_a_task_that_fails_part_way_says_what_was_applied_and_what_was_not():
    """No etag: the SKU is patched, then the Tags API refuses (403): changed, and the message says both."""
    patched = m.apply_patch(account(), {"sku": {"name": "S1", "capacity": 2}, "properties": {}})
    client = ScriptedClient(gets=[account()], writes=[Response(200, patched), (403, "AuthorizationFailed")])
    with pytest.raises(ArmError) as info:
        present(client, dict(tags={"b": "2"}, sku={"capacity": 2}))
    err = info.value
    assert err.status == 403 and err.changed is True
    assert str(err).startswith("403 AuthorizationFailed: boom")
    assert "applied: the PATCH of sku" in err.message and "not applied: the Tags API merge of tag b" in err.message


@pytest.mark.parametrize("now, changed", [
    (account(sku={"name": "S1", "capacity": 2}), True),                    # our PATCH shows
    (account(properties=dict(account()["properties"], description="theirs")), False),  # only someone else's change
    (account(), False),                                                     # nothing applied
    ((500, "InternalServerError"), True),                                   # cannot tell
], ids=["ours shows", "only theirs", "nothing", "cannot tell"])
def test_a_lost_answer_compares_the_account_read_afterwards_with_what_the_task_meant_to_write(now, changed):
    client = ScriptedClient(gets=[account(), now], writes=[(0, "ReadTimeout", LOST)])
    with pytest.raises(ArmError) as info:
        present(client, dict(sku={"capacity": 2}))
    assert info.value.code == "ReadTimeout" and info.value.changed is changed
    assert client.methods() == ["GET", "PATCH", "GET"]


@pytest.mark.parametrize("now, changed", [(account(), True), (NOT_FOUND, False)])
def test_a_lost_create_answer_is_a_change_when_the_account_exists_afterwards(now, changed):
    client = ScriptedClient(gets=[NOT_FOUND, now], writes=[(502, "BadGateway", LOST)])
    with pytest.raises(ArmError) as info:
        present(client, CREATE)
    assert info.value.changed is changed


@pytest.mark.parametrize("now, changed", [(NOT_FOUND, True), (failed("Deleting"), True), (account(), False), (failed("Updating"), False)])
def test_a_lost_delete_answer_is_a_change_when_the_account_is_gone_or_going_afterwards(now, changed):
    client = ScriptedClient(gets=[account(), now], writes=[(0, "ConnectionError", LOST)])
    with pytest.raises(ArmError) as info:
        absent(client)
    assert info.value.changed is changed


# ---------------------------------------------------------------------------------------------------------------------
# issue 15.7: check mode never waits for other people's operations; issue 17.4: the action the task took


@pytest.mark.parametrize("state", ["Creating", "Updating"])
def test_check_mode_plans_on_a_running_account_without_waiting_and_says_it_is_busy(state):
    running = failed(state)
    client = ScriptedClient(gets=[running])
    outcome = present(client, dict(description="new"), check_mode=True)
    assert client.calls == [("GET", PATH)] and client.pauses == []
    assert outcome.changed is True and outcome.action == "update" and outcome.busy == state
    assert outcome.account["properties"]["description"] == "new"
    assert (outcome.diff["before"]["provisioning_state"], outcome.diff["after"]["provisioning_state"]) == (state, "Succeeded")


def test_check_mode_on_a_deleting_account_predicts_a_create():
    client = ScriptedClient(gets=[failed("Deleting")])
    outcome = present(client, CREATE, check_mode=True)
    assert client.calls == [("GET", PATH)] and client.pauses == []
    assert outcome.changed is True and outcome.action == "create" and outcome.busy == "Deleting"


@pytest.mark.parametrize("state, changed, action", [("Deleting", False, "none"), ("Updating", True, "delete")])
def test_check_mode_absent_on_a_running_account_does_not_wait(state, changed, action):
    client = ScriptedClient(gets=[failed(state)])
    outcome = absent(client, check_mode=True)
    assert client.calls == [("GET", PATH)] and client.pauses == []
    assert (outcome.changed, outcome.action, outcome.busy, outcome.account) == (changed, action, state, {})


def test_check_mode_with_wait_false_on_a_running_account_that_needs_a_write_fails_as_the_real_run_would():
    client = ScriptedClient(gets=[failed("Updating")])
    with pytest.raises(m.AccountError):
        present(client, dict(CREATE, description="new"), check_mode=True, wait=False)


@pytest.mark.parametrize("check_mode, wait, waiter, waits", [
    (True, True, "_CheckMode", False), (True, False, "_NoWait", False), (False, False, "_NoWait", False), (False, True, "_Settle", True),
])
def test_check_mode_is_a_waiter_that_never_waits(check_mode, wait, waiter, waits):
    """One object says what a task does about running operations; check mode's predicts instead of waiting."""
    chosen = svc.waiter_for(ScriptedClient(), MMA, svc.RunOptions(check_mode, wait, 600))
    assert type(chosen).__name__ == waiter and chosen.waits is waits
    if not waits:
        planned_on, busy = chosen.running(failed("Updating"))
        assert busy == "Updating" and m.provisioning_state_of(planned_on) is None


@pytest.mark.parametrize("verb", ["present", "absent"])
def test_one_driver_gives_up_after_the_same_number_of_412_rounds_for_both_verbs(verb):
    """ensure_present and ensure_absent share the rounds: MAX_ROUNDS refusals, a jittered pause before each re-read."""
    gets = [account(etag="W/%d" % i) for i in range(1, svc.MAX_ROUNDS + 2)]
    client = ScriptedClient(gets=gets, writes=[(412, "PreconditionFailed")] * svc.MAX_ROUNDS)
    with pytest.raises(ArmError) as failure:
        if verb == "present":
            present(client, dict(description="new"))
        else:
            svc.ensure_absent(client, MMA, svc.RunOptions(False, True, 600), listed=gets[0], recheck=lambda account: None)
    assert failure.value.status == 412 and "%d times in a row" % svc.MAX_ROUNDS in failure.value.message
    assert len(client.pauses) == svc.MAX_ROUNDS and len([c for c in client.calls if c[0] in ("PATCH", "DELETE")]) == svc.MAX_ROUNDS


@pytest.mark.parametrize("gets, writes, params, action", [
    ([account()], [], CREATE, "none"),
    ([NOT_FOUND], [Response(201, account())], CREATE, "create"),
    ([account()], [Response(200, account(sku={"name": "S1", "capacity": 3}))], dict(sku={"capacity": 3}), "update"),
    ([failed()], [Response(200, account())], CREATE, "repair"),
    ([NOT_FOUND, account(etag="W/9")], [(412, "PreconditionFailed"), Response(200, account(properties={"description": "other"}))],
     dict(CREATE, sku={"name": "S1", "capacity": 1}, description="other"), "update"),
], ids=["none", "create", "update", "repair", "412 then update"])
def test_the_outcome_names_the_action_taken(gets, writes, params, action):
    outcome = present(ScriptedClient(gets=gets, writes=writes), params)
    assert outcome.action == action and outcome.changed is (action != "none")
    assert present(ScriptedClient(gets=gets[:1]), params, check_mode=True).action == ("create" if action == "update" and len(gets) > 1 else action)


def test_the_outcome_still_unpacks_as_changed_account_diff():
    changed, result, diff = present(ScriptedClient(gets=[account()]), CREATE)
    assert (changed, result, diff) == (False, account(), m.diff_output(account(), account()))


def test_an_account_as_reported_says_succeeded_when_azure_omits_the_state():
    """Issue 14.5: Resource Manager omits provisioningState when it is Succeeded; results say it."""
    reported = svc.as_reported(account())
    assert reported["properties"]["provisioningState"] == "Succeeded" and "provisioningState" not in account()["properties"]
    assert svc.as_reported(failed("Creating"))["properties"]["provisioningState"] == "Creating"
    assert svc.as_reported({}) == {} and svc.as_reported(dict(account(), properties=None))["properties"] == {"provisioningState": "Succeeded"}


# ---------------------------------------------------------------------------------------------------------------------
# issue 15.8: Azure compares names ignoring case and keeps the creation casing; --diff never shows a casing-only change


def test_a_name_spelled_in_another_case_never_shows_in_the_diff():
    """The task says 'mma', the account was created as 'MMA'; an answer that echoes the task's spelling changes nothing."""
    theirs = account(name="MMA", etag="W/1")
    echoed = m.apply_patch(dict(theirs, name="mma"), {"properties": {"description": "new"}})
    outcome = present(ScriptedClient(gets=[theirs], writes=[Response(200, echoed)]), dict(description="new"))
    assert outcome.diff["before"]["name"] == outcome.diff["after"]["name"] == "MMA"
    assert outcome.diff["before"]["description"] == "models" and outcome.diff["after"]["description"] == "new"
    checked = present(ScriptedClient(gets=[theirs]), dict(description="new"), check_mode=True)
    assert checked.diff["before"]["name"] == checked.diff["after"]["name"] == "MMA"


def test_a_name_that_really_differs_still_shows():
    assert m.diff_view(account(name="a"), account(name="b"))["after"]["name"] == "b"
