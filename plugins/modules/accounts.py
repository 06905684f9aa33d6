#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: accounts
short_description: Make many Azure Machine Learning Model Management Accounts match a declared list, in one task
version_added: 0.1.0
description:
  - Reconciles a whole fleet of Model Management Accounts in one task, the way Terraform plans and applies.
    O(accounts) declares the accounts that should exist (each entry takes the options of
    M(azureml.model_management.account)); with O(purge=true), the accounts of a declared scope that are not declared
    are deleted.
  - B(Plan.) Lists each resource group of the declared accounts and of O(purge_resource_groups) once (every page;
    a page carries 100 accounts with their etags), instead of one GET per account. Every declared entry and every
    purge candidate is planned with the rules of M(azureml.model_management.account) against the account as its list
    showed it.
  - B(Subscriptions.) An entry is in its O(accounts[].subscription_id), the task's subscription by default, and a group
    of O(purge_resource_groups) may be named by its resource group id in another subscription. Each subscription is
    listed and applied at the same time as the others, with a pace of its own (Resource Manager's throttling buckets
    are per subscription and principal); the plan is one, so its rules hold across them.
  - B(Apply.) Sends only the writes, at most O(concurrency) at a time in each subscription, over one connection pool
    with one token. Each
    write is conditional on what was listed, C(If-None-Match) V(*) for a create and C(If-Match) with the listed etag
    for a change or a delete; a C(412) reads that one account again and plans it again. Requests are paced to Resource
    Manager's throttling buckets (reads 250, refilled at 25 per second; writes and deletes 200, refilled at 10 per
    second); the C(x-ms-ratelimit-remaining-*) headers of the answers lower the pace when others spend the same
    budget. A C(429) pauses every worker for its C(Retry-After), slows the run down, and is sent again for as long as
    O(throttling_timeout) allows; throttling alone never fails an account before that.
  - B(Purge.) An account is deleted only when its C(id) is an account of exactly the subscription and resource group
    that was listed (compared ignoring case), it is not declared, and it has all of O(purge_tags); the same is checked
    again on the account right before its DELETE (the C(If-Match) of the listed etag, or without an etag a new GET
    and the C(If-Match) of its etag), so an account re-tagged by someone else in the meantime is skipped, not deleted.
  - B(Deletes only from a complete plan.) When any resource group could not be listed completely (a list answer that
    names an account outside the listed scope, an error on any page) or any declared entry could not be planned (for
    example its resource group does not exist), the run deletes nothing at all, declared V(absent) entries included,
    says so once, and the task fails; creates and updates still go ahead. A group of O(purge_resource_groups) that
    does not exist fails the task with nothing written at all, unless O(purge_allow_missing_groups=true).
  - One account's failure does not stop the others. The task fails at the end, naming each account that failed, with
    RV(changed) still saying whether anything was written.
  - Options are checked before anything is sent, naming the option and the rule.
options:
  accounts:
    description:
      - The declared accounts. Each entry takes the options of M(azureml.model_management.account).
      - Names compare ignoring case within a resource group; an account declared twice is refused.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Name of the account.
        type: str
        required: true
      resource_group:
        description: Resource group of the account; defaults to O(resource_group).
        type: str
      subscription_id:
        description:
          - Subscription of the account, a GUID; defaults to the task's subscription (O(subscription_id), the
            environment or the profile). The same name may be declared once in each subscription.
        type: str
      location:
        description: Azure region, needed when the account is created; cannot change afterwards.
        type: str
      sku:
        description: SKU; both fields are needed to create the account.
        type: dict
        suboptions:
          name:
            description: C(S1), C(S2), C(S3) or C(DevTest) (case-insensitive).
            type: str
          capacity:
            description: From 1 to 16.
            type: int
      description:
        description: Description of the account. Not managed when omitted.
        type: str
      tags:
        description: Tags of the account. Not managed when omitted.
        type: dict
      append_tags:
        description: Keep tags that are not listed in O(accounts[].tags); defaults to O(append_tags).
        type: bool
      state:
        description: V(present), or V(absent) to delete the account (wherever it is, whatever the purge scope).
        type: str
        choices: [present, absent]
        default: present
  accounts_file:
    description:
      - A file on the controller that holds the declared accounts, in place of O(accounts) (give one or the other). It
        is a JSON or YAML list with one dictionary per account, each taking the options of O(accounts).
      - The way to declare thousands of accounts. Ansible handles every entry of a task argument several times
        (templating, copies); a file is read once, by the module's action plugin, with the JSON parser (a file that
        starts with V([)) or libyaml, and sent to the module as it is.
      - The file is data, never a template. C({{ }}) in it stays text, and a key given twice in one mapping is
        refused.
      - A relative path is looked up as the C(src) of M(ansible.builtin.copy) is. Ansible looks in the C(files/)
        directory of the role or the playbook, then beside them.
      - Messages name an entry of the file as O(accounts_file)C([3]).
    type: path
  resource_group:
    description: Resource group of the entries of O(accounts) that do not name one.
    type: str
  append_tags:
    description: Default of O(accounts[].append_tags).
    type: bool
    default: true
  purge:
    description:
      - Delete the accounts of the purge scope (O(purge_resource_groups), narrowed by O(purge_tags)) that O(accounts)
        does not declare.
    type: bool
    default: false
  purge_resource_groups:
    description:
      - The resource groups of the purge scope. Required with O(purge=true); accounts of other resource groups are
        never purged.
      - A name is a resource group of the task's subscription; a resource group id
        (V(/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ml-prod)) names one of any subscription.
        An account is purged only within its own subscription's groups, even where another subscription has a group
        of the same name.
    type: list
    elements: str
    default: []
  purge_tags:
    description:
      - Narrow the purge scope to the accounts that have all of these tags.
      - 'A dictionary of tag names to values (for example V({managed-by: ansible})), or a list of V(name) (the tag
        exists, with any value) and V(name:value) strings (for example V(managed-by:ansible)), split on the first
        C(:); spaces around the name and the value are ignored. Anything else is refused.'
      - Tag names compare ignoring case, values exactly.
    type: raw
  purge_allow_empty:
    description:
      - With O(purge=true) and an empty O(accounts), the task deletes every account of the purge scope. That is refused
        unless this is V(true), because an empty list is more often a mistake (a misspelt variable) than a wish.
    type: bool
    default: false
  purge_allow_missing_groups:
    description:
      - A resource group of O(purge_resource_groups) that does not exist fails the task before anything is written
        (creates and updates included), because a misspelt group name would otherwise purge nothing without a word.
        With V(true) such a group is taken as empty (for a group that is created later).
    type: bool
    default: false
  restrict_to:
    description:
      - Only these existing accounts may be changed or deleted; the others are left alone. Declared accounts that do not
        exist are created in any case.
      - Each entry is an account as the host variable C(azureml_account) of the inventory plugin
        P(azureml.model_management.accounts#inventory) has it, with C(id), or with C(subscription_id),
        C(resource_group) and C(name). Accounts of a subscription that the run does not reconcile (compared ignoring
        case; the subscriptions of O(accounts) and of O(purge_resource_groups)) are never touched.
      - The role P(azureml.model_management.accounts#role) passes the accounts of the play's hosts here.
      - A non-empty O(restrict_to) with an empty O(accounts) is refused unless O(purge=true), because that run would do
        nothing, and is what a misplaced variables file looks like.
    type: list
    elements: dict
  concurrency:
    description: How many writes are in flight at once in each subscription, from 1 to 64.
    type: int
    default: 10
  wait:
    description:
      - Wait for asynchronous writes to finish, and for accounts that are still running someone else's operation
        (C(Creating), C(Updating), C(Deleting)) before changing them, as M(azureml.model_management.account) does.
      - Check mode never waits; it names the busy accounts instead.
    type: bool
    default: true
  wait_timeout:
    description: How long to wait, in seconds, for each account when O(wait=true); from 1 to 86400.
    type: int
    default: 600
  throttling_timeout:
    description:
      - How long, in seconds from the start of the task, requests that Resource Manager throttles are sent again. A
        C(429) means later, not failed. Every worker pauses for its C(Retry-After), the run goes on at a lower pace, and
        the request is sent again however often, as long as the pause ends within this time; after that the account
        fails with the C(429). From 1 to 86400.
      - Runs under the same principal (AWX slices, other jobs with the same credential) share its buckets, so their
        writes add up; 1,000 writes alone take at least 80 seconds.
    type: int
    default: 3600
  progress_file:
    description:
      - Where to write the run's progress while it runs (a small JSON file of counts and throttling pauses, replaced
        as the run goes), for a caller that shows it. The collection's action plugin for this module sets it to a
        private temporary file when the module runs on the controller, prints a progress line at least every 10
        seconds, and removes the file; there is no need to set it.
    type: path
extends_documentation_fragment:
  - azureml.model_management.auth
  - azureml.model_management.attributes
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.ACTIONGROUPS
  - ansible.builtin.action_common_attributes.flow
attributes:
  check_mode:
    support: full
    details:
      - Sends only the list requests and returns the same plan, per account, that a real run would carry out. Never waits
        for someone else's operation; RV(busy_accounts) names the accounts that are running one.
  diff_mode:
    support: full
    details:
      - One diff per account that changes (name, location, sku, tags, description before and after), each with headers
        naming the account.
  action:
    support: full
    details:
      - The action plugin reads O(accounts_file) and shows the run's progress on the controller.
  async:
    support: full
    details:
      - With C(async), the module runs as Ansible runs it, without progress lines; the result is the same.
  bypass_host_loop:
    support: none
seealso:
  - module: azureml.model_management.account
  - module: azureml.model_management.account_info
  - plugin: azureml.model_management.accounts
    plugin_type: inventory
author:
  - azureml.model_management developers (@azureml-model-management)
"""

EXAMPLES = r"""
- name: Make the production accounts exactly these, purging the undeclared ones tagged managed-by=ansible
  azureml.model_management.accounts:
    resource_group: ml-prod
    accounts:
      - name: scoring
        location: westeurope
        sku: {name: S2, capacity: 2}
        tags: {managed-by: ansible}
      - name: batch
        location: eastus
        sku: {name: S1, capacity: 1}
        tags: {managed-by: ansible}
      - name: retired
        state: absent
    purge: true
    purge_resource_groups: [ml-prod]
    purge_tags: {managed-by: ansible}
  register: fleet

- name: Show what was done
  ansible.builtin.debug:
    msg: "{{ fleet.summary }}"

- name: Thousands of accounts, declared in files/accounts.json (a list, as for accounts)
  azureml.model_management.accounts:
    resource_group: ml-prod
    accounts_file: accounts.json

- name: Preview the plan of a change window
  azureml.model_management.accounts:
    resource_group: ml-staging
    accounts:
      - {name: scoring, location: westeurope, sku: {name: S3, capacity: 4}}
  check_mode: true
  diff: true
"""

RETURN = r"""
changed:
  description: Whether the task wrote to any account (or, in check mode, would have).
  returned: always
  type: bool
subscription_id:
  description: The task's subscription (the default of O(accounts[].subscription_id)).
  returned: always
  type: str
  sample: 00000000-0000-0000-0000-000000000000
subscriptions:
  description: Every subscription the run listed and applied, the task's first.
  returned: always
  type: list
  elements: str
  sample: [00000000-0000-0000-0000-000000000000]
accounts:
  description: One result per declared account and per purge candidate, declared accounts first, in their order.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Name of the account.
      type: str
      returned: always
    resource_group:
      description: Resource group of the account.
      type: str
      returned: always
    subscription_id:
      description: Subscription of the account.
      type: str
      returned: always
    id:
      description:
        - The account's Resource Manager id (in its own subscription), to match results to the inventory plugin's
          C(azureml_account.id) host variables (compare ignoring case).
      type: str
      returned: always
      sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ml-prod/providers/Microsoft.MachineLearningModelManagement/accounts/scoring
    action:
      description:
        - What the plan is for the account, V(create), V(update), V(repair) (a C(Failed) or C(Canceled) account is
          provisioned again), V(delete) (a declared V(absent)), V(purge) or V(none).
      type: str
      returned: always
      sample: update
    changed:
      description: Whether the task wrote to this account (in check mode, would have).
      type: bool
      returned: always
    busy:
      description: Whether the list showed the account running someone else's operation.
      type: bool
      returned: always
    provisioning_state:
      description: The running state of a busy account (C(Creating), C(Updating), C(Deleting)).
      type: str
      returned: when busy
    error:
      description: Why the account was not done (C(status), C(code), C(message)), or V(null).
      type: dict
      returned: always
    skipped:
      description: Why a purge was not sent after its re-check (the account left the scope in the meantime).
      type: str
      returned: when a purge was skipped
    withheld:
      description:
        - V(true) when the run's rules withheld this account's write (a plan that is not complete deletes nothing; a
          purge group that does not exist writes nothing). The summary and the failure message say why, once.
      type: bool
      returned: when the write was withheld
    note:
      description: Why a declared account was left alone (not one of O(restrict_to)).
      type: str
      returned: when a declared account is outside O(restrict_to)
    changes:
      description: The fields that change, one phrase each, as the summary shows them (empty for a create or a delete).
      type: list
      elements: str
      returned: when the account changes (in check mode, would change)
      sample: ["sku.capacity 1 → 2", "tags.owner added"]
    diff:
      description:
        - The account before and after (C(before), C(after), with headers naming it), whether or not C(--diff) is on
          (the top-level C(diff) of C(--diff) lists the same). M(azureml.model_management.account_result) shows it as
          the diff of the account's own host.
      type: dict
      returned: when the account changes (in check mode, would change)
    in_restrict_to:
      description:
        - Whether the account is one of O(restrict_to) (with the role per host, one of the play's hosts). An account
          written that is not one of them (a declared account that did not exist) has no host to report it.
      type: bool
      returned: when O(restrict_to) is given
counts:
  description:
    - How many accounts fall in each class. C(unchanged) are present as declared, C(absent) are declared absent and
      are not there, C(withheld) had a write that the run's rules withheld; C(busy) counts the accounts running
      someone else's operation (they are also counted elsewhere).
    - C(outside) counts the declared accounts that exist but are not in O(restrict_to) (another job slice's hosts, or
      hosts that C(--limit) left out), which are not this run's and not counted as C(unchanged).
    - In a playbook, read C(counts['update']) (C(counts.update) is the dictionary's own method).
  returned: always
  type: dict
  sample: {create: 1, update: 1, repair: 0, delete: 0, purge: 1, unchanged: 997, absent: 0, skipped: 0, withheld: 0, failed: 0,
           busy: 0, outside: 0}
summary:
  description:
    - "The plan (check mode) or what was done, for a person to read. First the counts as Terraform gives them
      (C(Plan for subscription S: 1 to add, 1 to change, 1 to destroy), or C(Done for subscription S: 1 added, ...)),
      then every count (C(withheld) only when the run withheld a write), then what the whole run withheld and why
      (each said once), then one line per account that was (or would be) written (C(+) created, C(~) updated or
      repaired, naming the fields that change, C(-) deleted or purged), failed, skipped, withheld or is busy."
  returned: always
  type: list
  elements: str
  sample:
    - "Done for subscription 00000000-0000-0000-0000-000000000000: 1 added, 1 changed, 1 destroyed"
    - "create 1, update 1, repair 0, delete 0, purge 1, unchanged 2, absent 0, skipped 0, failed 0"
    - "+ batch (ml-prod)"
    - "~ scoring (ml-prod): sku.capacity 1 → 2, tags.owner added"
    - "- old-scoring (ml-prod) purge"
busy_accounts:
  description: The accounts (C(resource group/name)) that the lists showed running someone else's operation.
  returned: always
  type: list
  elements: str
throttle_pauses:
  description: How many times Resource Manager answered C(429) and every worker paused.
  returned: always
  type: int
unmanaged:
  description:
    - The ids of the accounts of the resource groups the run listed that are neither declared nor in the purge scope
      (accounts made by hand, or by another tool), sorted. The summary names them too (the first 20). To adopt them,
      see P(azureml.model_management.account_info#module)'s RV(azureml.model_management.account_info#module:entries).
  returned: always
  type: list
  elements: str
problems:
  description:
    - The run's own failures, each once, that belong to no account, such as a purge group that could not be listed, and
      the writes the run withheld because of them. Empty when there are none.
  returned: always
  type: list
  elements: str
  sample: ["this run deletes nothing because the listing of resource group ml-prod failed (2 deletes withheld)"]
"""

from ansible_collections.azureml.model_management.plugins.module_utils.base import AzureMLModule
from ansible_collections.azureml.model_management.plugins.module_utils.option_shapes import string_option_problems
from ansible_collections.azureml.model_management.plugins.module_utils.fleet_apply import apply_plan, work_of
from ansible_collections.azureml.model_management.plugins.module_utils.fleet_entries import ENTRY_OPTIONS
from ansible_collections.azureml.model_management.plugins.module_utils.fleet_gate import PacingGate
from ansible_collections.azureml.model_management.plugins.module_utils.fleet_hosts import nothing_declared_problem
from ansible_collections.azureml.model_management.plugins.module_utils.fleet_progress import ApplyProgress, ProgressFile
from ansible_collections.azureml.model_management.plugins.module_utils.fleet_plan import (
    INT_RANGES,
    check_request,
    declared_entries,
    listing_key,
    plan_fleet,
    restricted_keys,
)
from ansible_collections.azureml.model_management.plugins.module_utils.fleet_report import (
    account_result,
    counts_of,
    diff_of,
    failure_message,
    summary_lines,
)
from ansible_collections.azureml.model_management.plugins.module_utils.fleet_scope import OptionNames
from ansible_collections.azureml.model_management.plugins.module_utils.fleet_subscriptions import (
    Gates,
    apply_subscriptions,
    clients_for,
    list_subscriptions,
    subscriptions_in_order,
)

ARGUMENT_SPEC = dict(
    accounts=dict(type="list", elements="dict", options=ENTRY_OPTIONS, default=[]),
    accounts_file=dict(type="path"),
    resource_group=dict(type="str"),
    append_tags=dict(type="bool", default=True),
    purge=dict(type="bool", default=False),
    purge_resource_groups=dict(type="list", elements="str", default=[]),
    purge_tags=dict(type="raw"),
    purge_allow_empty=dict(type="bool", default=False),
    purge_allow_missing_groups=dict(type="bool", default=False),
    restrict_to=dict(type="list", elements="dict"),
    concurrency=dict(type="int", default=10),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=600),
    throttling_timeout=dict(type="int", default=3600),
    progress_file=dict(type="path"),
)


def checked_request(azure):
    """Everything that needs no network, or the task fails naming each problem: entries, purge scopes, restriction.
    Returns the entries, the purge scopes, the restriction, the hosts outside the run and its subscriptions."""
    params = azure.params
    names = OptionNames(azure.module.caller_names)
    raw_entries = azure.module.raw_params.get("accounts") or []
    if params["accounts_file"] is not None:  # the action plugin reads it and sends its entries as accounts
        azure.fail("accounts_file is read on the controller by this module's action plugin, which did not run here"
                   " (the module was started some other way); give accounts instead")
    errors = []
    for index, raw in enumerate(raw_entries if isinstance(raw_entries, list) else []):
        if isinstance(raw, dict):
            errors.extend(string_option_problems(ENTRY_OPTIONS, raw, names.entry("accounts", index) + "."))
    entries, problems = declared_entries(params["accounts"], params["resource_group"], params["append_tags"], names,
                                         azure.subscription_id)
    scopes, scope_problems = check_request(params, azure.subscription_id, entries, names)
    elsewhere = [entry.subscription_id for entry in entries] + [scope.subscription_id for scope in (scopes or {}).values()]
    subscriptions = subscriptions_in_order(azure.subscription_id, elsewhere)
    restrict, outside, restrict_problems = restricted_keys(params["restrict_to"], subscriptions.values(), names)
    errors += problems + scope_problems + restrict_problems
    errors += [p for p in [nothing_declared_problem(params["accounts"], params["restrict_to"], params["purge"], names)] if p]
    if errors:
        azure.fail("; ".join(errors))
    return entries, scopes, restrict, outside, subscriptions


def run_module(azure):
    params = azure.params
    entries, scopes, restrict, outside, subscriptions = checked_request(azure)
    gates = Gates(lambda: PacingGate(budget=params["throttling_timeout"],
                                     budget_name=OptionNames(azure.module.caller_names)("throttling_timeout")))
    azure.client_options.update(pool_size=params["concurrency"] * len(subscriptions))
    clients = clients_for(azure.client, subscriptions, gates.new)
    wanted = [(entry.subscription_id, entry.resource_group) for entry in entries] + \
        [(scope.subscription_id, group) for scope in (scopes or {}).values() for group in scope.resource_groups.values()]
    progress = ProgressFile(params["progress_file"])
    progress.update(phase="listing", check_mode=azure.check_mode, groups=len(set(listing_key(*where) for where in wanted)))
    listings = list_subscriptions(clients, wanted, params["concurrency"])
    items = plan_fleet(entries, listings, scopes, restrict)
    run_lines = ([items.withheld] if items.withheld else []) + items.problems
    apply_progress = ApplyProgress(progress, len(work_of(items)), gates, azure.check_mode)
    applied = apply_subscriptions(clients, items, scopes, lambda client, subscription_id, part, scope: apply_plan(
        client, subscription_id, part, scope, params["concurrency"], azure.check_mode, params["wait"], params["wait_timeout"],
        on_done=apply_progress.done))
    apply_progress.close()
    results = [account_result(item, applied.get(index), azure.subscription_id, restrict) for index, item in enumerate(items)]
    result = dict(
        changed=any(r["changed"] for r in results),
        subscription_id=azure.subscription_id,
        subscriptions=list(subscriptions.values()),
        accounts=results,
        counts=counts_of(items, results),
        summary=summary_lines(azure.subscription_id, items, results, azure.check_mode, outside, run_lines),
        busy_accounts=["%s/%s" % (item.resource_group, item.name) for item in items if item.busy],
        throttle_pauses=gates.pauses,
        problems=run_lines,
        unmanaged=[account["id"] for account in items.unmanaged],
    )
    if azure.diff_mode:
        diffs = [diff_of(item, applied.get(index)) for index, item in enumerate(items)]
        result["diff"] = [d for d in diffs if d is not None]
    failed = failure_message(items, results, run_lines)
    if failed:
        azure.fail(failed, **result)
    azure.exit(**result)


def main():
    # The ranges of INT_RANGES are checked by check_request, which names the options as the caller knows them.
    azure = AzureMLModule(argument_spec=ARGUMENT_SPEC, int_ranges=INT_RANGES, supports_check_mode=True, caller_names=True)
    azure.run(lambda: run_module(azure))


if __name__ == "__main__":
    main()
