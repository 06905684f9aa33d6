# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A variables file written by vars_yaml reads back as the same data and is never rendered, on every core."""

from __future__ import annotations

import inspect

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

from ansible_collections.azureml.model_management.plugins.filter.vars_yaml import FilterModule
from ansible_collections.azureml.model_management.plugins.plugin_utils import vars_text

PAYLOAD = "{{ 7*7 }}"


def read_as_group_vars(text, tmp_path):
    """The file as Ansible reads group_vars (trusted as templates from 2.19 on), then every value used (templated)."""
    path = tmp_path / "vars.yml"
    path.write_text(text, encoding="utf-8")
    loader = DataLoader()
    if "trusted_as_template" in inspect.signature(loader.load_from_file).parameters:
        data = loader.load_from_file(str(path), trusted_as_template=True)
    else:
        data = loader.load_from_file(str(path))
    return Templar(loader=loader).template(data)


def test_a_tag_value_from_azure_is_text_not_a_template(tmp_path):
    entries = [dict(name="a1", resource_group="ml-prod", tags={"owner": PAYLOAD, "{% raw %}": "#jinja2:variable_start_string:'<'\n<7*7>"},
                    description="line\nbreak {# comment #}", sku={"name": "S1", "capacity": 2})]
    text = FilterModule().filters()["vars_yaml"]({"accounts_list": entries})
    assert read_as_group_vars(text, tmp_path) == {"accounts_list": entries}
    assert "name: a1" in text and "resource_group: ml-prod" in text  # plain where it is safe: readable


def test_without_the_marks_the_same_file_would_run_the_template(tmp_path):
    """The control: what a plain dump (to_nice_yaml) of the same data does when it is read as group_vars."""
    text = yaml.safe_dump({"owner": PAYLOAD})
    assert read_as_group_vars(text, tmp_path) == {"owner": "49"} or read_as_group_vars(text, tmp_path) == {"owner": 49}


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
DATA = st.recursive(st.none() | st.booleans() | st.integers() | TEXT,
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4), max_leaves=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.dictionaries(TEXT, DATA, max_size=4))
def test_any_data_reads_back_unchanged_and_unrendered(data, tmp_path):
    assert read_as_group_vars(vars_text.vars_yaml(data), tmp_path) == data


@given(text=TEXT)
def test_a_string_that_could_be_a_template_is_always_marked(text):
    assert vars_text.is_plain(text) == (set(text) <= vars_text.SAFE_CHARACTERS)
    if "{" in text or "#" in text:
        assert "!unsafe" in vars_text.vars_yaml({"k": text})


@pytest.mark.parametrize("text", ["~", "true", "12", "<<", "=", "", "2001-12-14"])
def test_text_yaml_reads_as_another_type_stays_text(text, tmp_path):
    assert read_as_group_vars(vars_text.vars_yaml({"k": text, text: "v"}), tmp_path) == {"k": text, text: "v"}


@pytest.mark.parametrize("value, words", [({"k": object()}, "the input['k'] is a object"), ([{1, 2}], "the input[0] is a set")])
def test_what_cannot_be_written_is_named(value, words):
    with pytest.raises(TypeError) as caught:
        vars_text.vars_yaml(value)
    assert words in str(caught.value)
