"""Account names the emulator refuses as Resource Manager does (issue 22 item 9; docs/decisions.md, "Names the emulator
refuses"): a '.' at the end, whitespace at either end (a no-break space too), a line break of any kind. Names that
only look odd to Ansible (a '!' or '@' at the start, a comma, an inner space or dot) are Azure's to accept."""

from urllib.parse import quote

import pytest


def put(emu, name):
    return emu.put_account(quote(name, safe=""))


@pytest.mark.parametrize("name", ["x.", "x..", " x", "x ", "\tx", "a\u00a0", "\u3000a", "a\u2028b", "a\u2029b", "a\x85b", "a\nb"])
def test_names_azure_refuses_are_refused(emu, name):
    resp = put(emu, name)
    assert resp.status_code == 400, resp.text
    error = resp.json()["error"]
    assert error["code"] == "InvalidResourceName" and "end with '.'" in error["message"]
    assert emu.arm("GET", emu.account_path(quote(name, safe=""))).status_code in (400, 404)  # never created


@pytest.mark.parametrize("name", ["a.b", "two words", "!bang", "@at", "x,y", "~tilde", "a*b[c]", "{{7*7}}", "caf\u00e9"])
def test_names_only_ansible_finds_odd_are_accepted(emu, name):
    resp = put(emu, name)
    assert resp.status_code == 201, resp.text
    assert resp.json()["name"] == name
