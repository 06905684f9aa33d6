"""Resource groups and subscriptions (Microsoft.Resources)."""

from emu_support import EXTRA_SUB, NS, RG_API


def rg_path(emu, name, sub=None):
    return "/subscriptions/%s/resourcegroups/%s" % (sub or emu.sub, name)


def test_seeded_group(emu):
    resp = emu.arm("GET", rg_path(emu, "DEMO-RG"), api=RG_API)
    assert resp.status_code == 200
    assert resp.json() == {"id": "/subscriptions/%s/resourceGroups/demo-rg" % emu.sub, "name": "demo-rg",
                           "type": "Microsoft.Resources/resourceGroups", "location": "eastus", "tags": {},
                           "properties": {"provisioningState": "Succeeded"}}


def test_group_lifecycle_and_cascade(emu):
    resp = emu.arm("PUT", rg_path(emu, "My-RG"), api=RG_API, json={"location": "West US", "tags": {"o": "me"}})
    assert resp.status_code == 201
    assert resp.json()["location"] == "westus" and resp.json()["tags"] == {"o": "me"}
    again = emu.arm("PUT", rg_path(emu, "my-rg"), api=RG_API, json={"location": "westus"})
    assert again.status_code == 200 and again.json()["tags"] == {}
    assert again.json()["name"] == "My-RG", "a group keeps the name it was created with"
    assert again.json()["id"] == "/subscriptions/%s/resourceGroups/My-RG" % emu.sub
    patched = emu.arm("PATCH", rg_path(emu, "MY-RG"), api=RG_API, json={"tags": {"a": "b"}})
    assert patched.status_code == 200 and patched.json()["name"] == "My-RG" and patched.json()["tags"] == {"a": "b"}
    moved = emu.arm("PUT", rg_path(emu, "my-rg"), api=RG_API, json={"location": "eastus"})
    assert moved.status_code == 409 and moved.json()["error"]["code"] == "InvalidResourceGroupLocation"
    assert emu.arm("HEAD", rg_path(emu, "my-rg"), api=RG_API).status_code == 204
    assert emu.put_account("inside", rg="my-rg").status_code == 201
    listed = emu.arm("GET", "/subscriptions/%s/resourcegroups" % emu.sub, api=RG_API).json()["value"]
    assert "My-RG" in [g["name"] for g in listed]
    deleting = emu.arm("DELETE", rg_path(emu, "my-rg"), api=RG_API)
    assert deleting.status_code == 202 and deleting.text == "" and int(deleting.headers["Retry-After"]) >= 0
    assert deleting.headers["Location"].startswith("%s/subscriptions/%s/operationresults/" % (emu.base, emu.sub))
    assert emu.arm("GET", deleting.headers["Location"], api=None).status_code == 200
    assert emu.arm("HEAD", rg_path(emu, "my-rg"), api=RG_API).status_code == 404
    gone = emu.arm("GET", rg_path(emu, "my-rg"), api=RG_API)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "ResourceGroupNotFound"
    assert emu.arm("DELETE", rg_path(emu, "my-rg"), api=RG_API).status_code == 404
    emu.arm("PUT", rg_path(emu, "my-rg"), api=RG_API, json={"location": "westus"})
    assert emu.arm("GET", emu.account_path("inside", rg="my-rg")).status_code == 404, "deleting a group deletes its accounts"
    assert emu.arm("GET", "/subscriptions/%s/providers/%s/accounts" % (emu.sub, NS)).json() == {"value": []}


def test_group_validation(emu):
    for bad in ("ends.", "a" * 91, "bad*name", "sp ace"):
        resp = emu.arm("PUT", rg_path(emu, bad), api=RG_API, json={"location": "eastus"})
        assert resp.status_code == 400 and resp.json()["error"]["code"] == "InvalidResourceGroupName", bad
    assert emu.arm("PUT", rg_path(emu, "ok_(1).x-y"), api=RG_API, json={"location": "eastus"}).status_code == 201
    resp = emu.arm("PUT", rg_path(emu, "noloc"), api=RG_API, json={})
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "LocationRequired"
    resp = emu.arm("GET", rg_path(emu, "demo-rg"), api="2017-09-01-preview")
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "InvalidApiVersionParameter"


def test_groups_in_other_subscription(emu):
    assert emu.arm("GET", "/subscriptions/%s/resourcegroups" % EXTRA_SUB, api=RG_API).json() == {"value": []}
    assert emu.arm("PUT", rg_path(emu, "rg2", sub=EXTRA_SUB), api=RG_API, json={"location": "eastus"}).status_code == 201
    assert emu.put_account("x", rg="rg2", body=None).status_code == 404, "rg2 is not in the default subscription"
    path = "/subscriptions/%s/resourceGroups/rg2/providers/%s/accounts/x" % (EXTRA_SUB, NS)
    assert emu.arm("PUT", path, json={"location": "eastus", "sku": {"name": "S1", "capacity": 1}}).status_code == 201
    subs = emu.arm("GET", "/subscriptions", api="2020-01-01").json()["value"]
    assert sorted(s["subscriptionId"] for s in subs) == sorted([emu.sub, EXTRA_SUB])
    assert emu.arm("GET", "/subscriptions/%s" % emu.sub, api="2020-01-01").json()["state"] == "Enabled"
