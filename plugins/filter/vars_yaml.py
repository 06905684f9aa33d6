# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: vars_yaml
short_description: Data from Azure as the text of a variables file that Ansible never renders as a template
version_added: 0.1.0
description:
  - Gives the YAML text of a variables file (C(group_vars/), C(host_vars/), C(vars_files)) holding the input, for
    example the entries that P(azureml.model_management.account_info#module) returns, to adopt existing accounts.
  - "Ansible renders every string of a variables file as a template when it is used. A tag value or a description is
    written by whoever may tag an account, so a plain dump would turn it into code run on the controller. Here a string
    is written plain only when it is made of ASCII letters, digits, spaces and C(_ . : / @ + = , -); any other string
    (with C({), C(}), C(%), C(#), quotes, line breaks, non-ASCII text) is marked C(!unsafe), which every supported
    ansible-core reads as text that is never rendered. Mapping keys follow the same rule."
  - Keys keep their order; strings, integers, floats, booleans, null, lists and dictionaries only.
options:
  _input:
    description: "The data to write, usually C({'accounts_list': result.entries})."
    type: raw
    required: true
seealso:
  - module: azureml.model_management.account_info
author:
  - azureml.model_management developers (@azureml-model-management)
"""

EXAMPLES = r"""
- name: Write the accounts of a resource group as the role's declared list
  ansible.builtin.copy:
    dest: group_vars/all/accounts.yml
    mode: "0644"
    content: "{{ {'accounts_list': found.entries} | azureml.model_management.vars_yaml }}"
"""

RETURN = r"""
_value:
  description: YAML text, a document start (C(---)) first.
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.azureml.model_management.plugins.plugin_utils.vars_text import vars_yaml


def _vars_yaml(data):
    try:
        return vars_yaml(data)
    except (TypeError, ValueError) as err:
        raise AnsibleFilterError("vars_yaml: %s" % err)


class FilterModule(object):
    """azureml.model_management.vars_yaml."""

    def filters(self):
        return {"vars_yaml": _vars_yaml}
