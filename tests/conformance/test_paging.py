"""Paging: absolute nextLink with $skiptoken, 1,050 accounts over pages, empty pages, bad tokens, operations list."""

from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

from emu_support import NS


def walk(emu, path):
    """Follow nextLink to the end; return (items, pages)."""
    pages = []
    resp = emu.arm("GET", path)
    while True:
        assert resp.status_code == 200, resp.text
        data = resp.json()
        pages.append(data)
        link = data.get("nextLink")
        if not link:
            return [item for page in pages for item in page["value"]], pages
        assert link.startswith(emu.base + "/"), link
        query = parse_qs(urlsplit(link).query)
        assert query["api-version"] == ["2017-09-01-preview"]
        assert query["$skiptoken"]
        resp = emu.arm("GET", link, api=None)


def create_many(emu, names, rg="demo-rg", workers=8):
    def put(name):
        resp = emu.put_account(name, rg=rg)
        assert resp.status_code == 201, resp.text

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(put, names))


def test_walk_1050_accounts(emu):
    names = ["acct-%04d" % i for i in range(1050)]
    create_many(emu, names)
    items, pages = walk(emu, "/subscriptions/%s/resourceGroups/demo-rg/providers/%s/accounts" % (emu.sub, NS))
    assert [len(p["value"]) for p in pages] == [100] * 10 + [50]
    assert sorted(i["name"] for i in items) == names
    assert len({i["id"] for i in items}) == 1050
    assert "nextLink" not in pages[-1]
    emu.control("PATCH", "config", json={"page_size": 400})
    items2, pages2 = walk(emu, "/subscriptions/%s/providers/%s/accounts" % (emu.sub, NS))
    assert [len(p["value"]) for p in pages2] == [400, 400, 250]
    assert [i["name"] for i in items2] == [i["name"] for i in items], "order is stable (creation order)"


def test_empty_pages(emu):
    create_many(emu, ["e%d" % i for i in range(5)], workers=1)
    emu.control("PATCH", "config", json={"page_size": 2, "empty_pages": True})
    items, pages = walk(emu, "/subscriptions/%s/resourceGroups/demo-rg/providers/%s/accounts" % (emu.sub, NS))
    assert [len(p["value"]) for p in pages] == [0, 2, 0, 2, 0, 1]
    assert all("nextLink" in p for p in pages[:-1])
    assert [i["name"] for i in items] == ["e0", "e1", "e2", "e3", "e4"]


def test_empty_list_with_empty_pages_ends(emu):
    emu.control("PATCH", "config", json={"empty_pages": True})
    data = emu.arm("GET", "/subscriptions/%s/resourceGroups/other-rg/providers/%s/accounts" % (emu.sub, NS)).json()
    assert data == {"value": []}


def test_invalid_skiptoken(emu):
    path = "/subscriptions/%s/resourceGroups/demo-rg/providers/%s/accounts" % (emu.sub, NS)
    resp = emu.arm("GET", path + "?$skiptoken=garbage!!")
    assert resp.status_code == 400
    assert resp.json()["code"] == "InvalidSkipToken"
    create_many(emu, ["s0", "s1", "s2"], workers=1)
    emu.control("PATCH", "config", json={"page_size": 1})
    link = emu.arm("GET", path).json()["nextLink"]
    token = parse_qs(urlsplit(link).query)["$skiptoken"][0]
    other_list = "/subscriptions/%s/providers/%s/accounts?$skiptoken=%s" % (emu.sub, NS, token)
    assert emu.arm("GET", other_list).json()["code"] == "InvalidSkipToken"


def test_operations_paging(emu):
    full = emu.arm("GET", "/providers/%s/operations" % NS).json()
    assert "nextLink" not in full
    emu.control("PATCH", "config", json={"page_size": 3})
    items, pages = walk(emu, "/providers/%s/operations" % NS)
    assert len(pages) == -(-len(full["value"]) // 3)
    assert items == full["value"]
