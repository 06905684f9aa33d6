#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: operations_info
short_description: List the operations of the Microsoft.MachineLearningModelManagement resource provider
version_added: 0.1.0
description:
  - Lists the operations that the C(Microsoft.MachineLearningModelManagement) resource provider offers.
  - Useful to check credentials and connectivity. Never changes anything.
options: {}
notes:
  - Requests. One GET of C(/providers/Microsoft.MachineLearningModelManagement/operations), then each page's C(nextLink)
    (followed only to the Resource Manager endpoint over https).
extends_documentation_fragment:
  - azureml.model_management.auth
  - azureml.model_management.attributes
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.ACTIONGROUPS
  - azureml.model_management.attributes.INFO_MODULE
author:
  - azureml.model_management developers (@azureml-model-management)
"""

EXAMPLES = r"""
- name: List the provider's operations
  azureml.model_management.operations_info:
  register: result

- name: Show their names
  ansible.builtin.debug:
    msg: "{{ result.operations | map(attribute='name') | list }}"
"""

RETURN = r"""
operations:
  description: The provider's operations, as Azure returned them.
  returned: always
  type: list
  elements: dict
  sample:
    - name: Microsoft.MachineLearningModelManagement/accounts/read
      display:
        provider: Microsoft Machine Learning Model Management
        resource: Model Management Account
        operation: Read Model Management Account
        description: Reads a Model Management Account.
      origin: user,system
  contains:
    name:
      description: Name of the operation.
      returned: always
      type: str
    display:
      description: Display strings (C(provider), C(resource), C(operation), C(description)).
      returned: always
      type: dict
    origin:
      description: Who may call the operation.
      returned: when Azure sends it
      type: str
"""

from ansible_collections.azureml.model_management.plugins.module_utils.account_model import OPERATIONS_PATH
from ansible_collections.azureml.model_management.plugins.module_utils.base import AzureMLModule


def run_module(azure):
    azure.exit(changed=False, operations=azure.client.list_all(OPERATIONS_PATH))


def main():
    azure = AzureMLModule(argument_spec=dict(), supports_check_mode=True)
    azure.run(lambda: run_module(azure))


if __name__ == "__main__":
    main()
