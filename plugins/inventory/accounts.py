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
  - Makes each Model Management Account of one or more subscriptions (optionally only some resource groups) a host,
    with the account's data in the host variable C(azureml_account) and the host in the group C(azureml_accounts).
  - "Reads an inventory source file whose name ends in C(azureml_accounts.yml) or C(azureml_accounts.yaml), for example
    C(prod.azureml_accounts.yml), with C(plugin: azureml.model_management.accounts)."
  - Finds credentials as the modules do (same options, environment variables and order), so an AWX inventory source
    with a Microsoft Azure Resource Manager credential works unchanged.
  - "A host's name depends only on its own account (see O(hostname_format)): by default C(<name>@<resource group>),
    in lower case, and two accounts never share one."
  - Everything read from Azure is data, never a template, on every supported ansible-core release.
  - "Accounts are not machines: every host gets C(ansible_connection: local) and the controller's Python (see
    O(local_connection))."
  - Mistakes in the source file (an unknown key, a boolean that is not one, an option of C(azure.azcollection.azure_rm)
    that has no meaning here) are errors that name the key, before any request.
options:
  plugin:
    description: Marks the file as a source for this plugin.
    type: str
    required: true
    choices: [azureml.model_management.accounts]
  subscriptions:
    description:
      - Subscription IDs to list accounts from. Compared ignoring case; each is listed once.
      - When not given, the one subscription the modules would use (O(subscription_id), the profile's, or
        E(AZURE_SUBSCRIPTION_ID)).
    type: list
    elements: str
  resource_groups:
    description:
      - Only list the accounts of these resource groups (in every subscription of O(subscriptions)).
      - Compared ignoring case, as Azure does; each is listed once.
      - When not given, all accounts of each subscription are listed.
      - A resource group that does not exist is an error (see O(fail_on_list_errors)).
    type: list
    elements: str
  include_tags:
    description:
      - Only add accounts that have all of these tags.
      - Each entry is V(name) (the tag exists, with any value) or V(name:value) (the tag has exactly this value),
        split on the first C(:), spaces around the name and the value dropped. Tag names are compared ignoring case,
        values exactly.
    type: list
    elements: str
  exclude_tags:
    description:
      - Leave out accounts that have any of these tags. Same syntax as O(include_tags).
    type: list
    elements: str
  include_host_filters:
    description:
      - Jinja2 conditionals, evaluated for each account with its host variable C(azureml_account) (as in O(groups)).
        When given, an account is added only if at least one of them is true.
      - An empty list (the default) keeps every account. Applied after O(include_tags) and O(exclude_tags).
      - A conditional that fails to evaluate counts as false, or fails the inventory with O(strict=true).
    type: list
    elements: str
    default: []
  exclude_host_filters:
    description:
      - Jinja2 conditionals like O(include_host_filters); an account for which any of them is true is left out.
      - Evaluated before O(include_host_filters). A conditional that fails to evaluate counts as false (the account is
        kept), or fails the inventory with O(strict=true).
    type: list
    elements: str
    default: []
  hostname_format:
    description:
      - The host name of an account, a Python format string with the fields C({name}), C({resource_group}),
        C({subscription_id}) and C({location}) (the region, for example V(eastus2)), taken in lower case (Azure
        ignores case in all of them and may return another spelling on another day). Fields take no conversion or
        format spec (C({name:d}) is an error naming this option).
      - When not given, C({name}@{resource_group}), and C({name}@{resource_group}@{subscription_id}) when
        O(subscriptions) names more than one subscription. No resource group name or subscription id can contain
        C(@), so two accounts never get one default name, whatever other accounts come and go.
      - When two accounts would get the same host name from another format, the inventory fails with an error that
        names both accounts' ids; nothing is renamed behind your back.
      - "Characters that Ansible's host patterns or Jinja read specially are written C(%xx) (UTF-8, lower-case hex), as
        in a URL: C(, : * ? [ ] { } %), whitespace and control characters anywhere, and C(! & ~ @) at the start. So
        C(!bang@rg) is C(%21bang@rg) and C(x,y@rg) is C(x%2cy@rg), and a pattern naming a host (C(name), C(!name),
        C(&name)) selects exactly that host. No Azure name holds C(%), so escaped names stay unique."
      - "A host name that means something else to Ansible (C(all), C(ungrouped), C(localhost), C(127.0.0.1),
        C(::1)), or that names the group C(azureml_accounts) or a group of O(groups), gets the suffix
        C(@<resource group>@<subscription id>), so that C(hosts: localhost) still means the controller."
      - Mutually exclusive with O(plain_host_names).
    type: str
  plain_host_names:
    description:
      - Name each host by its account name alone (in lower case and escaped as in O(hostname_format)), as
        C(azure.azcollection.azure_rm)'s option of that name does; the same as setting O(hostname_format) to C({name}).
      - Account names are unique only within a resource group, so two accounts of one name fail the inventory with an
        error naming both.
    type: bool
    default: false
  local_connection:
    description:
      - "Set C(ansible_connection: local) and C(ansible_python_interpreter: '{{ ansible_playbook_python }}') on every
        host, so that tasks on an account run on the controller with the Python that runs ansible-playbook (where
        this collection's requirements are), also in an AWX execution environment other than the one that read the
        inventory. The interpreter is a template on purpose, rendered when a task runs."
      - O(compose) (or O(hostvar_expressions)) overrides either variable per host; V(false) sets neither, for example
        to set them in C(group_vars/azureml_accounts.yml) (host variables of an inventory source take precedence
        over group variables).
    type: bool
    default: true
  conditional_groups:
    description:
      - The name C(azure.azcollection.azure_rm) gives to O(groups); the same meaning. Give one of the two.
    type: dict
  hostvar_expressions:
    description:
      - The name C(azure.azcollection.azure_rm) gives to O(compose); the same meaning. Give one of the two.
    type: dict
  fail_on_list_errors:
    description:
      - When V(true), a subscription or resource group whose accounts cannot be listed (not found, no access,
        throttled beyond the retries, an answer that is not a list of its accounts) fails the whole inventory with
        an error that names it.
      - "When V(false), it is skipped with a warning that names it, and the other subscriptions are still listed.
        Such a listing is never cached (see O(cache)): the next run lists again and warns again."
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
  - "Host variable C(azureml_account): C(id), C(name), C(resource_group), C(subscription_id) (lower case), C(location),
    C(sku) (C(name), C(capacity)), C(tags), C(description) and C(provisioning_state) (V(Succeeded) when Azure leaves it
    out, as it does for a healthy account)."
  - "Requests: one C(GET .../providers/Microsoft.MachineLearningModelManagement/accounts) per subscription, or per
    subscription and resource group with O(resource_groups), each followed through every C(nextLink) (empty pages
    included), plus the token and cloud metadata requests of the credential. No request is sent when an option is
    invalid or when the cache answers."
  - Every list item must be an account of the subscription (and resource group) that was listed, with the expected
    JSON types; any other item makes that listing fail (see O(fail_on_list_errors)). An item listed twice is one host.
  - "An account whose name, resource group or location breaks Azure's rule for it (a name ending in C(.) or in
    whitespace, a line break, a location that is not a region name such as V(eastus2)) is left out with a warning
    naming its id; the other accounts of that listing become hosts as usual."
  - Everything read from Azure (names, ids, tags, descriptions, every field) reaches Ansible as text that is never
    rendered as a template, also before ansible-core 2.19. Host names hold no C({), C(}) or C(:) (see
    O(hostname_format)), so neither a Jinja delimiter nor a C(#jinja2:) header can occur in one, and AWX reads them as
    plain names; group names made by O(keyed_groups) hold letters, digits and C(_) only (ansible-core's rule).
  - "No group of this source (O(keyed_groups), O(groups)) may have the name of one of its hosts, C(localhost), C(all)
    or C(ungrouped): Ansible would select the group where the host was meant, or an account for C(hosts: localhost).
    Such a group fails the inventory with an error naming the group and the host, before any host is added."
  - The client secret and password (from the source file, the environment or a profile), the managed identity header
    and the workload identity's federated token are masked in the plugin's messages and in the log lines of
    azure-identity and msal while the plugin runs, at every verbosity, in every spelling a form, a URL or JSON gives
    them (percent-encoded in either case, also twice, C(+) for a space, JSON escapes). A secret of the wrong type in
    the source file (a list, a mapping) is refused without showing it.
  - "The inventory cache holds only the accounts' data (the host variables), never a token or a secret, stored as one
    JSON text so that no tag or value (C(__ansible_vault), C(__ansible_type)) is read as a marker of the cache plugin.
    A file cache (C(ansible.builtin.jsonfile)) is made mode 0600 right after it is written. A cached result is used
    only when the subscriptions and resource groups are the same as when it was written, and only when that listing
    had no error. Tag filters, host filters and host names are applied after the cache."
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

# A second source file (one YAML document per file; shown commented so this block stays one document):
# Two subscriptions, two resource groups, only the accounts managed by Ansible, except archived and failed ones.
# Host names are <name>@<resource group>@<subscription id> (the default with several subscriptions).
# plugin: azureml.model_management.accounts
# subscriptions:
#   - 00000000-0000-0000-0000-000000000001
#   - 00000000-0000-0000-0000-000000000002
# resource_groups: [ml-prod, ml-staging]
# include_tags: ["managed-by:ansible"]
# exclude_tags: [archived]
# exclude_host_filters:
#   - azureml_account.provisioning_state != 'Succeeded'
# groups:
#   big: azureml_account.sku.capacity >= 4
# cache: true
# cache_plugin: ansible.builtin.jsonfile
# cache_connection: ~/.cache/azureml_accounts
# cache_timeout: 600
"""

import os

import yaml

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.azureml.model_management.plugins.module_utils.account_model import (
    accounts_path,
    check_resource_group,
    check_tag_filters,
)
from ansible_collections.azureml.model_management.plugins.module_utils.arm import HAS_REQUESTS, ArmError
from ansible_collections.azureml.model_management.plugins.module_utils.option_rules import check_api_version
from ansible_collections.azureml.model_management.plugins.module_utils.errors import AuthError
from ansible_collections.azureml.model_management.plugins.module_utils.tokens import azure_identity_import_error
from ansible_collections.azureml.model_management.plugins.module_utils.connection import (
    INSECURE_WARNING,
    Connection,
)
from ansible_collections.azureml.model_management.plugins.plugin_utils import cache_entry, host_names, source_options, staging
from ansible_collections.azureml.model_management.plugins.plugin_utils.inventory_accounts import (
    account_vars,
    keep_account,
    unique_accounts,
    unique_resource_groups,
    unique_subscriptions,
)
from ansible_collections.azureml.model_management.plugins.plugin_utils.redaction import (
    held_credentials,
    mask,
    masked_log_records,
    secret_matcher,
)
from ansible_collections.azureml.model_management.plugins.plugin_utils.unsafe import make_unsafe, plugin_template

HOST_VAR = "azureml_account"
ALL_GROUP = "azureml_accounts"
SUFFIXES = ("azureml_accounts.yml", "azureml_accounts.yaml")
# The options the modules' credential path reads; only those set in the source file are passed, the environment is left to it.
CREDENTIAL_OPTIONS = ("subscription_id", "tenant", "client_id", "secret", "ad_user", "password", "profile",
                      "auth_source", "cloud_environment", "api_version", "validate_certs", "timeout",
                      "token_cache", "token_cache_dir")
SOURCE_PEEK_BYTES = 65536  # enough of a misnamed source file to read its plugin: line
# local_connection: accounts are API objects, reached from the controller with the Python that runs the play (a
# template on purpose: an AWX job may run in another execution environment than the inventory update did).
LOCAL_CONNECTION_VARS = (("ansible_connection", "local"), ("ansible_python_interpreter", "{{ ansible_playbook_python }}"))


def names_this_plugin(path, name):
    """True when the YAML (or JSON) file at ``path`` is an inventory source for the plugin ``name``."""
    try:
        with open(path, encoding="utf-8") as handle:
            config = yaml.safe_load(handle.read(SOURCE_PEEK_BYTES))
    except (OSError, UnicodeError, yaml.YAMLError):
        return False
    return isinstance(config, dict) and config.get("plugin") == name


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    """Model Management Accounts as hosts, listed through the collection's one client and credential path."""

    NAME = "azureml.model_management.accounts"

    def __init__(self):
        super(InventoryModule, self).__init__()
        self._matcher = None  # every spelling of every credential in play, masked in messages and log records
        self._source_secrets = []
        self._written_cache_key = None

    def verify_file(self, path):
        if not super(InventoryModule, self).verify_file(path):
            return False
        if path.endswith(SUFFIXES):
            return True
        if names_this_plugin(path, self.NAME):
            raise AnsibleError("%s names the inventory plugin %s, but its file name does not end in the suffix this plugin "
                               "requires: the file name must end in %s or %s (for example prod.%s)" % (path, self.NAME, SUFFIXES[0], SUFFIXES[1], SUFFIXES[0]))
        return False

    def set_options(self, task_keys=None, var_options=None, direct=None):
        """The source file as written is checked before ansible-core converts it (source_options): its errors would
        print a secret of the wrong type, take ``ture`` for false and ignore a misspelt key."""
        if direct is not None:
            self._source_secrets = source_options.secret_values(direct)
            self._matcher = secret_matcher(self._source_secrets)
            problems = source_options.source_problems(direct, self.option_definitions)
            if problems:
                raise AnsibleParserError(self._mask("%s: %s" % (self.NAME, "; ".join(problems))))
        error = None
        try:
            super(InventoryModule, self).set_options(task_keys=task_keys, var_options=var_options, direct=direct)
        except AnsibleError as err:
            error = self._mask("%s: %s" % (self.NAME, err))  # raised below, outside this block: no chained original
        if error:
            raise AnsibleParserError(error)

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        config = self._read_config_data(path)
        self._check_options()
        env = dict(os.environ)
        params = self._credential_params(config)
        if params.get("validate_certs") is False:
            self.display.warning("%s: %s" % (self.NAME, INSECURE_WARNING))
        connection = Connection(params, env)
        self._matcher = secret_matcher(self._source_secrets + connection.secrets + held_credentials(env))
        subscriptions = self._subscriptions(connection)
        scope = {"subscriptions": subscriptions, "resource_groups": unique_resource_groups(self.get_option("resource_groups") or [])}
        accounts = self._cached_or_listed(path, cache, scope, lambda: self._list_accounts(connection, scope))
        self._populate(accounts, len(subscriptions))

    def update_cache_if_changed(self):
        """As Cacheable, then the cache files of this source made private (the jsonfile cache writes 0644)."""
        super(InventoryModule, self).update_cache_if_changed()
        if self._written_cache_key:
            directory = os.path.expanduser(os.path.expandvars(self.get_option("cache_connection") or ""))
            cache_entry.make_private(directory, self._written_cache_key)

    # -- options ------------------------------------------------------------------------------------------------

    def _check_options(self):
        hostname_format = self.get_option("hostname_format")
        problems = [check_tag_filters(self.get_option("include_tags"), "include_tags"),
                    check_tag_filters(self.get_option("exclude_tags"), "exclude_tags"),
                    host_names.format_problem(hostname_format) if hostname_format is not None else None,
                    check_api_version(self.get_option("api_version"))]
        if hostname_format is not None and self.get_option("plain_host_names"):
            problems.append("give hostname_format or plain_host_names, not both")
        problems += [check_resource_group(group, "resource_groups") for group in self.get_option("resource_groups") or []]
        problems = [problem for problem in problems if problem]
        if problems:
            raise AnsibleError("%s: %s" % (self.NAME, "; ".join(problems)))

    def _credential_params(self, config):
        """The options set in the source file, as the option types make them. Those from the environment stay out:
        the credential path reads the environment itself, in the same order of precedence as for the modules."""
        params = {}
        for name in CREDENTIAL_OPTIONS:
            value = self.get_option(name) if name in config else None
            if value is not None:
                params[name] = value if isinstance(value, (bool, int)) else str(value)
        return params

    def _subscriptions(self, connection):
        subscriptions = unique_subscriptions(self.get_option("subscriptions") or [connection.default_subscription()])
        for subscription_id in subscriptions:
            problem = connection.subscription_problem(subscription_id)
            if problem:
                raise AnsibleError(self._mask("%s: %s" % (self.NAME, problem)))
        return subscriptions

    def _mask(self, text):
        return mask(text, self._matcher)

    # -- cache --------------------------------------------------------------------------------------------------

    def _cached_or_listed(self, path, cache, scope, list_accounts):
        """The accounts from the cache when it holds a complete listing of ``scope``, else from ``list_accounts``
        (written to the cache when it is on; see cache_entry for the format)."""
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache")
        if use_cache and cache:
            cached = cache_entry.decode(self._cache_entry(cache_key), scope)
            if cached is not None:
                self._written_cache_key = cache_key  # an older file may still have the cache plugin's mode
                return cached
        accounts, complete = list_accounts()
        if use_cache:
            self._cache[cache_key] = cache_entry.encode(scope, accounts, complete)
            self._written_cache_key = cache_key
        return accounts

    def _cache_entry(self, cache_key):
        """The raw cache entry, or None; one the cache plugin cannot read (an older format, a damaged file) is a miss."""
        try:
            return self._cache[cache_key]
        except KeyError:
            return None
        except Exception as err:  # pylint: disable=broad-except
            self.display.warning(self._mask("%s: the inventory cache entry cannot be read (%s); listing again" % (self.NAME, err)))
            return None

    # -- listing ------------------------------------------------------------------------------------------------

    def _client(self, connection):
        if not HAS_REQUESTS:
            raise AnsibleError("%s needs the Python library requests on the controller" % self.NAME)
        if connection.error is not None:
            raise AnsibleError(self._mask("%s: %s" % (self.NAME, connection.error)))
        if azure_identity_import_error():
            raise AnsibleError("%s needs the Python library azure-identity on the controller" % self.NAME)
        try:
            return connection.client(warn=lambda message: self.display.warning(self._mask("%s: %s" % (self.NAME, message))))
        except AuthError as err:
            raise AnsibleError(self._mask("%s: %s (credentials: %s)" % (self.NAME, err, connection.describe()))) from None

    def _list_accounts(self, connection, scope):
        """``(host variables of every account in scope, whether every listing succeeded)``.

        A listing that fails is an error, or with fail_on_list_errors false a warning naming it. Log records made
        meanwhile (azure-identity's, msal's) have the secrets masked.
        """
        with masked_log_records(self._matcher):
            client = self._client(connection)
            accounts, complete = [], True
            for subscription_id in scope["subscriptions"]:
                for group in scope["resource_groups"] or [None]:
                    where = "subscription %s" % subscription_id + (", resource group %s" % group if group else "")
                    try:
                        found = self._list_one(client, subscription_id, group)
                    except (ArmError, AuthError, ValueError) as err:
                        message = self._mask("%s: cannot list the accounts of %s: %s" % (self.NAME, where, err))
                        if self.get_option("fail_on_list_errors"):
                            raise AnsibleError(message) from None
                        self.display.warning(message)
                        complete = False
                        continue
                    accounts.extend(found)
        return unique_accounts(accounts), complete

    @staticmethod
    def _list_one(client, subscription_id, group):
        """The host variables of one listing; ValueError when an item is not an account of that scope."""
        found = []
        for item in client.list_all(accounts_path(subscription_id, group)):
            account, problem = account_vars(item, subscription_id, group)
            if problem:
                raise ValueError(problem)
            found.append(account)
        return found

    # -- hosts and groups ---------------------------------------------------------------------------------------

    def _populate(self, accounts, subscription_count):
        """Hosts and groups of the accounts kept, built aside and checked (staging), then added all at once."""
        include, exclude = self.get_option("include_tags"), self.get_option("exclude_tags")
        strict = self.get_option("strict")
        filters = (self.get_option("exclude_host_filters"), self.get_option("include_host_filters"))
        kept = self._hostable([make_unsafe(account) for account in accounts if keep_account(account, include, exclude)])
        if any(filters):
            kept = [account for account in kept if self._passes_host_filters(account, filters, strict)]
        hostname_format = self.get_option("hostname_format") or host_names.default_format(subscription_count, self.get_option("plain_host_names"))
        groups = source_options.merged_alias(self.get_option("groups"), self.get_option("conditional_groups"))
        try:
            named = host_names.assign(kept, hostname_format, (ALL_GROUP,) + tuple(groups))
        except host_names.HostNameCollision as err:
            raise AnsibleError("%s: %s" % (self.NAME, err)) from None
        stage = staging.Stage()
        inventory, self.inventory = self.inventory, stage  # Constructable's helpers add to self.inventory
        try:
            self._build(stage, named, groups, strict)
        finally:
            self.inventory = inventory
        try:
            staging.check_names(stage, dict((hostname, account["id"]) for hostname, account in named))
        except staging.GroupNameClash as err:
            raise AnsibleError("%s: %s" % (self.NAME, err)) from None
        staging.commit(stage, self.inventory)

    def _hostable(self, accounts):
        """The accounts whose fields pass Azure's rules (host_names.field_problem); each other one is warned about by
        id and left out, and costs no other host."""
        kept = []
        for account in accounts:
            problem = host_names.field_problem(account)
            if problem:
                self.display.warning("%s: account %s is not made a host: %s" % (self.NAME, ascii(account.get("id")), problem))
            else:
                kept.append(account)
        return kept

    def _build(self, stage, named, groups, strict):
        compose = source_options.merged_alias(self.get_option("compose"), self.get_option("hostvar_expressions"))
        keyed_groups = self.get_option("keyed_groups")
        stage.add_group(ALL_GROUP)
        for hostname, account in named:
            stage.current_host = hostname
            stage.add_host(hostname, group=ALL_GROUP)
            stage.set_variable(hostname, HOST_VAR, account)
            if self.get_option("local_connection"):
                for name, value in LOCAL_CONNECTION_VARS:
                    stage.set_variable(hostname, name, plugin_template(value))
            variables = {HOST_VAR: account}
            self._set_composite_vars(compose, variables, hostname, strict=strict)
            self._add_host_to_composed_groups(groups, variables, hostname, strict=strict)
            self._add_host_to_keyed_groups(keyed_groups, variables, hostname, strict=strict)

    def _passes_host_filters(self, account, filters, strict):
        """exclude_host_filters (none true) then include_host_filters (one true, when given), as azure_rm does."""
        exclude, include = filters
        variables = {HOST_VAR: account}
        if any(self._condition(condition, variables, account, strict) for condition in exclude):
            return False
        return not include or any(self._condition(condition, variables, account, strict) for condition in include)

    def _condition(self, condition, variables, account, strict):
        """The truth of one host filter; an error is false, or fails the inventory with strict."""
        self.templar.available_variables = variables
        try:
            if hasattr(self.templar, "evaluate_conditional"):  # ansible-core 2.19+
                return bool(self.templar.evaluate_conditional(condition))
            return boolean(self.templar.template("{%% if %s %%} True {%% else %%} False {%% endif %%}" % condition, disable_lookups=True))
        except Exception as err:  # pylint: disable=broad-except
            if strict:
                raise AnsibleParserError("%s: cannot evaluate the host filter %r for account %s: %s" % (self.NAME, condition, account["id"], err)) from None
            return False
