# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory cache entry: one JSON text that no cache plugin decodes, served only for its scope; files made 0600."""

from __future__ import annotations

import json
import os
import stat

import pytest

from ansible.parsing.ajson import AnsibleJSONDecoder, AnsibleJSONEncoder

from ansible_collections.azureml.model_management.plugins.plugin_utils import cache_entry
from ansible_collections.azureml.model_management.tests.unit.fakes import SUB_WITH_LETTERS as SUB

SCOPE = {"subscriptions": [SUB], "resource_groups": ["ml-prod"]}
MARKERS = {"__ansible_vault": "x", "__ansible_unsafe": "y", "__ansible_type": "probe", "__payload__": "z"}
ACCOUNT = {"id": "/subscriptions/%s/resourceGroups/ml-prod/providers/x/accounts/a" % SUB, "name": "a", "subscription_id": SUB,
           "resource_group": "ml-prod", "tags": MARKERS, "description": '{"__ansible_vault": "x"}'}


def round_trip(entry):
    """Through the JSON encoding a cache plugin uses (the legacy one: it decodes __ansible_vault and __ansible_unsafe)."""
    return json.loads(json.dumps(entry, cls=AnsibleJSONEncoder), cls=AnsibleJSONDecoder)


def test_marker_keys_come_back_as_azure_sent_them():
    entry = cache_entry.encode(SCOPE, [ACCOUNT], True)
    assert set(entry) == {"format", "listing"} and isinstance(entry["listing"], str)
    assert cache_entry.decode(round_trip(entry), SCOPE) == [ACCOUNT]


@pytest.mark.parametrize("entry", [
    None, "text", {"format": 1}, {"format": 2, "listing": "{not json"}, {"format": 2, "listing": "[]"},
    cache_entry.encode({"subscriptions": [SUB], "resource_groups": []}, [ACCOUNT], True),  # another scope
    cache_entry.encode(SCOPE, [ACCOUNT], False),  # a listing with errors is never served
    cache_entry.encode(SCOPE, [dict(ACCOUNT, subscription_id="0b6e3a1c-2d4f-4e5a-8b9c-0d1e2f3a4b5c")], True),
    cache_entry.encode(SCOPE, [dict(ACCOUNT, tags=None)], True),
    {"scope": SCOPE, "accounts": [ACCOUNT]},  # the format before: a plain mapping
])
def test_anything_else_is_a_miss(entry):
    assert cache_entry.decode(entry, SCOPE) is None


def test_cache_files_of_the_key_are_made_private(tmp_path):
    key = "azureml.model_management.accounts_k123abc"
    ours, prefixed, other = tmp_path / key, tmp_path / ("s1_" + key), tmp_path / "someone_else"
    for path in (ours, prefixed, other):
        path.write_text("{}")
        os.chmod(str(path), 0o644)
    os.symlink(str(other), str(tmp_path / ("link_" + key)))
    changed = cache_entry.make_private(str(tmp_path), key)
    assert sorted(changed) == sorted([str(ours), str(prefixed)])
    assert [stat.S_IMODE(os.stat(str(path)).st_mode) for path in (ours, prefixed, other)] == [0o600, 0o600, 0o644]
    assert cache_entry.make_private(str(tmp_path), key) == []
    assert cache_entry.make_private(str(tmp_path / "missing"), key) == [] and cache_entry.make_private("", key) == []
