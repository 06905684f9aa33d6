# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet module's accounts_file: any declared list written as JSON or YAML reads back as the same data; anything
else is refused with a message naming the option, the file and the rule."""

from __future__ import annotations

import json

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.azureml.model_management.plugins.plugin_utils.declared_file import parse_declared, read_declared


def entries_of(text):
    values = st.recursive(st.none() | st.booleans() | st.integers(-10 ** 6, 10 ** 6) | text,
                          lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3), max_leaves=8)
    return st.lists(st.dictionaries(text, values, max_size=5), max_size=6)


ENTRIES = entries_of(st.text(st.characters(blacklist_categories=("Cs",)), max_size=20))
# PyYAML's dumper writes control characters such as U+0085 (a YAML line break) in a form its loader reads differently:
# a limit of the dumper, not of reading, so the YAML property draws text without them.
YAML_ENTRIES = entries_of(st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=20))


@settings(max_examples=150, deadline=None)
@given(ENTRIES)
def test_any_list_written_as_json_reads_back_the_same(entries):
    assert parse_declared(json.dumps(entries), "f.json") == (entries, None)
    assert parse_declared("\n  " + json.dumps(entries, indent=1), "f.json") == (entries, None)


@settings(max_examples=150, deadline=None)
@given(YAML_ENTRIES)
def test_any_list_written_as_yaml_reads_back_the_same(entries):
    assert parse_declared(yaml.safe_dump(entries, allow_unicode=True), "f.yml") == (entries, None)


def test_a_template_is_text_not_rendered_nor_marked():
    entries, problem = parse_declared("- name: a\n  tags: {owner: \"{{ lookup('pipe', 'id') }}\"}\n", "f.yml")
    assert problem is None
    assert entries == [{"name": "a", "tags": {"owner": "{{ lookup('pipe', 'id') }}"}}]
    assert type(entries[0]["tags"]["owner"]) is str  # pylint: disable=unidiomatic-typecheck  # a plain str, not Ansible's


def test_a_key_given_twice_is_refused_in_json_and_in_yaml():
    for text, path in (('[{"name": "a", "tags": {"x": "1", "x": "2"}}]', "f.json"), ("- name: a\n  name: b\n", "f.yml")):
        entries, problem = parse_declared(text, path)
        assert entries is None and problem.startswith("accounts_file (%s) is not a valid JSON or YAML file" % path)
        assert "is given twice in one mapping" in problem


def test_anything_but_a_list_is_refused_naming_what_it_is():
    assert parse_declared("", "e.yml") == (None, "accounts_file (e.yml) must hold a list of accounts (one dictionary per account),"
                                                 " got an empty file")
    assert parse_declared("accounts: []\n", "m.yml")[1].endswith("got dict")
    assert parse_declared("just text", "t.yml")[1].endswith("got str")
    assert parse_declared("[1, ", "b.json")[1].startswith("accounts_file (b.json) is not a valid JSON or YAML file: ")
    assert parse_declared("a: [", "b.yml")[1].startswith("accounts_file (b.yml) is not a valid JSON or YAML file: ")


def test_yaml_anchors_merge_keys_and_unhashable_keys_behave_as_in_yaml():
    text = "- &base {location: eastus, sku: {name: S1, capacity: 1}}\n- <<: *base\n  name: b\n"
    assert parse_declared(text, "a.yml")[0][1] == {"location": "eastus", "sku": {"name": "S1", "capacity": 1}, "name": "b"}
    entries, problem = parse_declared("- {[1]: x}\n", "u.yml")
    assert entries is None and "unhashable" in problem


def test_a_file_is_read_as_utf8_with_or_without_a_bom(tmp_path):
    path = tmp_path / "a.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps([{"name": "caf\u00e9"}]).encode("utf-8"))
    assert read_declared(str(path)) == ([{"name": "caf\u00e9"}], None)
    path.write_bytes(b"[{\"name\": \"\xff\"}]")
    entries, problem = read_declared(str(path))
    assert entries is None and problem.startswith("accounts_file (%s) must be UTF-8 text" % path)
    entries, problem = read_declared(str(tmp_path / "missing.json"))
    assert entries is None and problem == "accounts_file: cannot read %s: No such file or directory" % (tmp_path / "missing.json")
