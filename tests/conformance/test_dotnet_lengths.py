"""Lengths as Resource Manager counts them (issue 15 item 9): .NET string length, in UTF-16 code units, so a
character outside the Basic Multilingual Plane (an emoji, U+1F600) counts twice. Tag names <= 512, tag values
<= 256, account names <= 260; resource group names take letters and digits as .NET's Char.IsLetterOrDigit sees
them, one UTF-16 unit at a time, so no astral character is a letter there.
"""

import pytest

from emu_support import RG_API

EMOJI = "\U0001F600"  # 2 UTF-16 code units
SCRIPT_A = "\U0001D49C"  # MATHEMATICAL SCRIPT CAPITAL A: a letter to Python, a surrogate pair to .NET
BODY = {"location": "eastus", "sku": {"name": "S1", "capacity": 1}}
TAGS_API = "2021-04-01"


def error_code(resp):
    assert resp.status_code == 400, resp.text
    return resp.json()["error"]["code"]


def tag_writes(emu, tags):
    """The three ways to write tags: account PUT, account PATCH, Tags API Merge (the account t1 exists)."""
    return [emu.put_account("t1", body=dict(BODY, tags=tags)),
            emu.arm("PATCH", emu.account_path("t1"), json={"tags": tags}),
            emu.arm("PATCH", emu.account_path("t1") + "/providers/Microsoft.Resources/tags/default", api=TAGS_API,
                    json={"operation": "Merge", "properties": {"tags": tags}})]


@pytest.mark.parametrize("value", [EMOJI * 129, EMOJI * 256, "v" * 255 + EMOJI])
def test_tag_value_over_256_utf16_units_is_refused(emu, value):
    assert emu.put_account("t1").status_code == 201
    assert [error_code(resp) for resp in tag_writes(emu, {"k": value})] == ["InvalidTagValueLength"] * 3
    assert emu.arm("GET", emu.account_path("t1")).json()["tags"] == {}


@pytest.mark.parametrize("value", [EMOJI * 128, "v" * 254 + EMOJI])
def test_tag_value_of_256_utf16_units_is_accepted(emu, value):
    assert emu.put_account("t1").status_code == 201
    assert [resp.status_code for resp in tag_writes(emu, {"k": value})] == [200, 200, 200]
    assert emu.arm("GET", emu.account_path("t1")).json()["tags"] == {"k": value}


@pytest.mark.parametrize("name, status", [(EMOJI * 256, 200), ("n" * 510 + EMOJI, 200), (EMOJI * 257, 400),
                                          ("n" * 511 + EMOJI, 400)])
def test_tag_name_counts_utf16_units(emu, name, status):
    assert emu.put_account("t1").status_code == 201
    answers = tag_writes(emu, {name: "v"})
    assert [resp.status_code for resp in answers] == [status] * 3
    if status == 400:
        assert {resp.json()["error"]["code"] for resp in answers} == {"InvalidTagNameLength"}


@pytest.mark.parametrize("name, status", [(EMOJI * 130, 201), ("n" * 258 + EMOJI, 201), (EMOJI * 131, 400),
                                          ("n" * 259 + EMOJI, 400)])
def test_account_name_counts_utf16_units(emu, name, status):
    resp = emu.put_account(name)
    assert resp.status_code == status, resp.text
    if status == 201:
        assert resp.json()["name"] == name
        assert emu.arm("GET", emu.account_path(name)).status_code == 200
    else:
        assert resp.json()["error"]["code"] == "InvalidResourceName"


@pytest.mark.parametrize("name", [SCRIPT_A, "rg-" + SCRIPT_A, "rg" + EMOJI, "rg\u00bd", "rg\u2163"])
def test_group_name_takes_only_dotnet_letters_and_digits(emu, name):
    resp = emu.arm("PUT", "/subscriptions/%s/resourcegroups/%s" % (emu.sub, name), api=RG_API, json={"location": "eastus"})
    assert error_code(resp) == "InvalidResourceGroupName"


@pytest.mark.parametrize("name", ["\u00e9" * 90, "rg-\u0436\u4e2d\u0661"])
def test_group_name_bmp_letters_and_digits(emu, name):
    resp = emu.arm("PUT", "/subscriptions/%s/resourcegroups/%s" % (emu.sub, name), api=RG_API, json={"location": "eastus"})
    assert resp.status_code == 201 and resp.json()["name"] == name
    too_long = emu.arm("PUT", "/subscriptions/%s/resourcegroups/%s" % (emu.sub, "\u00e9" * 91), api=RG_API,
                       json={"location": "eastus"})
    assert error_code(too_long) == "InvalidResourceGroupName"


@pytest.mark.parametrize("name", ["rg\n", "rg\r\n", "demo-rg\n"])
def test_group_name_with_a_trailing_line_break_is_refused(emu, name):
    """`$` in a pattern matches before a final newline (issue 15 item 2): the whole name must match."""
    path = "/subscriptions/%s/resourcegroups/%s" % (emu.sub, name.replace("\n", "%0A").replace("\r", "%0D"))
    resp = emu.arm("PUT", path, api=RG_API, json={"location": "eastus"})
    assert error_code(resp) == "InvalidResourceGroupName"


def test_subscription_id_with_a_trailing_line_break_is_malformed(emu):
    resp = emu.arm("GET", "/subscriptions/%s%%0A/resourcegroups" % emu.sub, api=RG_API)
    assert error_code(resp) == "InvalidSubscriptionId"
