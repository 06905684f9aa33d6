"""The `etags` config key off: accounts carry no etag (as the provider's published API shows none), and what the
conditional headers do then (docs/decisions.md): existence checks (`*`) still work, an If-Match value never matches."""

import pytest

from emu_support import EXTRA_SUB, Client

BODY = {"location": "eastus", "sku": {"name": "S1", "capacity": 1}}


@pytest.fixture
def no_etags(emu):
    resp = emu.control("PATCH", "config", json={"etags": False})
    assert resp.status_code == 200 and resp.json()["etags"] is False
    return emu


def assert_no_etag(resp):
    assert "ETag" not in resp.headers, resp.headers
    assert "etag" not in resp.json(), resp.json()


def test_no_etag_in_any_account_answer(no_etags):
    emu = no_etags
    created = emu.put_account("n1", headers={"If-None-Match": "*"})
    assert created.status_code == 201
    assert_no_etag(created)
    assert_no_etag(emu.put_account("n1"))
    assert_no_etag(emu.arm("GET", emu.account_path("n1")))
    patched = emu.arm("PATCH", emu.account_path("n1"), json={"tags": {"a": "b"}})
    assert patched.status_code == 200
    assert_no_etag(patched)
    for path in ("/subscriptions/%s/resourceGroups/demo-rg/providers/Microsoft.MachineLearningModelManagement/accounts",
                 "/subscriptions/%s/providers/Microsoft.MachineLearningModelManagement/accounts"):
        listed = emu.arm("GET", path % emu.sub).json()["value"]
        assert [doc["name"] for doc in listed] == ["n1"] and "etag" not in listed[0]


def test_no_etag_in_async_operation_result(no_etags):
    emu = no_etags
    emu.control("PATCH", "config", json={"async": True, "async_polls": 0})
    created = emu.put_account("n2")
    assert created.status_code == 201
    assert_no_etag(created)
    status_url = created.headers["Azure-AsyncOperation"]
    result_url = status_url.replace("/operationStatuses/", "/operationResults/")
    assert emu.arm("GET", status_url, api=None).json()["status"] == "Succeeded"
    result = emu.arm("GET", result_url, api=None)
    assert result.status_code == 200
    assert_no_etag(result)


def test_if_none_match_star_still_means_create_only(no_etags):
    emu = no_etags
    assert emu.put_account("n3", headers={"If-None-Match": "*"}).status_code == 201
    again = emu.put_account("n3", body=dict(BODY, tags={"x": "y"}), headers={"If-None-Match": "*"})
    assert again.status_code == 412 and again.json()["error"]["code"] == "PreconditionFailed"
    assert emu.arm("GET", emu.account_path("n3")).json()["tags"] == {}, "the refused create changed nothing"


def test_if_match_value_never_matches_without_etags(no_etags):
    emu = no_etags
    emu.put_account("n4")
    path = emu.account_path("n4")
    for method, kwargs in (("PUT", {"json": dict(BODY, tags={"x": "y"})}), ("PATCH", {"json": {"tags": {"x": "y"}}}),
                           ("DELETE", {})):
        for value in ('"0f8fad5b-d9cb-469f-a165-70867728950e"', 'W/"anything"', '""'):
            resp = emu.arm(method, path, headers={"If-Match": value}, **kwargs)
            assert resp.status_code == 412, (method, value, resp.text)
            assert resp.json()["error"]["code"] == "PreconditionFailed"
            assert "has no etag" in resp.json()["error"]["message"]
    assert emu.arm("GET", path).json()["tags"] == {}, "nothing was written"


def test_if_match_star_is_an_existence_check(no_etags):
    emu = no_etags
    missing = emu.put_account("n5", headers={"If-Match": "*"})
    assert missing.status_code == 412
    assert emu.arm("GET", emu.account_path("n5")).status_code == 404
    emu.put_account("n5")
    resp = emu.arm("PATCH", emu.account_path("n5"), json={"tags": {"k": "v"}}, headers={"If-Match": "*"})
    assert resp.status_code == 200 and resp.json()["tags"] == {"k": "v"}
    assert emu.arm("DELETE", emu.account_path("n5"), headers={"If-Match": "*"}).status_code == 200


def test_if_none_match_value_cannot_match_so_the_write_proceeds(no_etags):
    emu = no_etags
    emu.put_account("n6")
    resp = emu.put_account("n6", body=dict(BODY, tags={"p": "q"}), headers={"If-None-Match": '"some-old-etag"'})
    assert resp.status_code == 200 and resp.json()["tags"] == {"p": "q"}


def test_turning_etags_back_on_shows_a_current_etag(no_etags):
    emu = no_etags
    emu.put_account("n7")
    emu.control("PATCH", "config", json={"etags": True})
    got = emu.arm("GET", emu.account_path("n7"))
    etag = got.json()["etag"]
    assert got.headers["ETag"] == etag and etag.startswith('"')
    assert emu.arm("PATCH", emu.account_path("n7"), json={"tags": {}}, headers={"If-Match": etag}).status_code == 200


def test_reset_brings_back_the_start_value(no_etags):
    emu = no_etags
    emu.control("POST", "reset")
    assert emu.control("GET", "config").json()["etags"] is True


def test_no_etags_flag_at_start(start_emulator):
    proc = start_emulator("--no-etags", "--subscription", EXTRA_SUB)
    client = Client(proc)
    assert client.control("GET", "config").json()["etags"] is False
    created = client.put_account("flag1")
    assert created.status_code == 201
    assert_no_etag(created)
    client.control("POST", "reset")
    assert client.control("GET", "config").json()["etags"] is False, "reset restores the start value"
