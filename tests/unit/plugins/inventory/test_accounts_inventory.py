# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory plugin's file check: a source that names the plugin but lacks the suffix gets a message that says so."""

from __future__ import annotations

import json

import pytest

from ansible.errors import AnsibleError

from ansible_collections.azureml.model_management.plugins.inventory.accounts import InventoryModule, names_this_plugin

NAME = "azureml.model_management.accounts"


@pytest.mark.parametrize("file_name, text, accepted", [
    ("prod.azureml_accounts.yml", "plugin: %s\n" % NAME, True),
    ("prod.azureml_accounts.yaml", "{}", True),
    ("other.yml", "plugin: amazon.aws.aws_ec2\n", False),
    ("hosts", "[web]\nhost1\n", False),
    ("broken.yml", "plugin: [unclosed\n", False),
    ("tagged.yml", "plugin: !vault |\n  abc\n", False),
])
def test_verify_file(tmp_path, file_name, text, accepted):
    path = tmp_path / file_name
    path.write_text(text)
    assert InventoryModule().verify_file(str(path)) is accepted


@pytest.mark.parametrize("text", ["plugin: %s\nsubscriptions: [x]\n" % NAME, json.dumps({"plugin": NAME})])
def test_a_source_without_the_suffix_is_named(tmp_path, text):
    path = tmp_path / "fleet.yml"
    path.write_text(text)
    assert names_this_plugin(str(path), NAME)
    with pytest.raises(AnsibleError) as caught:
        InventoryModule().verify_file(str(path))
    assert "must end in azureml_accounts.yml or azureml_accounts.yaml" in str(caught.value) and str(path) in str(caught.value)
