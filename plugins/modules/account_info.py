#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: account_info
short_description: Get or list Azure Machine Learning Model Management Accounts
version_added: 0.1.0
description:
  - Gets one Azure Machine Learning Model Management Account, or lists the accounts of a resource group or of the whole
    subscription, optionally only those with given tags.
  - An account or resource group that does not exist gives RV(accounts=[]), not a failure. Never changes anything.
  - RV(entries) gives the same accounts as entries of the fleet module's O(azureml.model_management.accounts#module:accounts)
    (the role's C(accounts_list)), to adopt accounts that exist by declaring them as they are.
options:
  name:
    description:
      - Name of the account to get. Requires O(resource_group).
    type: str
  resource_group:
    description:
      - Resource group to look in.
    type: str
  tags:
    description:
      - Only return accounts that have all of these tags.
      - "Each entry is V(name) (the tag exists, with any value) or V(name:value) (the tag has exactly this value),
        split on the first C(:); V(name:) matches an empty value. Spaces around the name and the value are dropped
        (V(env: prod) is V(env:prod)), as in the fleet module's O(azureml.model_management.accounts#module:purge_tags)."
      - Tag names are compared ignoring case, values exactly.
    type: list
    elements: str
extends_documentation_fragment:
  - azureml.model_management.auth
  - azureml.model_management.attributes
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.ACTIONGROUPS
  - azureml.model_management.attributes.INFO_MODULE
notes:
  - Requests. With O(name) and O(resource_group), one GET of the account. With only O(resource_group), the list of that
    resource group; with neither, the list of the subscription. Every page of a list is read (each page's C(nextLink) is
    followed, only to the Resource Manager endpoint over https), and a list that cannot be read completely fails the
    task rather than return part of it. Tag filters are applied to the accounts returned; they do not change the requests.
seealso:
  - module: azureml.model_management.account
author:
  - azureml.model_management developers (@azureml-model-management)
"""

EXAMPLES = r"""
- name: Get one account
  azureml.model_management.account_info:
    name: mma-prod
    resource_group: ml-prod
  register: result

- name: Fail when it does not exist
  ansible.builtin.assert:
    that: result.accounts | length == 1

- name: List the accounts of a resource group
  azureml.model_management.account_info:
    resource_group: ml-prod

- name: List the production accounts of the subscription owned by ml-team
  azureml.model_management.account_info:
    tags:
      - env:prod
      - owner

- name: Adopt the accounts of a resource group, step 1 of 2; read them
  azureml.model_management.account_info:
    resource_group: ml-prod
  register: found

- name: Adopt them, step 2 of 2; write them down as the role's declared list (every string marked !unsafe)
  ansible.builtin.copy:
    dest: group_vars/all/accounts.yml
    mode: "0644"
    content: "{{ {'accounts_list': found.entries} | azureml.model_management.vars_yaml }}"
"""

RETURN = r"""
accounts:
  description:
    - The accounts found, as Azure returned them, with C(resource_group) added. Empty when none matched.
  returned: always
  type: list
  elements: dict
  sample:
    - id: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ml-prod/providers/Microsoft.MachineLearningModelManagement/accounts/mma-prod
      name: mma-prod
      resource_group: ml-prod
      type: Microsoft.MachineLearningModelManagement/accounts
      location: eastus2
      tags:
        env: prod
      sku:
        name: S1
        capacity: 1
      properties:
        description: Production models
        createdOn: "2018-03-11T12:39:09.060982Z"
        modifiedOn: "2018-03-11T12:39:09.060982Z"
        provisioningState: Succeeded
        modelManagementSwaggerLocation: "https://eastus2.modelmanagement.azureml.net/api/subscriptions/00000000-0000-0000-0000-000000000000/\
        resourceGroups/ml-prod/accounts/mma-prod/swagger.json?api-version=2017-09-01-preview"
  contains:
    id:
      description: Resource Manager ID of the account.
      returned: always
      type: str
    name:
      description: Name of the account.
      returned: always
      type: str
    resource_group:
      description: Resource group of the account, as its id gives it.
      returned: always
      type: str
    type:
      description: Resource type, C(Microsoft.MachineLearningModelManagement/accounts).
      returned: always
      type: str
    location:
      description: Azure region, in normalized form.
      returned: always
      type: str
    tags:
      description: Tags of the account.
      returned: when Azure sends them
      type: dict
    sku:
      description: Billing SKU, with C(name) and C(capacity).
      returned: always
      type: dict
    properties:
      description:
        - Properties of the account (C(description), C(createdOn), C(modifiedOn), C(modelManagementSwaggerLocation),
          C(provisioningState)).
        - C(provisioningState) is V(Succeeded) when Azure omits it (Resource Manager's contract), so a healthy account
          always says V(Succeeded).
      returned: always
      type: dict
entries:
  description:
    - The same accounts, in the same order, as entries of the fleet module's O(azureml.model_management.accounts#module:accounts)
      and of the role's C(accounts_list), declaring each account as it is, C(name), C(resource_group), C(location),
      C(sku), C(description) and C(tags) (a field Azure did not send is left out).
    - A run of the fleet module or the role with these entries plans no change for these accounts.
    - Write them to a variables file with the P(azureml.model_management.vars_yaml#filter) filter, which marks every
      string C(!unsafe), so that no tag value or description becomes a template when the file is read.
  returned: always
  type: list
  elements: dict
  sample:
    - name: mma-prod
      resource_group: ml-prod
      location: eastus2
      sku:
        name: S1
        capacity: 1
      description: Production models
      tags:
        env: prod
"""

from ansible_collections.azureml.model_management.plugins.module_utils.account_model import parse_account_id, validate_info_params
from ansible_collections.azureml.model_management.plugins.module_utils.account_scope import as_entry
from ansible_collections.azureml.model_management.plugins.module_utils.account_service import as_reported, get_accounts
from ansible_collections.azureml.model_management.plugins.module_utils.base import AzureMLModule

ARGUMENT_SPEC = dict(
    name=dict(type="str"),
    resource_group=dict(type="str"),
    tags=dict(type="list", elements="str"),
)


def run_module(azure):
    params = azure.params
    errors = validate_info_params(params)
    if errors:
        azure.fail("; ".join(errors))
    accounts = get_accounts(
        azure.client,
        azure.subscription_id,
        resource_group=params["resource_group"],
        name=params["name"],
        tag_filters=params["tags"],
    )
    reported = [dict(as_reported(account), resource_group=parse_account_id(account["id"]).resource_group) for account in accounts]
    azure.exit(changed=False, accounts=reported, entries=[as_entry(account) for account in accounts])


def main():
    azure = AzureMLModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, required_by=dict(name="resource_group"))
    azure.run(lambda: run_module(azure))


if __name__ == "__main__":
    main()
