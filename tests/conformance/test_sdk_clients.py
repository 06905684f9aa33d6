"""The emulator driven by a client nobody here wrote: azure-mgmt-resource's ResourceManagementClient.

Each test uses the SDK's defaults (Microsoft.Resources api-version 2025-04-01, its own paging and polling), so
a path, version or answer shape the SDK does not expect fails here as it would fail a user's script.
"""

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.identity import ClientSecretCredential
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.resource.resources.models import GenericResource, ResourceGroup, ResourceGroupPatchable, Sku

from emu_support import API, NS

TYPE = NS + "/accounts"


@pytest.fixture
def sdk(emu, monkeypatch):
    for var in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_AUTHORITY_HOST"):
        monkeypatch.delenv(var, raising=False)
    credential = ClientSecretCredential(emu.env["AZURE_TENANT"], emu.env["AZURE_CLIENT_ID"], emu.env["AZURE_SECRET"],
                                        authority=emu.base, disable_instance_discovery=True, connection_verify=emu.p.ca)
    client = ResourceManagementClient(credential, emu.sub, base_url=emu.base, credential_scopes=[emu.base + "/.default"],
                                      connection_verify=emu.p.ca)
    yield client
    client.close()
    credential.close()


def account(location="eastus", tags=None, capacity=1):
    return GenericResource(location=location, tags=tags or {}, sku=Sku(name="S1", capacity=capacity), properties={})


def account_id(emu, name, rg="demo-rg"):
    return "/subscriptions/%s/resourceGroups/%s/providers/%s/%s" % (emu.sub, rg, NS, "accounts/" + name)


def by_parts(name, rg="demo-rg"):
    return dict(resource_group_name=rg, resource_provider_namespace=NS, parent_resource_path="", resource_type="accounts",
                resource_name=name, api_version=API)


def test_check_existence_by_parts_and_by_id(sdk, emu):
    assert sdk.resources.check_existence(**by_parts("a1")) is False
    created = sdk.resources.begin_create_or_update(parameters=account(), **by_parts("a1")).result()
    assert created.id == account_id(emu, "a1") and created.sku.capacity == 1
    assert sdk.resources.check_existence(**by_parts("a1")) is True, "an empty parent path must still find the account"
    assert sdk.resources.check_existence_by_id(account_id(emu, "a1"), api_version=API) is True
    assert sdk.resources.get(**by_parts("a1")).location == "eastus"
    heads = [e for e in emu.journal(kind="arm") if e["method"] == "HEAD"]
    assert [e["status"] for e in heads] == [404, 204, 204]
    assert heads[0]["path"].endswith("/providers/%s//accounts/a1" % NS)
    sdk.resources.begin_delete(**by_parts("a1")).result()
    assert sdk.resources.check_existence_by_id(account_id(emu, "a1"), api_version=API) is False


def test_update_by_id_and_wrong_location(sdk, emu):
    sdk.resources.begin_create_or_update_by_id(account_id(emu, "u1"), account(tags={"a": "1"}), api_version=API).result()
    patched = sdk.resources.begin_update_by_id(account_id(emu, "u1"), GenericResource(tags={"b": "2"}), api_version=API)
    patched = patched.result()
    assert patched.tags == {"b": "2"}
    with pytest.raises(HttpResponseError) as caught:
        sdk.resources.begin_create_or_update(parameters=account(location="moon-1"), **by_parts("u2")).result()
    assert caught.value.status_code == 400 and caught.value.error.code == "LocationNotAvailableForResourceType"
    assert "'moon-1'" in caught.value.error.message and "eastus2" in caught.value.error.message
    assert emu.arm("GET", emu.account_path("u2")).status_code == 404, "nothing was created"


def test_resource_groups_with_the_sdk_default_api_version(sdk, emu):
    group = sdk.resource_groups.create_or_update("sdk-rg", ResourceGroup(location="westus2", tags={"team": "a"}))
    assert group.location == "westus2" and group.properties.provisioning_state == "Succeeded"
    assert emu.journal(kind="arm")[-1]["query"]["api-version"] == "2025-04-01"
    assert sdk.resource_groups.check_existence("sdk-rg") is True
    assert sdk.resource_groups.update("sdk-rg", ResourceGroupPatchable(tags={"team": "b"})).tags == {"team": "b"}
    with pytest.raises(HttpResponseError) as caught:
        sdk.resource_groups.create_or_update("moon-rg", ResourceGroup(location="moon-1"))
    assert caught.value.error.code == "LocationNotAvailableForResourceGroup"
    assert sdk.resource_groups.check_existence("moon-rg") is False


def test_group_list_filter_top_and_delete(sdk, emu):
    for index in range(3):
        sdk.resource_groups.create_or_update("g%d" % index, ResourceGroup(location="eastus", tags={"n": str(index)}))
    sdk.resources.begin_create_or_update(parameters=account(), **by_parts("in-g1", rg="g1")).result()
    names = [g.name for g in sdk.resource_groups.list(top=2)]
    assert names == ["demo-rg", "other-rg", "g0", "g1", "g2"]
    tops = [e["query"].get("$top") for e in emu.journal(kind="arm") if e["path"].endswith("/resourcegroups")]
    assert tops[-3:] == ["2", "2", "2"], "$top is the page size and nextLink keeps it"
    assert [g.name for g in sdk.resource_groups.list(filter="tagName eq 'n' and tagValue eq '1'")] == ["g1"]
    sdk.resource_groups.begin_delete("g1", polling_interval=0).result()
    assert sdk.resource_groups.check_existence("g1") is False
    assert emu.arm("GET", emu.account_path("in-g1", rg="g1")).status_code == 404
    polls = [e for e in emu.journal(kind="async") if "/operationresults/" in e["path"]]
    assert polls and polls[-1]["status"] == 200


def test_generic_resource_listing(sdk, emu):
    sdk.resources.begin_create_or_update(parameters=account(tags={"env": "prod"}), **by_parts("r1")).result()
    sdk.resources.begin_create_or_update(parameters=account(location="westeurope"), **by_parts("r2", rg="other-rg")).result()
    everything = list(sdk.resources.list(top=1))
    assert [r.name for r in everything] == ["r1", "r2"] and everything[0].type == TYPE and everything[0].sku.name == "S1"
    assert [r.name for r in sdk.resources.list(filter="resourceType eq '%s'" % TYPE.lower())] == ["r1", "r2"]
    assert [r.name for r in sdk.resources.list(filter="tagName eq 'env' and tagValue eq 'prod'")] == ["r1"]
    assert [r.name for r in sdk.resources.list(filter="location eq 'westeurope'")] == ["r2"]
    assert [r.name for r in sdk.resources.list_by_resource_group("other-rg")] == ["r2"]
    assert list(sdk.resources.list(filter="resourceType eq 'Microsoft.Storage/storageAccounts'")) == []
    with pytest.raises(HttpResponseError) as caught:
        list(sdk.resources.list(filter="tagName eq 'env' and location eq 'eastus'"))
    assert caught.value.error.code == "InvalidFilterInQueryString"


def test_providers(sdk, emu):
    mine = sdk.providers.get(NS)
    assert mine.registration_state == "Registered"
    accounts = [t for t in mine.resource_types if t.resource_type == "accounts"][0]
    assert accounts.api_versions == [API] and "East US 2" in accounts.locations and "West Europe" in accounts.locations
    assert {p.namespace for p in sdk.providers.list()} >= {NS, "Microsoft.Resources"}
    assert sdk.providers.register(NS).namespace == NS
    emu.control("PATCH", "config", json={"account_locations": ["australiaeast"]})
    accounts = [t for t in sdk.providers.get(NS).resource_types if t.resource_type == "accounts"][0]
    assert accounts.locations == ["Australia East"], "the provider lists the configured locations"
    with pytest.raises(ResourceNotFoundError):
        sdk.providers.get("Microsoft.Nope")


def test_async_provider_operations_are_polled_to_the_end(sdk, emu):
    emu.control("PATCH", "config", json={"async": True, "async_polls": 1})
    created = sdk.resources.begin_create_or_update_by_id(account_id(emu, "lro"), account(), api_version=API).result()
    assert created.properties["provisioningState"] == "Succeeded"
    sdk.resources.begin_delete_by_id(account_id(emu, "lro"), api_version=API).result()
    assert sdk.resources.check_existence_by_id(account_id(emu, "lro"), api_version=API) is False
    polled = [e["path"].split("/")[-2] for e in emu.journal(kind="async")]
    assert polled.count("operationStatuses") == 2 and polled.count("operationResults") == 2
