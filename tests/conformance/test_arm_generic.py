"""Resource Manager's generic behaviour over plain HTTP: paths, api-versions, request bodies, lists, providers, metadata."""

import pytest

from emu_support import API, NS, RG_API

ACCOUNT = {"location": "eastus", "sku": {"name": "S1", "capacity": 1}}


def code(resp, status):
    assert resp.status_code == status, resp.text
    return resp.json()["error"]["code"]


def test_empty_parent_segment_reaches_the_account(emu):
    path = "/subscriptions/%s/resourceGroups/demo-rg/providers/%s//accounts/e1" % (emu.sub, NS)
    assert emu.arm("PUT", path, json=ACCOUNT).status_code == 201
    assert emu.arm("GET", path).json()["id"].endswith("/providers/%s/accounts/e1" % NS)
    assert emu.arm("HEAD", path).status_code == 204
    assert emu.arm("HEAD", emu.account_path("nope")).status_code == 404
    assert emu.arm("HEAD", emu.account_path("e1", rg="no-rg")).status_code == 404
    empty_group = "/subscriptions/%s/resourceGroups//providers/%s/accounts/e1" % (emu.sub, NS)
    assert emu.arm("GET", empty_group).status_code == 404, "only empty segments after /providers/ are collapsed"


def test_account_locations_are_validated_and_configurable(emu):
    err = emu.put_account("m1", body=dict(ACCOUNT, location="moon-1"))
    assert code(err, 400) == "LocationNotAvailableForResourceType"
    assert err.json()["error"]["message"].startswith(
        "The provided location 'moon-1' is not available for resource type '%s/accounts'. List of available regions for "
        "the resource type is 'eastus,eastus2," % NS)
    assert code(emu.put_account("m1", body=dict(ACCOUNT, location="japaneast")), 400) == "LocationNotAvailableForResourceType"
    assert emu.control("PATCH", "config", json={"account_locations": ["Japan East"]}).json()["account_locations"] == ["japaneast"]
    assert emu.put_account("m1", body=dict(ACCOUNT, location="japaneast")).status_code == 201
    assert emu.control("PATCH", "config", json={"account_locations": []}).status_code == 400


def test_group_locations_are_azure_regions(emu):
    err = emu.arm("PUT", "/subscriptions/%s/resourcegroups/moon" % emu.sub, api=RG_API, json={"location": "moon-1"})
    assert code(err, 400) == "LocationNotAvailableForResourceGroup"
    assert "List of available regions is 'eastus,eastus2," in err.json()["error"]["message"]
    assert emu.arm("PUT", "/subscriptions/%s/resourcegroups/ok" % emu.sub, api=RG_API, json={"location": "Sweden Central"}
                   ).status_code == 201


@pytest.mark.parametrize("version", ["2019-10-01", "2024-11-01", "2025-04-01"])
def test_resources_api_versions(emu, version):
    assert emu.arm("GET", "/subscriptions/%s/resourcegroups/demo-rg" % emu.sub, api=version).status_code == 200


def test_unknown_resources_api_version(emu):
    resp = emu.arm("GET", "/subscriptions/%s/resourcegroups/demo-rg" % emu.sub, api="2025-13-01")
    assert code(resp, 400) == "InvalidApiVersionParameter" and "2025-04-01" in resp.json()["error"]["message"]


def test_repeated_api_version_is_refused(emu):
    resp = emu.http.get(emu.base + emu.account_path("x") + "?api-version=%s&api-version=%s" % (API, API),
                        headers={"Authorization": "Bearer " + emu.token})
    assert code(resp, 400) == "InvalidApiVersionParameter"
    assert "'%s,%s'" % (API, API) in resp.json()["error"]["message"]


@pytest.mark.parametrize("content_type, shown", [("text/plain", "text/plain"), (None, "<null>"),
                                                 ("application/xml; charset=utf-8", "application/xml")])
def test_body_media_type_must_be_json(emu, content_type, shown):
    headers = {"Content-Type": content_type} if content_type else {}
    resp = emu.arm("PUT", emu.account_path("t1"), data=b'{"location": "eastus", "sku": {"name": "S1", "capacity": 1}}',
                   headers=headers)
    assert code(resp, 415) == "UnsupportedMediaType"
    assert resp.json()["error"]["message"] == ("The content media type '%s' is not supported. Only 'application/json' is "
                                               "supported." % shown)
    ok = emu.arm("PUT", emu.account_path("t1"), data=b'{"location": "eastus", "sku": {"name": "S1", "capacity": 1}}',
                 headers={"Content-Type": "Application/JSON; charset=utf-8"})
    assert ok.status_code == 201


def test_body_with_byte_order_mark_is_refused(emu):
    raw = b"\xef\xbb\xbf" + b'{"location": "eastus", "sku": {"name": "S1", "capacity": 1}}'
    resp = emu.arm("PUT", emu.account_path("b1"), data=raw, headers={"Content-Type": "application/json"})
    assert code(resp, 400) == "InvalidRequestContent" and "U+FEFF" in resp.json()["error"]["message"]
    assert emu.arm("GET", emu.account_path("b1")).status_code == 404


def test_group_patch_and_async_delete(emu):
    path = "/subscriptions/%s/resourcegroups/p-rg" % emu.sub
    emu.arm("PUT", path, api=RG_API, json={"location": "eastus", "tags": {"a": "1"}})
    assert emu.arm("PATCH", path, api=RG_API, json={"tags": {"b": "2"}}).json()["tags"] == {"b": "2"}
    assert emu.arm("PATCH", path, api=RG_API, json={}).json()["tags"] == {"b": "2"}, "no tags: tags unchanged"
    assert code(emu.arm("PATCH", path, api=RG_API, json={"location": "westus"}), 409) == "InvalidResourceGroupLocation"
    deleting = emu.arm("DELETE", path, api=RG_API)
    assert deleting.status_code == 202 and deleting.headers["Retry-After"] == "1"
    assert emu.arm("GET", deleting.headers["Location"], api=None).status_code == 200
    bogus = "/subscriptions/%s/operationresults/bm90LWEtam9i" % emu.sub
    assert code(emu.arm("GET", bogus, api=RG_API), 404) == "NotFound"


def test_lists_filter_and_top(emu):
    for name, tags in (("f1", {"Env": "prod"}), ("f2", {"env": "dev"}), ("other", {})):
        emu.put_account(name, body=dict(ACCOUNT, tags=tags))
    listing = "/subscriptions/%s/resources" % emu.sub

    def names(query):
        return [r["name"] for r in emu.arm("GET", listing + "?" + query, api=RG_API).json()["value"]]

    assert names("$filter=substringof('f', name)") == ["f1", "f2"]
    assert names("$filter=tagName eq 'env'") == ["f1", "f2"]
    assert names("$filter=tagName eq 'ENV' and tagValue eq 'prod'") == ["f1"]
    assert names("$filter=name eq 'F2' and resourceGroup eq 'demo-rg'") == ["f2"]
    first = emu.arm("GET", listing + "?$top=2", api=RG_API).json()
    assert [r["name"] for r in first["value"]] == ["f1", "f2"] and "$top=2" in first["nextLink"]
    rest = emu.arm("GET", first["nextLink"], api=None).json()
    assert [r["name"] for r in rest["value"]] == ["other"] and "nextLink" not in rest
    assert rest["value"][0] == {"id": emu.account_path("other"), "name": "other", "type": NS + "/accounts",
                                "sku": {"name": "S1", "capacity": 1}, "location": "eastus"}
    for bad in ("tagValue eq 'prod'", "name ne 'x'", "identity eq 'x'", "name eq 'a' or name eq 'b'", "name eq 'a' and"):
        assert code(emu.arm("GET", listing, api=RG_API, params={"$filter": bad}), 400) == "InvalidFilterInQueryString", bad
    assert code(emu.arm("GET", listing + "?$top=0", api=RG_API), 400) == "InvalidQueryParameterValue"
    groups = "/subscriptions/%s/resourcegroups" % emu.sub
    assert code(emu.arm("GET", groups, api=RG_API, params={"$filter": "name eq 'demo-rg'"}), 400) == "InvalidFilterInQueryString"


def test_providers_and_locations(emu):
    sub = "/subscriptions/%s" % emu.sub
    mine = emu.arm("GET", sub + "/providers/" + NS.lower(), api=RG_API).json()
    assert mine["namespace"] == NS and mine["registrationState"] == "Registered"
    assert [t["resourceType"] for t in mine["resourceTypes"]][0] == "accounts"
    assert emu.arm("POST", sub + "/providers/%s/register" % NS, api=RG_API).json()["id"] == sub + "/providers/" + NS
    assert code(emu.arm("GET", sub + "/providers/Microsoft.Nope", api=RG_API), 404) == "InvalidResourceNamespace"
    regions = emu.arm("GET", sub + "/locations", api="2022-12-01").json()["value"]
    assert {"name": "eastus2", "displayName": "East US 2"}.items() <= regions[1].items()


def test_metadata_endpoints_follow_the_api_version(emu):
    def get(version):
        resp = emu.http.get(emu.base + "/metadata/endpoints", params={"api-version": version})
        assert resp.status_code == 200
        return resp.json()

    assert get("2015-01-01")["resourceManager"] == emu.base + "/"
    listed = get("2020-06-01")
    assert isinstance(listed, list) and listed[0]["name"] == "AzureEmulator"
    cloud = get("2022-09-01")
    assert cloud["authentication"]["loginEndpoint"] == emu.base + "/"
    assert cloud["authentication"]["audiences"] == [emu.base + "/"] and cloud["resourceManager"] == emu.base + "/"
    assert cloud["suffixes"]["storage"].endswith(".invalid")


def test_sparse_filter_pages_over_many_accounts(emu):
    """A tag filter that matches one account in seven, over more accounts than one read of the store: every match
    exactly once, in creation order, across `$top` pages."""
    from concurrent.futures import ThreadPoolExecutor  # pylint: disable=import-outside-toplevel
    names = ["s%03d" % i for i in range(450)]

    def create(name):
        tags = {"pick": "yes"} if int(name[1:]) % 7 == 0 else {}
        return emu.put_account(name, body=dict(ACCOUNT, tags=tags)).status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(create, names))
    assert statuses == [201] * 450
    url, pages, found = "/subscriptions/%s/resources?$filter=tagName eq 'pick'&$top=10" % emu.sub, 0, []
    while url:
        resp = emu.arm("GET", url, api=None if url.startswith("https://") else RG_API)
        assert resp.status_code == 200, resp.text
        found.extend(item["name"] for item in resp.json()["value"])
        url, pages = resp.json().get("nextLink"), pages + 1
    assert sorted(found) == [n for n in names if int(n[1:]) % 7 == 0] and pages == 7
    created, url = [], "/subscriptions/%s/providers/%s/accounts" % (emu.sub, NS)
    while url:
        page = emu.arm("GET", url, api=None if url.startswith("https://") else API).json()
        created.extend(item["name"] for item in page["value"])
        url = page.get("nextLink")
    assert found == [n for n in created if n in set(found)], "creation order"
