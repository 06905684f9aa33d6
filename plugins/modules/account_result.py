#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: account_result
short_description: One host's own result out of a fleet run, so that each host reports its own account
version_added: 0.1.0
description:
  - An action plugin that runs on the controller; nothing is sent to Azure and no module runs. It reads the
    registered result of M(azureml.model_management.accounts) and returns the result of one account as this task's
    own (C(changed), C(failed), C(diff), C(action)), so that a play over the inventory plugin's hosts
    (P(azureml.model_management.accounts#inventory)) credits each change and each failure to the host whose account it
    was, in AWX's host list, host summaries and job events, and in the play recap. Check mode reports what the fleet
    run predicted.
  - A host and a result are the same account when their ids name the same subscription, resource group and name,
    compared ignoring case; host names play no part. A host whose account the run did not plan (not declared, not in
    the purge scope, or in another subscription) is reported unchanged, saying why.
  - With O(unhosted=true), run once, it reports instead the accounts the run wrote (or skipped, or failed) that are not
    in the run's O(azureml.model_management.accounts#module:restrict_to), such as declared accounts it created (no host
    stands for them yet). That result is never C(changed) (the recap is per host); it fails when one of them failed, or
    when the run failed and no account's result says why (a failure of the run itself).
  - The role P(azureml.model_management.accounts#role) runs it after its fleet task when it runs per host.
options:
  fleet:
    description:
      - The registered result of M(azureml.model_management.accounts).
      - One of O(fleet) and O(fleet_var) is required.
    type: dict
  fleet_var:
    description:
      - The name of the variable that holds the registered result of M(azureml.model_management.accounts), read as it
        is. Use it over many hosts, because O(fleet) templates the whole run's result on every host (1,000 accounts on 1,000
        hosts cost more than the run) and O(fleet_var) does not.
    type: str
  account:
    description:
      - This host's account, as the inventory plugin's host variable C(azureml_account) has it (C(id), or
        C(subscription_id), C(resource_group) and C(name)).
      - One of O(account) and O(unhosted=true) is required.
    type: dict
  unhosted:
    description: Report the accounts the run wrote that no host stands for, instead of one host's.
    type: bool
    default: false
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reports what the fleet run predicted; it never writes anything itself.
  diff_mode:
    support: full
    details: The account's diff, as the fleet run computed it, is shown when C(--diff) is on.
  platform:
    platforms: all
seealso:
  - module: azureml.model_management.accounts
  - plugin: azureml.model_management.accounts
    plugin_type: inventory
author:
  - azureml.model_management developers (@azureml-model-management)
"""

EXAMPLES = r"""
- name: Reconcile the play's hosts in one run
  azureml.model_management.accounts:
    resource_group: ml-prod
    accounts:
      - {name: scoring, location: westeurope, sku: {name: S2, capacity: 2}}
    restrict_to: "{{ ansible_play_hosts_all | map('extract', hostvars, 'azureml_account') | list }}"
  run_once: true
  register: fleet

- name: Each host reports its own account
  azureml.model_management.account_result:
    fleet_var: fleet  # the variable's name: read as it is, not templated on every host
    account: "{{ azureml_account }}"

- name: The accounts written that are no host of this play
  azureml.model_management.account_result:
    fleet: "{{ fleet }}"
    unhosted: true
  run_once: true
"""

RETURN = r"""
changed:
  description: Whether the fleet run wrote (in check mode, would write) this host's account; always false with O(unhosted=true).
  returned: always
  type: bool
msg:
  description: "What happened to the account in a few words: C(update: sku.capacity 1 → 2), C(unchanged), why it was left alone, or the error."
  returned: always
  type: str
action:
  description: The account's action in the run (V(create), V(update), V(repair), V(delete), V(purge) or V(none)).
  returned: with O(account)
  type: str
changes:
  description: The fields that change.
  returned: with O(account), when the account changes
  type: list
  elements: str
error:
  description: Why the account failed (C(status), C(code), C(message)), or V(null).
  returned: with O(account), when the run planned the account
  type: dict
accounts:
  description: With O(unhosted=true), the accounts that are no host of the play and were written, skipped or failed.
  returned: with O(unhosted=true)
  type: list
  elements: dict
"""
