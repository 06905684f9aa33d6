"""The provider's account operations: status codes, bodies, PATCH/PUT semantics, case rules, ETags, validation."""

import json
import os
import re
import time
import uuid

import pytest

from emu_support import EXTRA_SUB, NS

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
TYPE = NS + "/accounts"


def body(**extra):
    out = {"location": "eastus", "sku": {"name": "S1", "capacity": 1}}
    out.update(extra)
    return out


def flat(resp, status, code):
    assert resp.status_code == status, resp.text
    data = resp.json()
    assert data["code"] == code, data
    assert isinstance(data["message"], str) and data["message"]
    assert isinstance(data["details"], list)
    assert "error" not in data
    return data


def wrapped(resp, status, code):
    assert resp.status_code == status, resp.text
    data = resp.json()
    assert set(data) == {"error"}, data
    assert data["error"]["code"] == code, data
    assert data["error"]["message"]
    return data["error"]


def test_create_get_shape_and_headers(emu):
    resp = emu.put_account("Acct1", body=body(location="East US 2", tags={"env": "dev"},
                                              sku={"name": "devtest", "capacity": 3}, properties={"description": "hello"}),
                           headers={"x-ms-client-request-id": "c0ffee00-0000-0000-0000-000000000001",
                                    "x-ms-correlation-request-id": "corr-1"})
    assert resp.status_code == 201, resp.text
    assert resp.headers["Content-Type"] == "application/json; charset=utf-8"
    assert resp.headers["x-ms-client-request-id"] == "c0ffee00-0000-0000-0000-000000000001"
    assert resp.headers["x-ms-correlation-request-id"] == "corr-1"
    uuid.UUID(resp.headers["x-ms-request-id"])
    assert resp.headers["x-ms-ratelimit-remaining-subscription-writes"] == "200", "a write: the writes bucket's header"
    assert "x-ms-ratelimit-remaining-subscription-reads" not in resp.headers
    doc = resp.json()
    assert doc["id"] == "/subscriptions/%s/resourceGroups/demo-rg/providers/%s/accounts/Acct1" % (emu.sub, NS)
    assert doc["name"] == "Acct1"
    assert doc["type"] == TYPE
    assert doc["location"] == "eastus2"
    assert doc["tags"] == {"env": "dev"}
    assert doc["sku"] == {"name": "DevTest", "capacity": 3}
    assert doc["etag"] == resp.headers["ETag"] and doc["etag"].startswith('"') and doc["etag"].endswith('"')
    props = doc["properties"]
    assert props["description"] == "hello"
    assert ISO.match(props["createdOn"]) and props["createdOn"] == props["modifiedOn"]
    assert props["modelManagementSwaggerLocation"] == (
        "https://eastus2.modelmanagement.azureml.net/api/subscriptions/%s/resourceGroups/demo-rg/accounts/Acct1/swagger.json"
        "?api-version=2017-09-01-preview" % emu.sub)
    assert "provisioningState" not in props
    got = emu.arm("GET", emu.account_path("Acct1"))
    assert got.status_code == 200
    assert got.json() == doc
    assert got.headers["ETag"] == doc["etag"]
    first = resp.headers["x-ms-correlation-request-id"]
    again = emu.arm("GET", emu.account_path("Acct1"))
    assert again.headers["x-ms-correlation-request-id"] != first
    assert "x-ms-client-request-id" not in again.headers


def test_tags_default_to_empty_object(emu):
    assert emu.put_account("notags").json()["tags"] == {}


def test_put_replace_overwrites_whole_resource(emu):
    created = emu.put_account("r1", body=body(tags={"a": "1"}, properties={"description": "d"})).json()
    time.sleep(0.01)
    resp = emu.put_account("r1", body=body(sku={"name": "S2", "capacity": 2}))
    assert resp.status_code == 200
    doc = resp.json()
    assert doc["tags"] == {}
    assert "description" not in doc["properties"]
    assert doc["sku"] == {"name": "S2", "capacity": 2}
    assert doc["properties"]["createdOn"] == created["properties"]["createdOn"]
    assert doc["properties"]["modifiedOn"] > created["properties"]["modifiedOn"]
    assert doc["etag"] != created["etag"]


def test_read_only_fields_in_put_are_ignored(emu):
    resp = emu.put_account("ro", body=body(id="/foo", name="ro", type=TYPE,
                                           properties={"createdOn": "2000-01-01T00:00:00.000000Z",
                                                       "modelManagementSwaggerLocation": "https://evil", "description": "x"}))
    assert resp.status_code == 201
    doc = resp.json()
    assert doc["id"].endswith("/accounts/ro")
    assert doc["properties"]["createdOn"] != "2000-01-01T00:00:00.000000Z"
    assert doc["properties"]["modelManagementSwaggerLocation"].startswith("https://eastus.modelmanagement.azureml.net/")


def test_put_body_name_or_type_mismatch(emu):
    flat(emu.put_account("n1", body=body(name="other")), 400, "InvalidRequestBody")
    flat(emu.put_account("n1", body=body(type="Microsoft.Foo/bars")), 400, "InvalidRequestBody")


def test_get_missing_is_resource_not_found(emu):
    err = wrapped(emu.arm("GET", emu.account_path("nope")), 404, "ResourceNotFound")
    assert err["message"] == ("The Resource 'Microsoft.MachineLearningModelManagement/accounts/nope' under resource group "
                              "'demo-rg' was not found.")


def test_delete_200_then_204(emu):
    emu.put_account("d1")
    first = emu.arm("DELETE", emu.account_path("d1"))
    assert first.status_code == 200 and first.content == b""
    second = emu.arm("DELETE", emu.account_path("d1"))
    assert second.status_code == 204 and second.content == b""
    assert emu.arm("GET", emu.account_path("d1")).status_code == 404


def test_patch_semantics(emu):
    created = emu.put_account("p1", body=body(tags={"a": "1", "b": "2"}, properties={"description": "old"})).json()
    resp = emu.arm("PATCH", emu.account_path("p1"), json={"tags": {"c": "3"}})
    assert resp.status_code == 200
    doc = resp.json()
    assert doc["tags"] == {"c": "3"}
    assert doc["properties"]["description"] == "old"
    assert doc["sku"] == {"name": "S1", "capacity": 1}
    assert doc["properties"]["createdOn"] == created["properties"]["createdOn"]
    assert doc["properties"]["modifiedOn"] >= created["properties"]["modifiedOn"]
    assert doc["etag"] != created["etag"] and resp.headers["ETag"] == doc["etag"]
    doc = emu.arm("PATCH", emu.account_path("p1"), json={"sku": {"capacity": 5}}).json()
    assert doc["sku"] == {"name": "S1", "capacity": 5}
    assert doc["tags"] == {"c": "3"}
    doc = emu.arm("PATCH", emu.account_path("p1"), json={"sku": {"name": "s3"}}).json()
    assert doc["sku"] == {"name": "S3", "capacity": 5}
    doc = emu.arm("PATCH", emu.account_path("p1"), json={"properties": {"description": "new"}}).json()
    assert doc["properties"]["description"] == "new"
    doc = emu.arm("PATCH", emu.account_path("p1"), json={"properties": {"description": None}}).json()
    assert "description" not in doc["properties"]
    doc = emu.arm("PATCH", emu.account_path("p1"), json={"tags": {}}).json()
    assert doc["tags"] == {}
    assert emu.arm("GET", emu.account_path("p1")).json() == doc


def test_patch_missing_is_404(emu):
    wrapped(emu.arm("PATCH", emu.account_path("ghost"), json={"tags": {}}), 404, "ResourceNotFound")


def test_patch_cannot_change_location_name_type(emu):
    emu.put_account("p2", body=body(location="westeurope"))
    flat(emu.arm("PATCH", emu.account_path("p2"), json={"location": "eastus"}), 400, "LocationCannotBeChanged")
    assert emu.arm("PATCH", emu.account_path("p2"), json={"location": "West Europe"}).status_code == 200
    flat(emu.arm("PATCH", emu.account_path("p2"), json={"name": "other"}), 400, "InvalidRequestBody")
    flat(emu.arm("PATCH", emu.account_path("p2"), json={"type": "Microsoft.Foo/bar"}), 400, "InvalidRequestBody")
    assert emu.arm("PATCH", emu.account_path("p2"), json={"name": "P2", "type": TYPE.upper()}).status_code == 200


def test_put_cannot_change_location(emu):
    emu.put_account("l1", body=body(location="eastus"))
    flat(emu.put_account("l1", body=body(location="westus")), 400, "LocationCannotBeChanged")
    assert emu.put_account("l1", body=body(location="East US")).status_code == 200


def test_case_insensitive_paths_keep_the_creation_casing(emu):
    """Names compare ignoring case, and an account keeps the name (and group spelling) it was created with: a PUT or
    PATCH spelled otherwise changes neither (docs/decisions.md, "Name casing")."""
    emu.put_account("MixedCase")
    path = "/SUBSCRIPTIONS/%s/resourcegroups/DEMO-RG/PROVIDERS/microsoft.machinelearningmodelmanagement/ACCOUNTS/mixedcase" % emu.sub
    got = emu.arm("GET", path)
    assert got.status_code == 200
    assert got.json()["name"] == "MixedCase"
    created_id = "/subscriptions/%s/resourceGroups/demo-rg/providers/%s/accounts/MixedCase" % (emu.sub, NS)
    assert got.json()["id"] == created_id
    resp = emu.arm("PATCH", emu.account_path("MIXEDcase", rg="Demo-RG"), json={"tags": {"k": "v"}})
    assert resp.status_code == 200 and resp.json()["tags"] == {"k": "v"}
    assert resp.json()["name"] == "MixedCase" and resp.json()["id"] == created_id, "PATCH keeps the creation casing"
    resp = emu.put_account("mixedCASE", rg="DEMO-rg")
    assert resp.status_code == 200, "same account, other casing: replace, not create"
    assert resp.json()["name"] == "MixedCase" and resp.json()["id"] == created_id, "PUT keeps the creation casing"
    assert "/resourceGroups/demo-rg/accounts/MixedCase/" in resp.json()["properties"]["modelManagementSwaggerLocation"]
    tags = emu.arm("PUT", emu.account_path("MIXEDCASE") + "/providers/Microsoft.Resources/tags/default", api="2021-04-01",
                   json={"properties": {"tags": {"t": "1"}}})
    assert tags.status_code == 200 and tags.json()["id"].startswith(created_id + "/providers/")
    assert emu.arm("GET", emu.account_path("mixedcase")).json()["name"] == "MixedCase"
    listed = emu.arm("GET", "/subscriptions/%s/resourcegroups/demo-rg/providers/%s/accounts" % (emu.sub, NS)).json()["value"]
    assert [(a["name"], a["id"]) for a in listed] == [("MixedCase", created_id)]
    assert emu.arm("DELETE", emu.account_path("MIXEDCASE")).status_code == 200
    again = emu.put_account("mixedcase", rg="Demo-RG")
    assert again.status_code == 201 and again.json()["name"] == "mixedcase", "a new account takes its creator's casing"
    assert again.json()["id"] == "/subscriptions/%s/resourceGroups/Demo-RG/providers/%s/accounts/mixedcase" % (emu.sub, NS)


@pytest.mark.parametrize("given, expected", [("East US 2", "eastus2"), ("WESTEUROPE", "westeurope"),
                                             (" west  us ", "westus")])
def test_location_normalized(emu, given, expected):
    assert emu.put_account("loc", body=body(location=given)).json()["location"] == expected


def test_location_required(emu):
    wrapped(emu.put_account("x", body={"sku": {"name": "S1", "capacity": 1}}), 400, "LocationRequired")
    wrapped(emu.put_account("x", body={"location": "  ", "sku": {"name": "S1", "capacity": 1}}), 400, "LocationRequired")


def test_sku_rules(emu):
    flat(emu.put_account("s", body={"location": "eastus"}), 400, "SkuRequired")
    err = flat(emu.put_account("s", body=body(sku={"name": "P1", "capacity": 1})), 400, "InvalidSkuName")
    for name in ("S1", "S2", "S3", "DevTest"):
        assert name in err["message"]
    flat(emu.put_account("s", body=body(sku={"capacity": 1})), 400, "InvalidSkuName")
    flat(emu.put_account("s", body=body(sku={"name": "S1"})), 400, "InvalidSkuCapacity")
    for bad in (0, 17, -1, "2", 1.5, True):
        flat(emu.put_account("s", body=body(sku={"name": "S1", "capacity": bad})), 400, "InvalidSkuCapacity")
    for good in (1, 16):
        assert emu.put_account("s%d" % good, body=body(sku={"name": "s2", "capacity": good})).status_code == 201
    flat(emu.arm("PATCH", emu.account_path("s1"), json={"sku": {"capacity": 99}}), 400, "InvalidSkuCapacity")
    flat(emu.arm("PATCH", emu.account_path("s1"), json={"sku": {"name": "F0"}}), 400, "InvalidSkuName")
    assert emu.arm("GET", emu.account_path("s1")).json()["sku"] == {"name": "S2", "capacity": 1}


def test_tag_rules(emu):
    wrapped(emu.put_account("t", body=body(tags={"k%d" % i: "v" for i in range(51)})), 400, "InvalidTagCount")
    assert emu.put_account("t50", body=body(tags={"k%d" % i: "v" for i in range(50)})).status_code == 201
    for bad in ("a<b", "a>b", "a%b", "a&b", "a\\b", "a?b", "a/b", "a\x01b"):
        wrapped(emu.put_account("t", body=body(tags={bad: "v"})), 400, "InvalidTagNameCharacters")
    wrapped(emu.put_account("t", body=body(tags={"n" * 513: "v"})), 400, "InvalidTagNameLength")
    assert emu.put_account("t512", body=body(tags={"n" * 512: "v" * 256})).status_code == 201
    wrapped(emu.put_account("t", body=body(tags={"k": "v" * 257})), 400, "InvalidTagValueLength")
    wrapped(emu.put_account("t", body=body(tags={"Env": "a", "env": "b"})), 400, "InvalidRequestContent")
    wrapped(emu.put_account("t", body=body(tags={"k": 1})), 400, "InvalidRequestContent")
    emu.put_account("tp")
    wrapped(emu.arm("PATCH", emu.account_path("tp"), json={"tags": {"a:b": "ok", "x/y": "bad"}}), 400, "InvalidTagNameCharacters")
    resp = emu.put_account("tv", body=body(tags={"Case": "Value", "colon:ok": "Mixed Case"}))
    assert resp.status_code == 201 and resp.json()["tags"] == {"Case": "Value", "colon:ok": "Mixed Case"}


@pytest.mark.parametrize("name", ["a<b", "a>b", "a%25b", "a&b", "a:b", "a%5Cb", "a%3Fb", "a%2Fb", "a%01b", "n" * 261])
def test_invalid_account_names(emu, name):
    wrapped(emu.put_account(name), 400, "InvalidResourceName")


def test_long_and_unusual_valid_names(emu):
    assert emu.put_account("n" * 260).status_code == 201
    assert emu.put_account("with.dots_and-dash(1)").status_code == 201


def test_bad_json_bodies(emu):
    for raw in ("{not json", "[1,2]", '"text"', ""):
        err = wrapped(emu.arm("PUT", emu.account_path("j"), data=raw, headers={"Content-Type": "application/json"}),
                      400, "InvalidRequestContent")
        assert err["message"].startswith("The request content was invalid and could not be deserialized: ")
    emu.put_account("j")
    wrapped(emu.arm("PATCH", emu.account_path("j"), data="{", headers={"Content-Type": "application/json"}),
            400, "InvalidRequestContent")
    flat(emu.arm("PATCH", emu.account_path("j"), json={"properties": "x"}), 400, "InvalidRequestBody")
    flat(emu.put_account("j", body=body(properties={"description": 5})), 400, "InvalidRequestBody")


def test_api_version_errors(emu):
    err = wrapped(emu.arm("GET", emu.account_path("x"), api=None), 400, "MissingApiVersionParameter")
    assert err["message"] == "The api-version query parameter (?api-version=) is required for all requests."
    err = wrapped(emu.arm("GET", emu.account_path("x"), api="2020-01-01"), 400, "InvalidApiVersionParameter")
    assert "'2017-09-01-preview'" in err["message"] and "'2020-01-01'" in err["message"]
    wrapped(emu.arm("GET", "/providers/%s/operations" % NS, api="1999-01-01"), 400, "InvalidApiVersionParameter")


def test_missing_resource_group_and_subscription(emu):
    resp = emu.arm("GET", emu.account_path("x", rg="no-such-rg"))
    err = wrapped(resp, 404, "ResourceGroupNotFound")
    assert err["message"] == "Resource group 'no-such-rg' could not be found."
    assert resp.headers["x-ms-failure-cause"] == "gateway"
    for method in ("PUT", "PATCH", "DELETE"):
        wrapped(emu.arm(method, emu.account_path("x", rg="no-such-rg"), json=body()), 404, "ResourceGroupNotFound")
    wrapped(emu.arm("GET", "/subscriptions/%s/resourceGroups/no-such-rg/providers/%s/accounts" % (emu.sub, NS)),
            404, "ResourceGroupNotFound")
    other = "11111111-2222-3333-4444-555555555555"
    err = wrapped(emu.arm("GET", emu.account_path("x", sub=other)), 404, "SubscriptionNotFound")
    assert err["message"] == "The subscription '%s' could not be found." % other
    wrapped(emu.arm("GET", "/subscriptions/%s/providers/%s/accounts" % (other, NS)), 404, "SubscriptionNotFound")
    wrapped(emu.arm("GET", emu.account_path("x", sub="not-a-guid")), 400, "InvalidSubscriptionId")


def test_unknown_paths_and_methods(emu):
    err = wrapped(emu.arm("GET", "/subscriptions/%s/resourceGroups/demo-rg/providers/%s/widgets/w" % (emu.sub, NS)),
                  404, "InvalidResourceType")
    assert "'widgets'" in err["message"]
    wrapped(emu.arm("GET", "/foo/bar"), 404, "NotFound")
    resp = emu.arm("POST", emu.account_path("x"), json={})
    wrapped(resp, 405, "MethodNotAllowed")
    assert "PUT" in resp.headers["Allow"]


def test_etag_preconditions(emu):
    doc = emu.put_account("e1").json()
    etag = doc["etag"]
    wrapped(emu.put_account("e1", headers={"If-None-Match": "*"}), 412, "PreconditionFailed")
    wrapped(emu.put_account("e1", headers={"If-Match": '"stale"'}), 412, "PreconditionFailed")
    wrapped(emu.arm("PATCH", emu.account_path("e1"), json={"tags": {}}, headers={"If-Match": '"stale"'}), 412, "PreconditionFailed")
    wrapped(emu.arm("DELETE", emu.account_path("e1"), headers={"If-Match": '"stale"'}), 412, "PreconditionFailed")
    assert emu.arm("GET", emu.account_path("e1")).json()["etag"] == etag, "failed preconditions change nothing"
    resp = emu.arm("PATCH", emu.account_path("e1"), json={"tags": {"a": "b"}}, headers={"If-Match": etag})
    assert resp.status_code == 200
    new = resp.json()["etag"]
    assert emu.put_account("e1", headers={"If-Match": new}).status_code == 200
    assert emu.arm("PATCH", emu.account_path("e1"), json={}, headers={"If-Match": "*"}).status_code == 200
    wrapped(emu.put_account("e2", headers={"If-Match": "*"}), 412, "PreconditionFailed")
    wrapped(emu.arm("DELETE", emu.account_path("e2"), headers={"If-Match": "*"}), 412, "PreconditionFailed")
    assert emu.put_account("e2", headers={"If-None-Match": "*"}).status_code == 201
    current = emu.arm("GET", emu.account_path("e2")).json()["etag"]
    assert emu.arm("DELETE", emu.account_path("e2"), headers={"If-Match": current}).status_code == 200


def test_list_by_group_and_subscription(emu):
    emu.put_account("a1")
    emu.put_account("a2", rg="other-rg")
    by_rg = emu.arm("GET", "/subscriptions/%s/resourceGroups/demo-rg/providers/%s/accounts" % (emu.sub, NS))
    assert by_rg.status_code == 200
    assert [a["name"] for a in by_rg.json()["value"]] == ["a1"]
    assert "nextLink" not in by_rg.json()
    by_sub = emu.arm("GET", "/subscriptions/%s/providers/%s/accounts" % (emu.sub, NS)).json()
    assert [a["name"] for a in by_sub["value"]] == ["a1", "a2"]
    assert by_sub["value"][0] == emu.arm("GET", emu.account_path("a1")).json()
    empty = emu.arm("GET", "/subscriptions/%s/providers/%s/accounts" % (EXTRA_SUB, NS)).json()
    assert empty == {"value": []}


def test_operations_list(emu):
    resp = emu.arm("GET", "/providers/%s/operations" % NS)
    assert resp.status_code == 200
    ops = resp.json()["value"]
    names = [o["name"] for o in ops]
    for suffix in ("accounts/read", "accounts/write", "accounts/delete", "operations/read"):
        assert "%s/%s" % (NS, suffix) in names
    for op in ops:
        assert set(op) == {"name", "display", "origin"}
        assert set(op["display"]) == {"provider", "resource", "operation", "description"}
        assert op["origin"] == "user,system"
    wrapped(emu.arm("GET", "/providers/%s/operations" % NS, token=False), 401, "AuthenticationFailed")


def test_example_replay(emu):
    """The schema's example resource: no sku.capacity -> 400; with capacity 1 -> created and readable."""
    with open(os.path.join(os.path.dirname(__file__), "data", "Microsoft.MachineLearningModelManagement.tests.json")) as handle:
        example = json.load(handle)["tests"][0]["json"]
    example["name"] = "example-account"
    resp = emu.put_account("example-account", body=example)
    flat(resp, 400, "InvalidSkuCapacity")
    example["sku"]["capacity"] = 1
    resp = emu.put_account("example-account", body=example)
    assert resp.status_code == 201, resp.text
    got = emu.arm("GET", emu.account_path("example-account")).json()
    assert got["location"] == "eastus2"
    assert got["tags"] == {"isDevtest": "true"}
    assert got["properties"]["description"] == "A test model management Account"
    assert got["sku"] == {"name": "S1", "capacity": 1}
    assert got["type"] == TYPE
