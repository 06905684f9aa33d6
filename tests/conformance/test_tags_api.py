"""Resource Manager's Tags API at an account's scope ({account id}/providers/Microsoft.Resources/tags/default):
GET / PUT / PATCH (Merge, Replace, Delete) / DELETE, the account-tag rules, and atomic merges under concurrency."""

import concurrent.futures

import pytest

from emu_support import Client

TAGS_API = "2021-04-01"
SUFFIX = "/providers/Microsoft.Resources/tags/default"
BODY = {"location": "eastus", "sku": {"name": "S1", "capacity": 1}}


def tags_path(emu, name, rg="demo-rg"):
    return emu.account_path(name, rg) + SUFFIX


def make(emu, name, tags=None):
    resp = emu.put_account(name, body=dict(BODY, tags=tags or {}))
    assert resp.status_code == 201, resp.text
    return resp.json()


def patch(emu, name, operation, tags, **kwargs):
    return emu.arm("PATCH", tags_path(emu, name), api=TAGS_API, json={"operation": operation, "properties": {"tags": tags}},
                   **kwargs)


def own_client(emu):
    """A client with its own connection (requests sessions are not shared between threads) and the same token."""
    client = Client(emu.p)
    client.token = emu.token
    return client


def account_tags(emu, name):
    return emu.arm("GET", emu.account_path(name)).json()["tags"]


def test_get_shape(emu):
    doc = make(emu, "t1", {"env": "dev"})
    resp = emu.arm("GET", tags_path(emu, "t1"), api=TAGS_API)
    assert resp.status_code == 200
    assert resp.json() == {"id": doc["id"] + SUFFIX, "name": "default", "type": "Microsoft.Resources/tags",
                           "properties": {"tags": {"env": "dev"}}}


def test_put_replaces_all_and_the_account_shows_it(emu):
    doc = make(emu, "t2", {"a": "1", "b": "2"})
    resp = emu.arm("PUT", tags_path(emu, "t2"), api=TAGS_API, json={"properties": {"tags": {"c": "3"}}})
    assert resp.status_code == 200 and resp.json()["properties"]["tags"] == {"c": "3"}
    after = emu.arm("GET", emu.account_path("t2")).json()
    assert after["tags"] == {"c": "3"}
    assert after["etag"] != doc["etag"], "a tag write is a write of the account: new etag"
    assert after["properties"]["modifiedOn"] > doc["properties"]["modifiedOn"]
    assert after["properties"]["createdOn"] == doc["properties"]["createdOn"]
    assert after["sku"] == doc["sku"] and after["location"] == doc["location"]


def test_merge_adds_and_updates_case_insensitively(emu):
    make(emu, "t3", {"env": "dev", "owner": "ann"})
    resp = patch(emu, "t3", "Merge", {"Env": "prod", "team": "x"})
    assert resp.status_code == 200
    assert resp.json()["properties"]["tags"] == {"env": "prod", "owner": "ann", "team": "x"}, \
        "Env updates the existing env (its stored casing kept); nothing else is touched"
    assert account_tags(emu, "t3") == {"env": "prod", "owner": "ann", "team": "x"}


def test_replace_and_delete_by_name_and_value(emu):
    make(emu, "t4", {"a": "1", "b": "2", "c": "3"})
    resp = patch(emu, "t4", "Delete", {"A": "1", "b": "not-2"})
    assert resp.status_code == 200
    assert resp.json()["properties"]["tags"] == {"b": "2", "c": "3"}, "a is deleted (name and value match), b is not"
    resp = patch(emu, "t4", "Replace", {"z": "26"})
    assert resp.json()["properties"]["tags"] == {"z": "26"}
    assert account_tags(emu, "t4") == {"z": "26"}


def test_operation_names_are_case_insensitive_and_checked(emu):
    make(emu, "t5")
    assert patch(emu, "t5", "merge", {"a": "1"}).status_code == 200
    for bad in ("Add", "", None, 1):
        resp = patch(emu, "t5", bad, {"b": "2"})
        assert resp.status_code == 400, bad
        assert resp.json()["error"]["code"] == "InvalidRequestContent"
    resp = emu.arm("PATCH", tags_path(emu, "t5"), api=TAGS_API, json={"properties": {"tags": {"b": "2"}}})
    assert resp.status_code == 400, "operation is required"
    assert account_tags(emu, "t5") == {"a": "1"}


def test_delete_removes_all(emu):
    doc = make(emu, "t6", {"a": "1"})
    resp = emu.arm("DELETE", tags_path(emu, "t6"), api=TAGS_API)
    assert resp.status_code == 200 and resp.content == b""
    after = emu.arm("GET", emu.account_path("t6")).json()
    assert after["tags"] == {} and after["etag"] != doc["etag"]


def test_path_is_case_insensitive(emu):
    make(emu, "t7", {"a": "1"})
    path = tags_path(emu, "T7").replace("resourceGroups", "RESOURCEGROUPS").replace(SUFFIX, SUFFIX.upper())
    resp = emu.arm("GET", path, api=TAGS_API)
    assert resp.status_code == 200 and resp.json()["properties"]["tags"] == {"a": "1"}


@pytest.mark.parametrize("api", ["2019-10-01", "2020-06-01", "2021-04-01", "2022-09-01", "2023-07-01", "2024-03-01"])
def test_tags_api_versions(emu, api):
    make(emu, "t8")
    assert emu.arm("GET", tags_path(emu, "t8"), api=api).status_code == 200


@pytest.mark.parametrize("api", ["2019-05-01", "2017-09-01-preview", "2021-04-01-preview"])
def test_other_api_versions_are_refused(emu, api):
    make(emu, "t9")
    resp = emu.arm("GET", tags_path(emu, "t9"), api=api)
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "InvalidApiVersionParameter"


def test_missing_account_and_group(emu):
    resp = emu.arm("GET", tags_path(emu, "nope"), api=TAGS_API)
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "ResourceNotFound"
    assert patch(emu, "nope", "Merge", {"a": "1"}).status_code == 404
    assert emu.arm("DELETE", tags_path(emu, "nope"), api=TAGS_API).status_code == 404
    resp = emu.arm("PUT", tags_path(emu, "x", rg="no-such-rg"), api=TAGS_API, json={"properties": {"tags": {}}})
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "ResourceGroupNotFound"
    assert emu.arm("GET", emu.account_path("nope")).status_code == 404, "a tag write never creates the account"


@pytest.mark.parametrize("tags, code", [
    ({"a/b": "1"}, "InvalidTagNameCharacters"),
    ({"tab\there": "1"}, "InvalidTagNameCharacters"),
    ({"c1\u0085": "1"}, "InvalidTagNameCharacters"),
    ({"k": "v" * 257}, "InvalidTagValueLength"),
    ({"n" * 513: "v"}, "InvalidTagNameLength"),
    ({"k": 1}, "InvalidRequestContent"),
    ({"k": "1", "K": "2"}, "InvalidRequestContent"),
])
def test_same_validation_as_account_tags(emu, tags, code):
    make(emu, "t10", {"keep": "me"})
    for resp in (patch(emu, "t10", "Merge", tags),
                 emu.arm("PUT", tags_path(emu, "t10"), api=TAGS_API, json={"properties": {"tags": tags}}),
                 emu.put_account("t10", body=dict(BODY, tags=tags))):
        assert resp.status_code == 400, resp.text
        assert resp.json()["error"]["code"] == code
    assert account_tags(emu, "t10") == {"keep": "me"}


def test_more_than_50_after_the_merge_is_refused(emu):
    make(emu, "t11", {"t%02d" % i: "v" for i in range(45)})
    resp = patch(emu, "t11", "Merge", {"n%d" % i: "v" for i in range(6)})
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "InvalidTagCount"
    assert len(account_tags(emu, "t11")) == 45, "nothing written"
    assert patch(emu, "t11", "Merge", {"n%d" % i: "v" for i in range(5)}).status_code == 200
    assert patch(emu, "t11", "Merge", {"T00": "updated"}).status_code == 200, "updating an existing name adds none"
    assert len(account_tags(emu, "t11")) == 50


def test_bad_bodies(emu):
    make(emu, "t12")
    for body in ({}, {"properties": "x"}, {"operation": "Merge", "properties": {"tags": "x"}}):
        method = "PATCH" if "operation" in body else "PUT"
        resp = emu.arm(method, tags_path(emu, "t12"), api=TAGS_API, json=body)
        assert resp.status_code == 400 and resp.json()["error"]["code"] == "InvalidRequestContent", body
    resp = emu.arm("POST", tags_path(emu, "t12"), api=TAGS_API, json={})
    assert resp.status_code == 405 and set(resp.headers["Allow"].split(", ")) == {"DELETE", "GET", "PATCH", "PUT"}


def test_tag_writes_are_journaled_as_arm(emu):
    make(emu, "t13")
    patch(emu, "t13", "Merge", {"a": "1"})
    entry = emu.journal()[-1]
    assert entry["kind"] == "arm" and entry["method"] == "PATCH" and entry["path"].endswith(SUFFIX)
    assert entry["body"] == {"operation": "Merge", "properties": {"tags": {"a": "1"}}} and entry["status"] == 200


def test_concurrent_merges_lose_nothing(emu):
    """50 writers, each merging its own tag at the same moment (and each with its own connection): all 50 land."""
    make(emu, "t14")
    writers = [own_client(emu) for _writer in range(50)]

    def write(index):
        return patch(writers[index], "t14", "Merge", {"w%02d" % index: str(index)}).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(write, range(50)))
    assert statuses == [200] * 50
    assert account_tags(emu, "t14") == {"w%02d" % i: str(i) for i in range(50)}


def test_concurrent_merge_and_delete_writers_on_one_account(emu):
    """10 writers add a tag each while 10 others delete pre-existing tags: exactly the expected set remains."""
    make(emu, "t15", {"old%d" % i: "x" for i in range(10)})

    def write(index):
        client = own_client(emu)
        if index % 2:
            return patch(client, "t15", "Merge", {"new%d" % index: "y"})
        return patch(client, "t15", "Delete", {"old%d" % (index // 2): "x"})

    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(write, range(20)))
    assert [r.status_code for r in responses] == [200] * 20
    assert account_tags(emu, "t15") == {"new%d" % i: "y" for i in range(1, 20, 2)}


def test_account_patch_does_lose_concurrent_tags_the_tags_api_does_not(emu):
    """Why the Tags API exists: read-modify-write of the whole set via PATCH of the account loses a writer's tag."""
    make(emu, "t16")
    seen = account_tags(emu, "t16")
    first = emu.arm("PATCH", emu.account_path("t16"), json={"tags": dict(seen, a="1")})
    second = emu.arm("PATCH", emu.account_path("t16"), json={"tags": dict(seen, b="2")})  # planned from the same read
    assert first.status_code == second.status_code == 200
    assert account_tags(emu, "t16") == {"b": "2"}, "the whole-set PATCH overwrote a"
    patch(emu, "t16", "Merge", {"c": "3"})
    patch(emu, "t16", "Merge", {"d": "4"})
    assert account_tags(emu, "t16") == {"b": "2", "c": "3", "d": "4"}


def test_tag_write_while_an_operation_runs_is_409(emu):
    make(emu, "t17")
    resp = emu.control("POST", "provisioning-state", json={"resource_group": "demo-rg", "name": "t17", "state": "Updating"})
    assert resp.status_code == 200, resp.text
    resp = patch(emu, "t17", "Merge", {"a": "1"})
    assert resp.status_code == 409 and resp.json()["code"] == "AnotherOperationInProgress"
    assert emu.arm("GET", tags_path(emu, "t17"), api=TAGS_API).status_code == 200, "reads still work"


def test_no_token_no_tags(emu):
    make(emu, "t18")
    resp = emu.arm("GET", tags_path(emu, "t18"), api=TAGS_API, token=False)
    assert resp.status_code == 401 and resp.json()["error"]["code"] == "AuthenticationFailed"
