# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: accounts
short_description: Azure Machine Learning Model Management Accounts as inventory hosts
version_added: 0.1.0
description:
  - Lists the Model Management Accounts of one or more subscriptions (optionally only some resource groups) and adds
    each account as a host, with its data in the host variable C(azureml_account).
  - "Reads an inventory source file whose name ends in C(azureml_accounts.yml) or C(azureml_accounts.yaml), for example
    C(prod.azureml_accounts.yml), with C(plugin: azureml.model_management.accounts)."
  - Uses the same options, environment variables and credential search as the modules, so an AWX inventory source
    with a Microsoft Azure Resource Manager credential works unchanged.
  - Every page of every list is read (each C(nextLink) is followed).
  - "Host names: O(hostname_format), by default the account name. Azure account names are unique only within a
    resource group, so when several accounts would get the same host name (compared ignoring case), each of them
    is named C(<hostname>.<resource group>) instead, and C(<hostname>.<resource group>.<subscription id>) when that is
    still shared. The rule depends only on the set of accounts, not on the order Azure lists them in."
  - "Host variable C(azureml_account): C(id), C(name), C(resource_group), C(subscription_id), C(location), C(sku)
    (C(name), C(capacity)), C(tags), C(description) and C(provisioning_state)."
  - "Accounts are not machines. Run plays against these hosts with C(connection: local) (or set C(ansible_connection)
    with O(compose))."
options:
  plugin:
    description: Marks the file as a source for this plugin.
    type: str
    required: true
    choices: [azureml.model_management.accounts]
  subscriptions:
    description:
      - Subscription IDs to list accounts from.
      - When not given, the one subscription the modules would use (O(subscription_id), the profile's, or
        E(AZURE_SUBSCRIPTION_ID)).
    type: list
    elements: str
  resource_groups:
    description:
      - Only list the accounts of these resource groups (in every subscription of O(subscriptions)).
      - When not given, all accounts of each subscription are listed.
      - A resource group that does not exist is an error (see O(fail_on_list_errors)).
    type: list
    elements: str
  include_tags:
    description:
      - Only add accounts that have all of these tags.
      - Each entry is V(name) (the tag exists, with any value) or V(name:value) (the tag has exactly this value),
        split on the first C(:). Tag names are compared ignoring case, values exactly.
    type: list
    elements: str
  exclude_tags:
    description:
      - Leave out accounts that have any of these tags. Same syntax as O(include_tags).
    type: list
    elements: str
  hostname_format:
    description:
      - The host name of an account, a Python format string with the fields C({name}), C({resource_group}),
        C({subscription_id}) and C({location}).
      - Host names that would be shared by several accounts are made unique as described above.
    type: str
    default: "{name}"
  fail_on_list_errors:
    description:
      - When V(true), a subscription or resource group whose accounts cannot be listed (not found, no access,
        throttled beyond the retries) fails the whole inventory with an error that names it.
      - When V(false), it is skipped with a warning that names it, and the other subscriptions are still listed.
      - This is not the O(strict) option of O(compose) and O(keyed_groups), which defaults to V(false).
    type: bool
    default: true
  subscription_id:
    env:
      - name: AZURE_SUBSCRIPTION_ID
  tenant:
    env:
      - name: AZURE_TENANT
      - name: AZURE_TENANT_ID
  client_id:
    env:
      - name: AZURE_CLIENT_ID
  secret:
    env:
      - name: AZURE_SECRET
      - name: AZURE_CLIENT_SECRET
  ad_user:
    env:
      - name: AZURE_AD_USER
  password:
    env:
      - name: AZURE_PASSWORD
  profile:
    env:
      - name: AZURE_PROFILE
  auth_source:
    env:
      - name: ANSIBLE_AZURE_AUTH_SOURCE
  cloud_environment:
    env:
      - name: AZURE_CLOUD_ENVIRONMENT
  token_cache:
    env:
      - name: ANSIBLE_AZURE_TOKEN_CACHE
  token_cache_dir:
    env:
      - name: ANSIBLE_AZURE_TOKEN_CACHE_DIR
extends_documentation_fragment:
  - azureml.model_management.auth
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
notes:
  - The inventory cache holds only the accounts' data (the host variables), never a token or a secret.
    A cached result is used only when the subscriptions and resource groups are the same as when it was written.
  - Credentials given in the environment are read exactly as the modules read them (same names, same order of
    precedence); options in the source file come first, like module options.
seealso:
  - module: azureml.model_management.account_info
author:
  - azureml.model_management developers (@azureml-model-management)
"""

EXAMPLES = r"""
# prod.azureml_accounts.yml: all accounts of the credential's subscription, grouped by location and SKU
plugin: azureml.model_management.accounts
keyed_groups:
  - key: azureml_account.location
    prefix: location
  - key: azureml_account.sku.name
    prefix: sku
  - key: azureml_account.tags
    prefix: tag
compose:
  ansible_connection: "'local'"

# A second source file (one YAML document per file; shown commented so this block stays one document):
# Two subscriptions, two resource groups, only the accounts managed by Ansible, except archived ones
# plugin: azureml.model_management.accounts
# subscriptions:
#   - 00000000-0000-0000-0000-000000000001
#   - 00000000-0000-0000-0000-000000000002
# resource_groups: [ml-prod, ml-staging]
# include_tags: ["managed-by:ansible"]
# exclude_tags: [archived]
# hostname_format: "{name}.{resource_group}"
# groups:
#   big: azureml_account.sku.capacity >= 4
# cache: true
# cache_plugin: ansible.builtin.jsonfile
# cache_connection: ~/.cache/azureml_accounts
# cache_timeout: 600
"""

import os
import re
import string

from ansible.errors import AnsibleError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.azureml.model_management.plugins.module_utils.account_model import (
    accounts_path,
    check_resource_group,
    check_tag_filters,
    matches_tag_filters,
)
from ansible_collections.azureml.model_management.plugins.module_utils.arm import HAS_REQUESTS, ArmError
from ansible_collections.azureml.model_management.plugins.module_utils.errors import AuthError
from ansible_collections.azureml.model_management.plugins.module_utils.tokens import azure_identity_import_error
from ansible_collections.azureml.model_management.plugins.module_utils.connection import (
    build_client,
    default_subscription,
    find_source,
    subscription_problem,
)

HOST_VAR = "azureml_account"
ALL_GROUP = "azureml_accounts"
# The options the modules' credential path reads; values that came from the environment are left to it.
CREDENTIAL_OPTIONS = ("subscription_id", "tenant", "client_id", "secret", "ad_user", "password", "profile",
                      "auth_source", "cloud_environment", "api_version", "validate_certs", "timeout",
                      "token_cache", "token_cache_dir")
HOSTNAME_FIELDS = ("name", "resource_group", "subscription_id", "location")
RESOURCE_GROUP_IN_ID = re.compile(r"/resourcegroups/([^/]+)/", re.IGNORECASE)


def account_vars(account, subscription_id):
    """The host variable of one account: the fields people target and group by, nothing read-only or bulky."""
    match = RESOURCE_GROUP_IN_ID.search(account.get("id") or "")
    properties = account.get("properties") or {}
    sku = account.get("sku") or {}
    return {
        "id": account.get("id"),
        "name": account.get("name"),
        "resource_group": match.group(1) if match else None,
        "subscription_id": subscription_id,
        "location": account.get("location"),
        "sku": {"name": sku.get("name"), "capacity": sku.get("capacity")},
        "tags": dict(account.get("tags") or {}),
        "description": properties.get("description"),
        "provisioning_state": properties.get("provisioningState"),
    }


def hostname_problem(hostname_format):
    """None when ``hostname_format`` uses only the known fields, else the message to fail with."""
    try:
        fields = [field for _text, field, _spec, _conv in string.Formatter().parse(hostname_format) if field is not None]
    except ValueError as err:
        return "hostname_format %r is not a valid format string: %s" % (hostname_format, err)
    unknown = sorted(set(fields) - set(HOSTNAME_FIELDS))
    if unknown or not fields:
        return "hostname_format %r may use only the fields %s" % (hostname_format, ", ".join("{%s}" % f for f in HOSTNAME_FIELDS))
    return None


def assign_hostnames(accounts, hostname_format):
    """``[(hostname, account_vars)]``: unique host names, whatever order the accounts come in (see DOCUMENTATION)."""
    candidates = [[hostname_format.format(**dict((f, account[f]) for f in HOSTNAME_FIELDS)), account] for account in accounts]
    for extra in ("resource_group", "subscription_id"):
        counts = {}
        for hostname, _account in candidates:
            counts[hostname.lower()] = counts.get(hostname.lower(), 0) + 1
        for candidate in candidates:
            if counts[candidate[0].lower()] > 1:
                candidate[0] = "%s.%s" % (candidate[0], candidate[1][extra])
    return [tuple(candidate) for candidate in candidates]


def keep_account(account, include_tags, exclude_tags):
    """All of ``include_tags`` match and none of ``exclude_tags`` does."""
    if include_tags and not matches_tag_filters(account, include_tags):
        return False
    return not any(matches_tag_filters(account, [item]) for item in exclude_tags or [])


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    """Model Management Accounts as hosts, listed through the collection's one client and credential path."""

    NAME = "azureml.model_management.accounts"

    def verify_file(self, path):
        return super(InventoryModule, self).verify_file(path) and path.endswith(("azureml_accounts.yml", "azureml_accounts.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        self._read_config_data(path)
        self._check_options()
        params = self._credential_params()
        env = dict(os.environ)
        source, source_error = find_source(params, env)
        subscriptions = self._subscriptions(source, source_error, params, env)
        scope = {"subscriptions": subscriptions, "resource_groups": self.get_option("resource_groups") or []}

        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache")
        cached = None
        if use_cache and cache:
            try:
                cached = self._cache[cache_key]
            except KeyError:
                cached = None
        if not isinstance(cached, dict) or cached.get("scope") != scope:
            accounts = self._list_accounts(source, source_error, params, scope)
            if use_cache:
                self._cache[cache_key] = {"scope": scope, "accounts": accounts}
        else:
            accounts = cached["accounts"]
        self._populate(accounts)

    # -- options ------------------------------------------------------------------------------------------------

    def _check_options(self):
        problems = [check_tag_filters(self.get_option("include_tags"), "include_tags"),
                    check_tag_filters(self.get_option("exclude_tags"), "exclude_tags"),
                    hostname_problem(self.get_option("hostname_format"))]
        problems += [check_resource_group(group, "resource_groups") for group in self.get_option("resource_groups") or []]
        problems = [problem for problem in problems if problem]
        if problems:
            raise AnsibleError("%s: %s" % (self.NAME, "; ".join(problems)))

    def _credential_params(self):
        """The options set in the source file. Those that came from the environment stay out: the credential
        path reads the environment itself, in the same order of precedence as for the modules."""
        params = {}
        for name in CREDENTIAL_OPTIONS:
            value, origin = self.get_option_and_origin(name)
            if value is not None and not str(origin).startswith("env:"):
                params[name] = value if isinstance(value, (bool, int)) else str(value)
        return params

    def _subscriptions(self, source, source_error, params, env):
        subscriptions = [str(s).strip() for s in self.get_option("subscriptions") or []]
        if not subscriptions:
            subscriptions = [default_subscription(source, params, env)]
        for subscription_id in subscriptions:
            problem = subscription_problem(subscription_id)
            if problem:
                if source_error is not None and not subscription_id:
                    problem = "%s; and %s" % (problem, source_error)
                raise AnsibleError("%s: %s" % (self.NAME, problem))
        return list(dict.fromkeys(subscriptions))

    # -- listing ------------------------------------------------------------------------------------------------

    def _client(self, source, source_error, params):
        if not HAS_REQUESTS:
            raise AnsibleError("%s needs the Python library requests on the controller" % self.NAME)
        if source_error is not None:
            raise AnsibleError("%s: %s" % (self.NAME, source_error))
        if azure_identity_import_error():
            raise AnsibleError("%s needs the Python library azure-identity on the controller" % self.NAME)
        try:
            return build_client(source, params)
        except AuthError as err:
            raise AnsibleError("%s: %s (credentials: %s)" % (self.NAME, err, source.describe())) from None

    def _list_accounts(self, source, source_error, params, scope):
        """The host variables of every account in scope; a listing that fails is an error or a warning naming it."""
        client = self._client(source, source_error, params)
        accounts = []
        for subscription_id in scope["subscriptions"]:
            for group in scope["resource_groups"] or [None]:
                where = "subscription %s" % subscription_id + (", resource group %s" % group if group else "")
                try:
                    found = client.list_all(accounts_path(subscription_id, group))
                except (ArmError, AuthError) as err:
                    message = "%s: cannot list the accounts of %s: %s" % (self.NAME, where, err)
                    if self.get_option("fail_on_list_errors"):
                        raise AnsibleError(message) from None
                    self.display.warning(message)
                    continue
                accounts.extend(account_vars(account, subscription_id) for account in found if isinstance(account, dict))
        return accounts

    # -- hosts and groups ---------------------------------------------------------------------------------------

    def _populate(self, accounts):
        include, exclude = self.get_option("include_tags"), self.get_option("exclude_tags")
        kept = [account for account in accounts if keep_account(account, include, exclude)]
        strict = self.get_option("strict")
        self.inventory.add_group(ALL_GROUP)
        for hostname, account in assign_hostnames(kept, self.get_option("hostname_format")):
            self.inventory.add_host(hostname, group=ALL_GROUP)
            self.inventory.set_variable(hostname, HOST_VAR, account)
            variables = {HOST_VAR: account}
            self._set_composite_vars(self.get_option("compose"), variables, hostname, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), variables, hostname, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), variables, hostname, strict=strict)
