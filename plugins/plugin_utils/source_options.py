# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The inventory source file as written, checked before ansible-core converts a single option.

Pure: no Ansible, no I/O. ansible-core ignores keys it does not know (a misspelt ``resource_group:`` silently lists
the whole subscription, widening what a per-host play may change), reads any unknown word as false for a boolean
(``fail_on_list_errors: ture``), and prints the whole value of an option of the wrong type in its error (a
``secret:`` given as a list). Each of these is refused here with a message that names the key and never a secret.
"""

from __future__ import annotations

import difflib

from ansible_collections.azureml.model_management.plugins.module_utils.text import kind

SECRET_OPTIONS = ("secret", "password")
BOOL_TYPES = ("bool", "boolean")
# What ansible-core's strict boolean conversion takes (convert_bool.BOOLEANS), strings compared in lower case.
BOOLEAN_WORDS = frozenset(("y", "yes", "on", "1", "true", "t", "n", "no", "off", "0", "false", "f"))
NOT_VMS = "this plugin lists Model Management Accounts, not virtual machines: name their resource groups in resource_groups"
NOT_THIS_CREDENTIAL_PATH = ("the collection's credential path (the modules' and this plugin's) has no such setting: "
                            "see ansible-doc -t inventory azureml.model_management.accounts for the credential options")
# Options of azure.azcollection.azure_rm that have no meaning here, and why (those that do are options of their own:
# plain_host_names, conditional_groups, hostvar_expressions).
AZURE_RM_ONLY = {
    "include_vm_resource_groups": NOT_VMS,
    "include_vmss_resource_groups": NOT_VMS,
    "include_arc_resource_groups": NOT_VMS,
    "include_hcivm_resource_groups": NOT_VMS,
    "hostnames": "host names come from hostname_format (a Python format string of {name}, {resource_group}, "
                 "{subscription_id} and {location}), not from Jinja expressions, so that each is a function of its own account",
    "default_host_filters": "there are no default host filters here (azure_rm's leave out stopped machines): "
                            "put conditions in exclude_host_filters",
    "batch_fetch": "each listing is one request per page of accounts: there is nothing to batch",
    "fail_on_template_errors": "template errors follow strict (compose, groups, keyed_groups, host filters) and listing "
                               "errors follow fail_on_list_errors",
    "use_contrib_script_compatible_sanitization": "group names are made safe by ansible-core's own rules",
    "cert_validation_mode": "use validate_certs",
    "adfs_authority_url": NOT_THIS_CREDENTIAL_PATH,
    "api_profile": "this plugin speaks one api_version of one resource type",
    "log_path": NOT_THIS_CREDENTIAL_PATH,
    "log_mode": NOT_THIS_CREDENTIAL_PATH,
    "x509_certificate_path": NOT_THIS_CREDENTIAL_PATH,
    "thumbprint": NOT_THIS_CREDENTIAL_PATH,
    "disable_instance_discovery": NOT_THIS_CREDENTIAL_PATH,
}
# azure_rm's names for options of Constructable: the same meaning, so both spellings are accepted (not both at once).
AZURE_RM_ALIASES = {"conditional_groups": "groups", "hostvar_expressions": "compose"}


def secret_values(config):
    """Every string under the secret options of ``config``, at any depth: masked in every message, whatever its type."""
    found = []

    def walk(value):
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(key)
                walk(item)
        elif isinstance(value, (list, tuple, set, frozenset)):
            for item in value:
                walk(item)
    for name in SECRET_OPTIONS:
        walk(config.get(name))
    return found


def _unknown_key_problem(key, known):
    if key in AZURE_RM_ONLY:
        return "%s is an option of azure.azcollection.azure_rm that this plugin does not take: %s" % (key, AZURE_RM_ONLY[key])
    close = difflib.get_close_matches(str(key), sorted(known), n=1)
    return "%s is not an option of this plugin%s" % (key, " (did you mean %s?)" % close[0] if close else "")


def _boolean_problem(key, value):
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str) and value.strip().lower() in BOOLEAN_WORDS:
        return None
    if isinstance(value, (int, float)) and value in (0, 1):
        return None
    shown = ascii(value) if isinstance(value, (str, int, float)) else kind(value)
    return "%s must be a boolean (true or false), got %s" % (key, shown)


def _secret_problem(key, value):
    """Only what can never be a secret is refused here: the value itself is never shown (vaulted values pass)."""
    if isinstance(value, (bool, list, tuple, dict, set, frozenset)):
        return "%s must be a string, got %s (the value is not shown)" % (key, kind(value))
    return None


def _alias_problem(config):
    problems = []
    for alias, option in sorted(AZURE_RM_ALIASES.items()):
        if config.get(alias) is not None and config.get(option) is not None:
            problems.append("give %s or %s (azure_rm's name for it), not both" % (option, alias))
    return problems


def source_problems(config, definitions):
    """The messages for the mistakes in ``config`` (the source file's mapping), given the plugin's option
    ``definitions`` (name -> definition with ``type``); empty when there are none. Never shows a secret."""
    problems = [_unknown_key_problem(key, definitions) for key in config if key not in definitions]
    for key, value in config.items():
        definition = definitions.get(key) or {}
        if definition.get("type") in BOOL_TYPES:
            problems.append(_boolean_problem(key, value))
        if key in SECRET_OPTIONS:
            problems.append(_secret_problem(key, value))
    return [problem for problem in problems if problem] + _alias_problem(config)


def merged_alias(option_value, alias_value):
    """The value of a Constructable option (``groups``, ``compose``) given under either name (never both: see
    ``source_problems``); the option's default is empty."""
    return option_value or alias_value or {}
