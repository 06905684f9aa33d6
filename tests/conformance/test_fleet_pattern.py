"""The access pattern of a fleet reconciler (issue 13): list a scope in pages of 100 with an etag on every item, then
many concurrent conditional writes (If-None-Match: * to create, If-Match: <listed etag> to update or delete) on one
subscription. Each precondition is evaluated inside the write's own transaction, so of racing writers holding the
same etag exactly one wins and the others get 412.
"""

from concurrent.futures import ThreadPoolExecutor

from emu_support import NS

BODY = {"location": "eastus", "sku": {"name": "S1", "capacity": 1}}


def run_all(func, items, workers=16):
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(func, items))


def listing(emu, path):
    """Every page of a list: (pages, items)."""
    pages, items, url = [], [], path
    while url:
        resp = emu.arm("GET", url, api=None if url.startswith("https://") else "2017-09-01-preview")
        assert resp.status_code == 200, resp.text
        page = resp.json()
        pages.append(len(page["value"]))
        items.extend(page["value"])
        url = page.get("nextLink")
    return pages, items


def test_list_pages_of_100_carry_every_etag(emu):
    names = ["f%03d" % i for i in range(250)]
    assert run_all(lambda n: emu.put_account(n, headers={"If-None-Match": "*"}).status_code, names) == [201] * 250
    pages, items = listing(emu, "/subscriptions/%s/resourceGroups/demo-rg/providers/%s/accounts" % (emu.sub, NS))
    assert pages == [100, 100, 50]
    assert sorted(item["name"] for item in items) == names
    for item in items[::25]:
        got = emu.arm("GET", emu.account_path(item["name"]))
        assert item["etag"] == got.json()["etag"] == got.headers["ETag"]
    assert all(item["etag"].startswith('"') and item["etag"].endswith('"') for item in items)
    sub_pages, sub_items = listing(emu, "/subscriptions/%s/providers/%s/accounts" % (emu.sub, NS))
    assert sub_pages == [100, 100, 50] and {i["etag"] for i in sub_items} == {i["etag"] for i in items}


def test_concurrent_conditional_creates_updates_and_deletes(emu):
    names = ["c%02d" % i for i in range(40)]
    assert run_all(lambda n: emu.put_account(n, headers={"If-None-Match": "*"}).status_code, names) == [201] * 40
    again = run_all(lambda n: emu.put_account(n, headers={"If-None-Match": "*"}).status_code, names)
    assert again == [412] * 40, "If-None-Match: * never overwrites"
    _pages, items = listing(emu, "/subscriptions/%s/resourceGroups/demo-rg/providers/%s/accounts" % (emu.sub, NS))
    etags = {item["name"]: item["etag"] for item in items}

    def update(name):
        resp = emu.arm("PATCH", emu.account_path(name), json={"tags": {"managed-by": "fleet"}},
                       headers={"If-Match": etags[name]})
        return resp.status_code, resp.json().get("etag")

    updated = run_all(update, names[:20])
    assert [status for status, _etag in updated] == [200] * 20
    stale = run_all(lambda n: emu.arm("DELETE", emu.account_path(n), headers={"If-Match": etags[n]}).status_code, names[:20])
    assert stale == [412] * 20, "a delete conditional on the listed etag fails once someone changed the account"
    assert all(emu.arm("GET", emu.account_path(n)).status_code == 200 for n in names[:20])
    deleted = run_all(lambda n: emu.arm("DELETE", emu.account_path(n), headers={"If-Match": etags[n]}).status_code, names[20:])
    assert deleted == [200] * 20
    assert all(emu.arm("GET", emu.account_path(n)).status_code == 404 for n in names[20:])


def test_racing_writers_with_one_etag_exactly_one_wins(emu):
    etag = emu.put_account("race").json()["etag"]
    patches = run_all(lambda i: emu.arm("PATCH", emu.account_path("race"), json={"tags": {"w": str(i)}},
                                        headers={"If-Match": etag}).status_code, range(16))
    assert sorted(patches) == [200] + [412] * 15
    etag = emu.arm("GET", emu.account_path("race")).json()["etag"]
    deletes = run_all(lambda _i: emu.arm("DELETE", emu.account_path("race"), headers={"If-Match": etag}).status_code,
                      range(16))
    assert sorted(deletes) == [200] + [412] * 15, "If-Match on an account already deleted is 412, not 204"
    assert emu.arm("DELETE", emu.account_path("race"), headers={"If-Match": "*"}).status_code == 412
    assert emu.arm("DELETE", emu.account_path("race")).status_code == 204, "unconditional: did not exist"


def test_delete_if_match_error_body(emu):
    emu.put_account("d1")
    resp = emu.arm("DELETE", emu.account_path("d1"), headers={"If-Match": '"not-the-etag"'})
    assert resp.status_code == 412
    assert resp.json()["error"]["code"] == "PreconditionFailed"
    assert "If-Match" in resp.json()["error"]["message"]
    assert emu.arm("GET", emu.account_path("d1")).status_code == 200, "nothing deleted"


def test_fleet_pattern_under_throttling(emu):
    """Conditional writes spend write tokens whatever their answer; deletes have their own bucket."""
    emu.control("PATCH", "config", json={"throttling": True, "throttling_writes": {"size": 5, "rate": 1},
                                         "throttling_deletes": {"size": 2, "rate": 1}})
    emu.control("POST", "throttling/clock", json={"freeze": True})
    statuses = run_all(lambda n: emu.put_account(n, headers={"If-None-Match": "*"}).status_code, ["t%d" % i for i in range(8)])
    assert sorted(statuses) == [201] * 5 + [429] * 3
    created = [i for i, status in enumerate(statuses) if status == 201]
    etag = emu.arm("GET", emu.account_path("t%d" % created[0])).json()["etag"]
    assert emu.arm("DELETE", emu.account_path("t%d" % created[0]), headers={"If-Match": '"stale"'}).status_code == 412
    assert emu.arm("DELETE", emu.account_path("t%d" % created[0]), headers={"If-Match": etag}).status_code == 200
    refused = emu.arm("DELETE", emu.account_path("t%d" % created[1]))
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "SubscriptionRequestsThrottled"
    assert emu.arm("GET", emu.account_path("t%d" % created[1])).status_code == 200, "a throttled delete deletes nothing"
