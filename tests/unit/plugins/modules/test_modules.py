# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The modules' main(): argument spec behaviour and results, with the ARM client replaced by a recording fake."""

from __future__ import annotations

import importlib
import json

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.azureml.model_management.plugins.module_utils import account_model as m
from ansible_collections.azureml.model_management.plugins.module_utils import base
from ansible_collections.azureml.model_management.plugins.module_utils.arm import ArmError
from ansible_collections.azureml.model_management.plugins.modules import account as account_module
from ansible_collections.azureml.model_management.plugins.modules import account_info as account_info_module
from ansible_collections.azureml.model_management.plugins.modules import operations_info as operations_info_module
from ansible_collections.azureml.model_management.tests.unit.fakes import SUB, FixedAnswerClient, Response

PATH = m.account_path(SUB, "rg", "mma")

ACCOUNT = {
    "id": "/subscriptions/%s/resourceGroups/rg/providers/%s/mma" % (SUB, m.RESOURCE_TYPE),
    "name": "mma",
    "type": m.RESOURCE_TYPE,
    "location": "eastus2",
    "tags": {"env": "prod"},
    "sku": {"name": "S1", "capacity": 1},
    "properties": {"description": "models"},
}
# What the modules return for it (issue 14.5): Azure omits provisioningState when it is Succeeded; results say it.
REPORTED = dict(ACCOUNT, properties=dict(ACCOUNT["properties"], provisioningState="Succeeded"))
LISTED = dict(REPORTED, resource_group="rg")  # account_info adds the resource group
ENTRY = dict(name="mma", resource_group="rg", location="eastus2", sku={"name": "S1", "capacity": 1}, description="models",
             tags={"env": "prod"})


@pytest.fixture
def client(monkeypatch):
    """Every AzureMLModule gets this fake instead of a real ArmClient; the subscription comes from the environment.

    The modules run as they do on a managed host: once a test in the same process has imported controller code
    (the inventory plugin's tests use the Templar), ansible-core 2.19+ sends module warnings to the controller's
    display instead of the result, unless ``_internal.is_controller`` is false again.
    """
    try:
        from ansible.module_utils import _internal  # pylint: disable=import-outside-toplevel
    except ImportError:  # before 2.17 there is no such switch
        _internal = None
    if hasattr(_internal, "is_controller"):
        monkeypatch.setattr(_internal, "is_controller", False)
    fake = FixedAnswerClient()
    monkeypatch.setattr(base.AzureMLModule, "client", property(lambda self: fake), raising=False)
    for var in ("AZURE_CLIENT_ID", "AZURE_SECRET", "AZURE_TENANT", "AZURE_AD_USER", "AZURE_PASSWORD", "AZURE_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AZURE_SUBSCRIPTION_ID", SUB)
    return fake


def run(module, args, capsys, check_mode=False, diff=False):
    args = dict(args)
    if check_mode:
        args["_ansible_check_mode"] = True
    if diff:
        args["_ansible_diff"] = True
    with patch_module_args(args):
        with pytest.raises(SystemExit) as info:
            module.main()
    result = json.loads(capsys.readouterr().out)
    result["rc"] = info.value.code
    return result


# ---------------------------------------------------------------------------------------------------------------------
# account: bad input fails before any request


BAD_ACCOUNT_ARGS = [
    ("missing name", dict(resource_group="rg"), "name"),
    ("missing resource_group", dict(name="mma"), "resource_group"),
    ("bad name", dict(name="a/b", resource_group="rg"), "name must not contain"),
    ("name ends with dot", dict(name="mma.", resource_group="rg"), "name must not end"),
    ("bad resource_group", dict(name="mma", resource_group="r g"), "resource_group may contain only"),
    ("bad sku name", dict(name="mma", resource_group="rg", sku={"name": "S9"}), "sku.name must be one of"),
    ("bad sku capacity", dict(name="mma", resource_group="rg", sku={"capacity": 17}), "sku.capacity must be from 1 to 16"),
    ("sku capacity not int", dict(name="mma", resource_group="rg", sku={"capacity": "many"}), "capacity"),
    ("unknown sku field", dict(name="mma", resource_group="rg", sku={"size": 1}), "size"),
    ("empty location", dict(name="mma", resource_group="rg", location=" "), "location must be a non-empty string"),
    ("bad tag name", dict(name="mma", resource_group="rg", tags={"a/b": "x"}), "tags: tag name 'a/b'"),
    ("tag names by case", dict(name="mma", resource_group="rg", tags={"A": "x", "a": "y"}), "differ only by case"),
    ("tag value null", dict(name="mma", resource_group="rg", tags={"a": None}), "the value of tag 'a' must be a string"),
    ("bad state", dict(name="mma", resource_group="rg", state="gone"), "state"),
    ("bad wait_timeout", dict(name="mma", resource_group="rg", wait_timeout=0), "wait_timeout must be from 1 to 86400 seconds, got 0"),
    # issue 15.3: Ansible's int accepts booleans (true meant 1 s), and huge values crashed the client
    ("wait_timeout true", dict(name="mma", resource_group="rg", wait_timeout=True),
     "wait_timeout must be a whole number from 1 to 86400 seconds, got a boolean"),
    ("wait_timeout huge", dict(name="mma", resource_group="rg", wait_timeout=10 ** 10), "wait_timeout must be from 1 to 86400 seconds"),
    ("timeout true", dict(name="mma", resource_group="rg", timeout=True), "timeout must be a whole number from 1 to 600 seconds"),
    ("timeout huge", dict(name="mma", resource_group="rg", timeout=10 ** 10), "timeout must be from 1 to 600 seconds, got 10000000000"),
    ("sku capacity true", dict(name="mma", resource_group="rg", sku={"capacity": True}), "sku.capacity must be a whole number from 1 to 16"),
    ("unknown option", dict(name="mma", resource_group="rg", colour="red"), "colour"),
]


@pytest.mark.parametrize("args, fragment", [b[1:] for b in BAD_ACCOUNT_ARGS], ids=[b[0] for b in BAD_ACCOUNT_ARGS])
def test_account_bad_input_fails_before_any_request(client, capsys, args, fragment):
    result = run(account_module, args, capsys)
    assert result["failed"] is True and result["rc"] == 1
    assert fragment in result["msg"]
    assert client.calls == []


def test_account_all_errors_are_reported_together(client, capsys):
    result = run(account_module, dict(name="a:b", resource_group="rg.", sku={"capacity": 0}), capsys)
    assert result["msg"].count(";") == 2
    assert client.calls == []


# ---------------------------------------------------------------------------------------------------------------------
# account: results


def test_account_unchanged(client, capsys):
    client.current = ACCOUNT
    result = run(account_module, dict(name="mma", resource_group="rg", location="East US 2", sku={"name": "s1"}), capsys)
    assert result["changed"] is False and result["account"] == REPORTED and result["action"] == "none"
    assert "diff" not in result
    assert client.calls == [("GET", PATH)]


def test_account_create_check_mode_diff(client, capsys):
    args = dict(name="mma", resource_group="rg", location="eastus2", sku={"name": "DevTest", "capacity": 2}, tags={"version": 3})
    result = run(account_module, args, capsys, check_mode=True, diff=True)
    assert result["changed"] is True and result["action"] == "create"
    assert result["account"]["sku"] == {"name": "DevTest", "capacity": 2}
    assert result["account"]["properties"] == {"provisioningState": "Succeeded"}  # the prediction, as Azure would report it
    assert result["account"]["tags"] == {"version": "3"}
    assert result["diff"] == {
        "before": {},
        "after": {"name": "mma", "location": "eastus2", "sku": {"name": "DevTest", "capacity": 2}, "tags": {"version": "3"}, "description": ""},
    }
    assert client.calls == [("GET", PATH)]


def test_account_create(client, capsys):
    client.write = Response(201, ACCOUNT)
    args = dict(name="mma", resource_group="rg", location="eastus2", sku={"name": "S1", "capacity": 1}, description="models")
    result = run(account_module, args, capsys)
    assert result["changed"] is True and result["account"] == REPORTED and result["action"] == "create"
    assert [c[0] for c in client.calls] == ["GET", "PUT"]


def test_account_update_diff(client, capsys):
    client.current = ACCOUNT
    patched = dict(ACCOUNT, sku={"name": "S1", "capacity": 2})
    client.write = Response(200, patched)
    result = run(account_module, dict(name="mma", resource_group="rg", sku={"capacity": 2}), capsys, diff=True)
    assert result["changed"] is True and result["account"] == dict(REPORTED, sku=patched["sku"]) and result["action"] == "update"
    assert "provisioning_state" not in result["diff"]["before"]  # the diff is unchanged by the reported state
    assert result["diff"]["before"]["sku"] == {"name": "S1", "capacity": 1}
    assert result["diff"]["after"]["sku"] == {"name": "S1", "capacity": 2}
    assert client.calls == [("GET", PATH), ("PATCH", PATH, {"sku": {"name": "S1", "capacity": 2}, "properties": {}})]


def test_account_location_change_fails(client, capsys):
    client.current = ACCOUNT
    result = run(account_module, dict(name="mma", resource_group="rg", location="West Europe"), capsys, check_mode=True)
    assert result["failed"] is True
    assert result["msg"].startswith("location cannot be changed (current 'eastus2', requested 'westeurope')")
    assert client.calls == [("GET", PATH)]


def test_account_create_needs_location(client, capsys):
    result = run(account_module, dict(name="mma", resource_group="rg", sku={"name": "S1", "capacity": 1}), capsys)
    assert result["failed"] is True and result["msg"] == "creating account 'mma' needs location"
    assert client.calls == [("GET", PATH)]


def test_account_absent(client, capsys):
    client.current = ACCOUNT
    result = run(account_module, dict(name="mma", resource_group="rg", state="absent"), capsys, check_mode=True, diff=True)
    assert result["changed"] is True and result["account"] == {} and result["action"] == "delete"
    assert result["diff"]["after"] == {}
    assert client.calls == [("GET", PATH)]


def test_account_azure_error_fails_with_status_code_and_message(client, capsys):
    def missing_group(path, missing_codes=None):
        client.calls.append(("GET", path))
        raise ArmError(404, "ResourceGroupNotFound", "Resource group 'rg' could not be found.", request_id="req-1")

    client.get_or_none = missing_group
    result = run(account_module, dict(name="mma", resource_group="rg", location="eastus2", sku={"name": "S1", "capacity": 1}), capsys, check_mode=True)
    assert result["failed"] is True
    assert result["msg"] == "404 ResourceGroupNotFound: Resource group 'rg' could not be found."
    assert result["error"]["code"] == "ResourceGroupNotFound" and result["error"]["request_id"] == "req-1"
    assert client.calls == [("GET", PATH)]


def test_account_absent_ignores_create_options_but_validates_them(client, capsys):
    result = run(account_module, dict(name="mma", resource_group="rg", state="absent", sku={"capacity": 99}), capsys)
    assert result["failed"] is True and "sku.capacity" in result["msg"]
    assert client.calls == []


def test_account_check_mode_on_a_busy_account_warns_and_does_not_wait(client, capsys):
    """Issue 15.7: check mode plans on the account as it is; a warning says someone else's operation is running."""
    client.current = dict(ACCOUNT, properties=dict(ACCOUNT["properties"], provisioningState="Updating"))
    result = run(account_module, dict(name="mma", resource_group="rg", description="new"), capsys, check_mode=True)
    assert result["changed"] is True and result["action"] == "update" and result["account"]["properties"]["description"] == "new"
    warnings = json.dumps(result["warnings"])  # strings before 2.19, objects since; other tests' warnings may linger
    assert "'mma' is Updating" in warnings and "did not wait" in warnings
    assert client.calls == [("GET", PATH)]


def test_account_documents_what_it_returns():
    import yaml

    returned = yaml.safe_load(account_module.RETURN)
    assert set(returned["action"]["choices"]) == {"create", "update", "repair", "delete", "none"}
    assert "Succeeded" in " ".join(returned["account"]["contains"]["properties"]["contains"]["provisioningState"]["description"])


# ---------------------------------------------------------------------------------------------------------------------
# account_info


def test_account_info_name_requires_resource_group(client, capsys):
    result = run(account_info_module, dict(name="mma"), capsys)
    assert result["failed"] is True and "resource_group" in result["msg"]
    assert client.calls == []


@pytest.mark.parametrize("args, fragment", [
    (dict(name="a/b", resource_group="rg"), "name must not contain"),
    (dict(resource_group="rg."), "resource_group must not end"),
    (dict(tags=[":x"]), "tags: each entry"),
    (dict(tags="env"), None),  # a string becomes a one-element list: valid
])
def test_account_info_bad_input(client, capsys, args, fragment):
    result = run(account_info_module, args, capsys)
    if fragment is None:
        assert result.get("failed") is not True
        return
    assert result["failed"] is True and fragment in result["msg"]
    assert client.calls == []


def test_account_info_one(client, capsys):
    client.current = ACCOUNT
    result = run(account_info_module, dict(name="mma", resource_group="rg"), capsys, check_mode=True)
    assert result["changed"] is False and result["accounts"] == [LISTED] and result["entries"] == [ENTRY]
    assert client.calls == [("GET", PATH)]


def test_account_info_one_missing(client, capsys):
    result = run(account_info_module, dict(name="mma", resource_group="rg"), capsys)
    assert result["changed"] is False and result["accounts"] == []


def test_account_info_lists(client, capsys):
    other = dict(ACCOUNT, id=ACCOUNT["id"][:-3] + "other", name="other", tags={}, properties={"provisioningState": "Failed"})
    client.lists = {m.accounts_path(SUB, "rg"): [ACCOUNT, other], m.accounts_path(SUB): [ACCOUNT, other]}
    listed = run(account_info_module, dict(resource_group="rg"), capsys)
    assert listed["accounts"] == [LISTED, dict(other, resource_group="rg")]
    assert listed["entries"] == [ENTRY, dict(name="other", resource_group="rg", location="eastus2", sku={"name": "S1", "capacity": 1}, tags={})]
    assert run(account_info_module, dict(tags=["ENV:prod"]), capsys)["accounts"] == [LISTED]
    assert client.calls == [("LIST", m.accounts_path(SUB, "rg")), ("LIST", m.accounts_path(SUB))]


# ---------------------------------------------------------------------------------------------------------------------
# operations_info


def test_operations_info(client, capsys):
    ops = [{"name": "Microsoft.MachineLearningModelManagement/accounts/read", "display": {}, "origin": "user"}]
    client.lists = {m.OPERATIONS_PATH: ops}
    result = run(operations_info_module, {}, capsys, check_mode=True)
    assert result["changed"] is False and result["operations"] == ops
    assert client.calls == [("LIST", m.OPERATIONS_PATH)]


def test_operations_info_has_no_own_options(client, capsys):
    result = run(operations_info_module, dict(name="x"), capsys)
    assert result["failed"] is True and "name" in result["msg"]
    assert client.calls == []


# ---------------------------------------------------------------------------------------------------------------------
# documentation matches the argument spec


@pytest.mark.parametrize("module", [account_module, account_info_module])
def test_documented_options_match_argspec(module):
    import yaml

    doc = yaml.safe_load(module.DOCUMENTATION)
    for fragment in doc.get("extends_documentation_fragment", []):  # the module's own options kept in a fragment (tags)
        parts = fragment.split(".")
        if parts[:2] == ["azureml", "model_management"] and parts[2] not in ("auth", "attributes"):
            fragment_class = importlib.import_module("ansible_collections.azureml.model_management.plugins.doc_fragments." + parts[2]).ModuleDocFragment
            doc["options"].update(yaml.safe_load(getattr(fragment_class, parts[3] if len(parts) > 3 else "DOCUMENTATION"))["options"])
    spec = module.ARGUMENT_SPEC
    assert set(doc["options"]) == set(spec)
    for option, rules in spec.items():
        documented = doc["options"][option]
        assert documented["type"] == rules["type"], option
        assert documented.get("default") == rules.get("default"), option
        assert documented.get("choices") == rules.get("choices"), option
        assert bool(documented.get("required", False)) == bool(rules.get("required", False)), option
        assert documented.get("elements") == rules.get("elements"), option
        for sub, sub_rules in (rules.get("options") or {}).items():
            assert documented["suboptions"][sub]["type"] == sub_rules["type"]


# ---------------------------------------------------------------------------------------------------------------------
# issue 20.9: entries of the wrong type name the option and the entry, not only "dictionary requested"

ENTRY_KEYS = "name, resource_group, location, sku, tags, description, state, subscription_id and append_tags"


@pytest.mark.parametrize("args, message", [
    (dict(accounts=["acc1", "acc2"]),
     "accounts[0]: must be a dictionary with %s; got a string ('acc1'); accounts[1]: must be a dictionary with %s; got a string "
     "('acc2')" % (ENTRY_KEYS, ENTRY_KEYS)),
    (dict(accounts=[dict(name="a", sku="S1")]), "accounts[0].sku must be a dictionary with name and capacity; got a string ('S1')"),
    (dict(accounts=[dict(name="a"), ["b"]]), "accounts[1]: must be a dictionary with %s; got a list" % ENTRY_KEYS),
    (dict(accounts=["acc1"], _azureml_option_names={"accounts": "accounts_list"}),
     "accounts_list[0]: must be a dictionary with %s; got a string ('acc1')" % ENTRY_KEYS),
], ids=["strings", "sku string", "a list", "role names"])
def test_wrong_type_entries_name_the_option_and_the_entry(client, capsys, args, message):
    from ansible_collections.azureml.model_management.plugins.modules import accounts as accounts_module  # pylint: disable=import-outside-toplevel

    result = run(accounts_module, dict(args, resource_group="rg"), capsys)
    assert result["failed"] is True and result["msg"] == message
    assert "dictionary requested" not in result["msg"] and client.calls == []


def test_entries_ansible_can_read_as_a_dictionary_are_still_accepted(client, capsys):
    """A guard, not a defect: key=value text is a dictionary for Ansible, and stays one."""
    from ansible_collections.azureml.model_management.plugins.modules import accounts as accounts_module  # pylint: disable=import-outside-toplevel

    result = run(accounts_module, dict(resource_group="rg", accounts=["name=a,state=absent", dict(name="b", state="absent", sku="name=S1")]),
                 capsys, check_mode=True)
    assert result.get("failed") is not True, result.get("msg")
    assert [(r["name"], r["action"]) for r in result["accounts"]] == [("a", "none"), ("b", "none")]


def test_a_wrong_type_sku_of_the_account_module_names_the_option(client, capsys):
    result = run(account_module, dict(name="mma", resource_group="rg", sku="S1"), capsys)
    assert result["failed"] is True and result["msg"] == "sku must be a dictionary with name and capacity; got a string"
    assert client.calls == []


def test_the_callers_names_are_plumbing_not_an_option_and_only_the_fleet_module_takes_them(client, capsys):
    """``option_names`` was a documented option of the fleet module, for the role's plumbing; it is none now, and the
    private key that carries the caller's names is refused by a module that does not ask for it."""
    from ansible_collections.azureml.model_management.plugins.modules import accounts as accounts_module  # pylint: disable=import-outside-toplevel

    result = run(accounts_module, dict(resource_group="rg", accounts=[], option_names={"accounts": "accounts_list"}), capsys)
    assert result["failed"] is True and "Unsupported parameters" in result["msg"] and "option_names" in result["msg"]
    assert "option_names" not in accounts_module.DOCUMENTATION and "option_names" not in accounts_module.ARGUMENT_SPEC
    result = run(account_module, dict(name="mma", resource_group="rg", _azureml_option_names={"name": "x"}), capsys)
    assert result["failed"] is True and "Unsupported parameters" in result["msg"] and "_azureml_option_names" in result["msg"]
    assert client.calls == []


def test_the_fleet_module_refuses_accounts_file_its_action_plugin_did_not_read(client, capsys):
    """The action plugin reads accounts_file on the controller and sends the entries as accounts; the module never reads
    a path itself (on a remote host it would be another machine's file)."""
    from ansible_collections.azureml.model_management.plugins.modules import accounts as accounts_module  # pylint: disable=import-outside-toplevel

    result = run(accounts_module, dict(resource_group="rg", accounts_file="fleet.json"), capsys)
    assert result["failed"] is True and result["msg"].startswith("accounts_file is read on the controller by this module's action plugin")
    assert client.calls == []
