#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: account
short_description: Create, update or delete an Azure Machine Learning Model Management Account
version_added: 0.1.0
description:
  - Creates, updates or deletes a Model Management Account (C(Microsoft.MachineLearningModelManagement/accounts),
    api-version C(2017-09-01-preview)) through the Azure Resource Manager REST API.
  - Every run starts with one GET. An account that does not exist is created with a PUT with the header C(If-None-Match)
    set to C(*); an existing account is changed with a PATCH that carries only what changes, guarded by C(If-Match) with
    the account's etag when Azure sends one; O(state=absent) sends a DELETE. A PUT is never used to change a healthy
    account, because it would overwrite it.
  - Safe when several tasks act on the same account at once. A write answered 412 (the account changed since the GET)
    is followed by a new GET, a new plan and another conditional write, at most 5 times with jittered pauses. When the
    account has no etag, tags that are only added or changed (O(append_tags=true)) are merged on the server through
    Resource Manager's Tags API (C(PATCH .../providers/Microsoft.Resources/tags/default), operation C(Merge)), so no
    tag written by someone else can be lost; this needs the Tag Contributor role or better.
  - Text options (O(name), O(resource_group), O(location), O(description), O(sku.name) and the connection options) take a
    string or a number (written as text, so O(description=123) is V("123")). A list, a dictionary or a boolean is refused
    before anything is sent, instead of being turned into text such as V(['eastus']); quote V(yes), V(no) or V(true) when
    they are meant as text.
  - Only the options given in the task are compared. C(location) ignores case and spaces, the SKU name ignores case,
    tag names ignore case while tag values (including V("")) are compared exactly. Read-only fields never cause a change.
  - The location of an existing account cannot be changed. Asking for a different location fails before anything is sent,
    in check mode too; delete the account and create it again instead.
  - An account whose C(provisioningState) is C(Failed) or C(Canceled) is not as desired, whatever its fields say; it is
    repaired with a PUT of the whole account (its current settings with the task's applied on top), guarded by
    C(If-Match) when it has an etag. Check mode predicts the repair. An account still C(Creating), C(Updating) or
    C(Deleting) is waited for (GETs only) when O(wait=true), then planned again; with O(wait=false) the task fails
    naming the state.
  - RV(ignore:changed) is true when this task's write was acknowledged, or when the account differs between the task's
    first GET and its end. An answer lost after the write was applied (the retry then sees 412, or 204 for a DELETE)
    therefore still reports a change.
  - Only the statuses Resource Manager documents for each request count as success (PUT 200/201, PATCH 200/202,
    DELETE 200/202/204, GET 200), and a body that must be a JSON object has to be one; anything else fails the task
    with the code C(InvalidResponse). Links in answers (C(nextLink), C(Azure-AsyncOperation), C(Location)) are followed
    only to the Resource Manager endpoint itself, over https, without userinfo; a bad link fails the task.
options:
  name:
    description:
      - Name of the account.
      - '1 to 260 characters, none of C(< > % & : \ ? /), no control characters (C0, DEL or C1), not ending in C(.) or a space.'
    type: str
    required: true
  resource_group:
    description:
      - Name of the resource group that holds the account.
      - With O(state=present) the resource group must exist. With O(state=absent) a missing resource group means the account is absent.
    type: str
    required: true
  location:
    description:
      - Azure region of the account, for example V(eastus2) or V(East US 2) (case and spaces are ignored).
      - Required to create the account. Cannot be changed afterwards.
    type: str
  sku:
    description:
      - Billing SKU of the account.
      - Both O(sku.name) and O(sku.capacity) are required to create the account.
        On an existing account, a field that is not given is left as it is.
    type: dict
    suboptions:
      name:
        description:
          - SKU name, one of C(S1), C(S2), C(S3) or C(DevTest).
          - Accepted and compared ignoring case; sent in that spelling (C(devtest) is sent as C(DevTest)).
        type: str
      capacity:
        description:
          - SKU capacity, from 1 to 16.
        type: int
  description:
    description:
      - Description of the account. Not managed when omitted. V("") clears it.
    type: str
  tags:
    description:
      - Tags of the account, a dictionary of names to string values.
      - At most 50 tags; names of 1 to 512 characters without C(< > % & \ ? /) or control characters (C0, DEL or C1);
        values of at most 256 characters (V("") is a value).
      - At most 50 tags after the change too. With O(append_tags=true) the account's current tags count, so a task that would
        take the account past 50 tags fails after the GET and before any write.
      - Tag names are case-insensitive; two names that differ only by case are refused.
      - Not managed when omitted. See O(append_tags).
    type: dict
  append_tags:
    description:
      - With V(true), the tags in O(tags) are added or updated and other tags of the account are kept.
      - With V(false), tags of the account that are not in O(tags) are removed (O(tags={}) removes all of them).
    type: bool
    default: true
  state:
    description:
      - V(present) creates or updates the account, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description:
      - Wait until an asynchronous create, update or delete has finished and return the final account. A C(202) answer
        without a polling header is followed by polling the account itself (after a DELETE, until it answers 404).
      - Also wait for an account that is still C(Creating), C(Updating) or C(Deleting) before planning the change.
      - With V(false), return what the first response said.
    type: bool
    default: true
  wait_timeout:
    description:
      - How long to wait, in seconds, when O(wait=true).
    type: int
    default: 600
extends_documentation_fragment:
  - azureml.model_management.auth
  - azureml.model_management.attributes
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.ACTIONGROUPS
attributes:
  check_mode:
    support: full
    details:
      - Sends only the GET and returns the predicted account and the same RV(ignore:changed) that a real run would report.
  diff_mode:
    support: full
    details:
      - Shows the managed fields (name, location, sku, tags, description) before and after.
seealso:
  - module: azureml.model_management.account_info
author:
  - azureml.model_management developers (@azureml-model-management)
"""

EXAMPLES = r"""
- name: Create a Model Management Account
  azureml.model_management.account:
    name: mma-prod
    resource_group: ml-prod
    location: eastus2
    sku:
      name: S1
      capacity: 1
    description: Production models
    tags:
      env: prod

- name: Scale it up (the other settings are left as they are)
  azureml.model_management.account:
    name: mma-prod
    resource_group: ml-prod
    sku:
      capacity: 2

- name: Make the tags exactly these (remove any others)
  azureml.model_management.account:
    name: mma-prod
    resource_group: ml-prod
    tags:
      env: prod
      owner: ml-team
    append_tags: false

- name: Preview a change without making it
  azureml.model_management.account:
    name: mma-prod
    resource_group: ml-prod
    sku:
      name: S2
  check_mode: true
  diff: true

- name: Delete the account
  azureml.model_management.account:
    name: mma-prod
    resource_group: ml-prod
    state: absent
"""

RETURN = r"""
account:
  description:
    - The account as Azure returned it (the PUT or PATCH answer, or the final GET after waiting).
    - In check mode, the account as it would be after the change.
    - V({}) when the account is absent.
  returned: always
  type: dict
  sample:
    id: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ml-prod/providers/Microsoft.MachineLearningModelManagement/accounts/mma-prod
    name: mma-prod
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
      modelManagementSwaggerLocation: "https://eastus2.modelmanagement.azureml.net/api/subscriptions/00000000-0000-0000-0000-000000000000/\
        resourceGroups/ml-prod/accounts/mma-prod/swagger.json?api-version=2017-09-01-preview"
  contains:
    id:
      description: Resource Manager ID of the account.
      returned: when the account exists
      type: str
    name:
      description: Name of the account.
      returned: when the account exists
      type: str
    type:
      description: Resource type, C(Microsoft.MachineLearningModelManagement/accounts).
      returned: when the account exists
      type: str
    location:
      description: Azure region, in normalized form (lower case, no spaces).
      returned: when the account exists
      type: str
    tags:
      description: Tags of the account.
      returned: when the account exists
      type: dict
    sku:
      description: Billing SKU.
      returned: when the account exists
      type: dict
      contains:
        name:
          description: SKU name.
          type: str
          returned: always
        capacity:
          description: SKU capacity.
          type: int
          returned: always
    etag:
      description: Entity tag of the account, when the service sends one.
      returned: when Azure sends it
      type: str
    properties:
      description: Properties of the account.
      returned: when the account exists
      type: dict
      contains:
        description:
          description: Description of the account.
          type: str
          returned: when set
        createdOn:
          description: When the account was created (ISO 8601). Not present in check mode predictions.
          type: str
          returned: when Azure sends it
        modifiedOn:
          description: When the account was last changed (ISO 8601). Not present in check mode predictions.
          type: str
          returned: when Azure sends it
        modelManagementSwaggerLocation:
          description: URL of the account's model management API description.
          type: str
          returned: when Azure sends it
        provisioningState:
          description: Provisioning state, when the service sends one.
          type: str
          returned: when Azure sends it
"""

from ansible_collections.azureml.model_management.plugins.module_utils.account_model import (
    SKU_CAPACITY_MAX,
    SKU_CAPACITY_MIN,
    desired_from_params,
    validate_account_params,
)
from ansible_collections.azureml.model_management.plugins.module_utils.account_service import ensure_absent, ensure_present
from ansible_collections.azureml.model_management.plugins.module_utils.base import AzureMLModule

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    resource_group=dict(type="str", required=True),
    location=dict(type="str"),
    sku=dict(
        type="dict",
        options=dict(
            name=dict(type="str"),
            capacity=dict(type="int"),
        ),
    ),
    description=dict(type="str"),
    tags=dict(type="dict"),
    append_tags=dict(type="bool", default=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=600),
)
# The allowed range of each int option (low, high, unit), checked before any request. wait_timeout: a day at most.
INT_RANGES = {"wait_timeout": (1, 86400, "seconds"), "sku.capacity": (SKU_CAPACITY_MIN, SKU_CAPACITY_MAX, "")}


def run_module(azure):
    params = azure.params
    errors = list(dict.fromkeys(azure.option_problems + validate_account_params(params)))  # sku.capacity: checked by both
    if errors:
        azure.fail("; ".join(errors))
    changed, account, diff = converge(azure, params)  # an AccountError fails the task in AzureMLModule.run
    result = dict(changed=changed, account=account)
    if azure.diff_mode:
        result["diff"] = diff
    azure.exit(**result)


def converge(azure, params):
    common = dict(
        client=azure.client,
        subscription_id=azure.subscription_id,
        resource_group=params["resource_group"],
        name=params["name"],
        check_mode=azure.check_mode,
        wait=params["wait"],
        wait_timeout=params["wait_timeout"],
    )
    if params["state"] == "present":
        return ensure_present(desired=desired_from_params(params), **common)
    return ensure_absent(**common)


def main():
    azure = AzureMLModule(argument_spec=ARGUMENT_SPEC, int_ranges=INT_RANGES, supports_check_mode=True)
    azure.run(lambda: run_module(azure))


if __name__ == "__main__":
    main()
