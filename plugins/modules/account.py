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
  - Creates, updates or deletes an Azure Machine Learning Model Management Account
    (C(Microsoft.MachineLearningModelManagement/accounts)).
  - Only the settings given in the task are managed; the others are left as they are. An existing account is changed
    in place, never replaced, and its location cannot change.
  - Safe to run while other jobs change the same account, with full check mode and diff support. RV(action) says
    what the task did.
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
          - SKU capacity, a whole number from 1 to 16.
        type: int
  description:
    description:
      - Description of the account. Not managed when omitted. V("") clears it.
    type: str
  state:
    description:
      - V(present) creates or updates the account, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description:
      - Wait until an asynchronous create, update or delete has finished and return the final account.
      - Also wait, before planning the change, for an operation someone else started on the account (the account is
        C(Creating), C(Updating) or C(Deleting), or Azure refuses the write with C(409 AnotherOperationInProgress)).
        Check mode never waits for those; it warns and plans on the account as it is.
      - With V(false), return what the first response said; an account that another operation is running on is
        unchanged when it needs no write, and the task fails when it does.
    type: bool
    default: true
  wait_timeout:
    description:
      - How long to wait, in seconds, when O(wait=true); from 1 to 86400 (a day).
    type: int
    default: 600
extends_documentation_fragment:
  - azureml.model_management.auth
  - azureml.model_management.tags
  - azureml.model_management.attributes
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.ACTIONGROUPS
attributes:
  check_mode:
    support: full
    details:
      - Sends only the GET and returns the predicted account, RV(action) and the same RV(ignore:changed) that a real run would report.
      - Does not wait for an operation someone else started on the account; a warning names it.
  diff_mode:
    support: full
    details:
      - Shows the managed fields (name, location, sku, tags, description) before and after what this task changed.
notes:
  - Text options (O(name), O(resource_group), O(location), O(description), O(sku.name) and the connection options) take a
    string or a number (written as text, so O(description=123) is V("123")). A list, a dictionary or a boolean is refused
    before anything is sent; quote V(yes), V(no) or V(true) when they are meant as text. Number options refuse booleans
    and values outside their range.
  - Only the options given in the task are compared. O(location) ignores case and spaces, the SKU name ignores case,
    tag names ignore case while tag values (including V("")) are compared exactly. Read-only fields never cause a change.
  - Requests. Every run starts with one GET. A missing account is created with a PUT with C(If-None-Match) set to C(*);
    an existing one is changed with a PATCH carrying only what changes, guarded by C(If-Match) with the account's etag
    when Azure sends one; O(state=absent) sends a DELETE. A PUT is never used to change a healthy account.
  - Other writers. A write answered C(412) (the account changed since the GET) is followed by a new GET, a new plan and
    another conditional write, at most 5 times with jittered pauses. Without an etag, tags that are only added or changed
    (O(append_tags=true)) are merged on the server through Resource Manager's Tags API, so no tag written by someone
    else is lost; this needs the Tag Contributor role or better.
  - An account whose C(provisioningState) is C(Failed) or C(Canceled) is repaired with a PUT of the whole account (its
    current settings with the task's applied on top), guarded by C(If-Match) when it has an etag; RV(action=repair).
  - RV(ignore:changed) means that this task wrote, or may have written. A write Azure refused (any C(4xx)) applied
    nothing. When the answer to a write was lost (a timeout, a dropped connection, a C(5xx), an unusable answer), the
    account is read again and the task reports a change when any part of what it meant to write shows. Changes made
    by others while the task ran, or an operation it waited for, are not reported as this task's change; so a DELETE
    answered C(204) or C(404) (already gone) reports no change unless an earlier try of that DELETE lost its answer.
  - A task that fails after it wrote something says so in RV(ignore:changed) and, when it failed part-way (for example
    the SKU was changed, then the Tags API refused the tags), its message names what was applied and what was not.
  - Only the statuses Resource Manager documents count as success, and links in answers (C(Azure-AsyncOperation),
    C(Location), C(nextLink)) are followed only to the Resource Manager endpoint over https; anything else fails the
    task (C(InvalidResponse), C(ForeignHost)). The exact request sequences are in the collection's docs/modules.md.
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
action:
  description:
    - What the task did to the account, or in check mode would do. V(create), V(update) (PATCH, or a Tags API merge),
      V(repair) (a PUT of a Failed or Canceled account), V(delete), or V(none) (RV(ignore:changed) is false).
  returned: success
  type: str
  choices: [create, update, repair, delete, none]
  sample: update
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
      provisioningState: Succeeded
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
          description:
            - Provisioning state. V(Succeeded) when Azure omits it (Resource Manager's contract; this provider sends it
              only while an operation runs or after one failed), so a healthy account always says V(Succeeded).
          type: str
          returned: when the account exists
"""

from ansible_collections.azureml.model_management.plugins.module_utils.account_model import (
    ACCOUNT_OPTIONS,
    SKU_CAPACITY_MAX,
    SKU_CAPACITY_MIN,
    AccountId,
    desired_from_params,
    validate_account_params,
)
from ansible_collections.azureml.model_management.plugins.module_utils.account_service import RunOptions, as_reported, ensure_absent, ensure_present
from ansible_collections.azureml.model_management.plugins.module_utils.base import AzureMLModule

ARGUMENT_SPEC = dict(
    ACCOUNT_OPTIONS,
    resource_group=dict(type="str", required=True),
    append_tags=dict(type="bool", default=True),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=600),
)
# The allowed range of each int option (low, high, unit), checked before any request. wait_timeout: a day at most.
INT_RANGES = {"wait_timeout": (1, 86400, "seconds"), "sku.capacity": (SKU_CAPACITY_MIN, SKU_CAPACITY_MAX, "")}


BUSY_WARNING = ("account %r is %s: another operation is running on it. This task did not wait for it (check mode, or wait:"
                " false) and planned on the account as that operation should leave it; a write waits for it first (wait: true)"
                " or fails (wait: false).")


def run_module(azure):
    params = azure.params
    errors = list(dict.fromkeys(azure.option_problems + validate_account_params(params)))  # sku.capacity: checked by both
    if errors:
        azure.fail("; ".join(errors))
    outcome = converge(azure, params)  # an AzureMLError fails the task in AzureMLModule.run
    if outcome.busy:
        azure.module.warn(BUSY_WARNING % (params["name"], outcome.busy))
    result = dict(changed=outcome.changed, action=outcome.action, account=as_reported(outcome.account))
    if azure.diff_mode:
        result["diff"] = outcome.diff
    azure.exit(**result)


def converge(azure, params):
    account_id = AccountId(azure.subscription_id, params["resource_group"], params["name"])
    options = RunOptions(azure.check_mode, params["wait"], params["wait_timeout"])
    if params["state"] == "present":
        return ensure_present(azure.client, account_id, desired_from_params(params), options)
    return ensure_absent(azure.client, account_id, options)


def main():
    azure = AzureMLModule(argument_spec=ARGUMENT_SPEC, int_ranges=INT_RANGES, supports_check_mode=True)
    azure.run(lambda: run_module(azure))


if __name__ == "__main__":
    main()
