# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Inventory host names of accounts: a function of one account and the source's options, never of the others.

Pure: no Ansible, no I/O. The inventory plugin calls ``assign`` once per run with the accounts it keeps.

Three guarantees, each for its own reason:

- Every field a host name is built from passes Azure's own rule for that field (``field_problem``): a list answer is
  untrusted, and a location such as ``#jinja2:...`` would otherwise reach the host name.
- The default is unique by construction: ``@`` separates the parts, and no resource group name or subscription id
  can hold ``@``, so the text after the last ``@`` is always the last part.
- A host name never holds a character that Jinja or Ansible's host patterns read specially (``escape``): such
  characters are written ``%xx``, as in a URL. No Azure name, resource group, subscription id or region holds ``%``,
  so the escaped form stays unique, and ``name``, ``!name`` and ``&name`` select exactly that host.
"""

from __future__ import annotations

import re
import string

from ansible_collections.azureml.model_management.plugins.module_utils.account_model import check_name, check_resource_group
from ansible_collections.azureml.model_management.plugins.module_utils.text import is_control, LINE_SEPARATORS, shown

FIELDS = ("name", "resource_group", "subscription_id", "location")
SEPARATOR = "@"  # never in a resource group name (letters, digits, - _ . ( )) nor in a subscription id (a GUID)
ONE_SUBSCRIPTION_FORMAT = "{name}@{resource_group}"
SEVERAL_SUBSCRIPTIONS_FORMAT = "{name}@{resource_group}@{subscription_id}"
PLAIN_FORMAT = "{name}"
# Host names Ansible gives a meaning of its own: the implicit groups, and the names of the implicit localhost.
ANSIBLE_NAMES = ("all", "ungrouped", "localhost", "127.0.0.1", "::1")
# Azure's region names ("eastus2", "westeurope") once spaces are dropped and the case ignored, as Resource Manager does.
LOCATION_RE = re.compile(r"[a-z0-9]+")
# Characters a host pattern reads specially anywhere: ',' and ':' split patterns, whitespace splits and is stripped,
# '*' '?' '[' ']' are globs (and '[n]' a subscript); '{' '}' start and end Jinja's delimiters; '%' is the escape itself.
SPECIAL_ANYWHERE = frozenset(",:*?[]{}%")
# ... and at the start only: '!' excludes, '&' intersects, '~' starts a regular expression, '@' reads a --limit file.
SPECIAL_AT_START = frozenset("!&~@")


class HostNameCollision(ValueError):
    """Two accounts would get one host name: the message names the format, the host name and both account ids."""


def default_format(subscription_count, plain=False):
    """Account names are unique per resource group, and resource groups per subscription: the default includes both.
    ``plain`` (azure_rm's plain_host_names) is the account name alone, which may collide (an error, never a rename)."""
    if plain:
        return PLAIN_FORMAT
    return SEVERAL_SUBSCRIPTIONS_FORMAT if subscription_count > 1 else ONE_SUBSCRIPTION_FORMAT


def format_problem(hostname_format, option="hostname_format"):
    """None when ``hostname_format`` uses only the known fields (at least one), plainly, else the message to fail with.

    A conversion or format spec (``{name!r}``, ``{name:d}``, ``{name:>9}``) is refused here, naming the option, instead of
    failing later on the first account.
    """
    try:
        parsed = list(string.Formatter().parse(hostname_format))
    except ValueError as err:
        return "%s %r is not a valid format string: %s" % (option, hostname_format, err)
    fields = [field for _text, field, _spec, _conv in parsed if field is not None]
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown or not fields:
        return "%s %r may use only the fields %s" % (option, hostname_format, ", ".join("{%s}" % f for f in FIELDS))
    if any(spec or conversion for _text, field, spec, conversion in parsed if field is not None):
        return "%s %r may use the fields only as they are, without a conversion (!r) or format spec (:d)" % (option, hostname_format)
    return None


def normalized_location(location):
    """The region as Resource Manager compares it: no whitespace, lower case ("East US 2" is "eastus2")."""
    return "".join(location.split()).lower() if isinstance(location, str) else None


def field_problem(account):
    """Why ``account`` (the host variable) cannot be a host: the first field that breaks Azure's rule for it, else None.

    The name and resource group by the rules the modules apply to their options (which are Azure's, with the safe
    choice where Azure's are unknown: docs/decisions.md), the location as a region name. The subscription id is the
    one that was listed (checked as a GUID before any request), never the answer's.
    """
    for field, problem in (("name", check_name(account.get("name"), "its name")),
                           ("resource_group", check_resource_group(account.get("resource_group"), "its resource group"))):
        if problem:
            return "%s (%s)" % (problem, shown(account.get(field) or ""))
    location = normalized_location(account.get("location"))
    if not location or not LOCATION_RE.fullmatch(location):
        return "its location %s is not a region name (letters a-z and digits only, as Azure's are)" % shown(account.get("location") or "")
    return None


def _escaped(character):
    return "".join("%%%02x" % byte for byte in character.encode("utf-8"))


def _special(character, at_start):
    if at_start and character in SPECIAL_AT_START:
        return True
    return character in SPECIAL_ANYWHERE or character.isspace() or is_control(character) or character in LINE_SEPARATORS


def escape(name):
    """``name`` with every character Ansible's host patterns or Jinja read specially written as ``%xx`` (UTF-8, lower
    case hex): ``!bang@rg`` becomes ``%21bang@rg``, ``x,y@rg`` becomes ``x%2cy@rg``."""
    return "".join(_escaped(ch) if _special(ch, index == 0) else ch for index, ch in enumerate(name))


def host_name(account, hostname_format, reserved=()):
    """The host name of ``account`` (a dict with FIELDS whose ``field_problem`` is None), in lower case and escaped.

    Lower case: Azure ignores case in every field and returns the caller's latest spelling, so only the lower-case
    form is stable across runs. A name in ``reserved`` (lower case), or one of ANSIBLE_NAMES, is qualified with the
    account's resource group and subscription, so that ``hosts: localhost`` or ``all`` keep meaning what they mean.
    """
    values = dict((field, "" if account.get(field) is None else str(account[field])) for field in FIELDS)
    values["location"] = normalized_location(values["location"]) or ""
    name = hostname_format.format(**values).lower()
    if name in ANSIBLE_NAMES or name in reserved:
        name = SEPARATOR.join((name, values["resource_group"].lower(), values["subscription_id"].lower()))
    return escape(name)


def assign(accounts, hostname_format, reserved=()):
    """``[(host name, account)]`` for ``accounts``, in their order; raises HostNameCollision when two would share one."""
    reserved = frozenset(name.lower() for name in reserved)
    owners = {}
    named = []
    for account in accounts:
        name = host_name(account, hostname_format, reserved)
        other = owners.setdefault(name, account)
        if other is not account:
            raise HostNameCollision(
                "hostname_format %r gives the host name %r to two accounts: %s and %s. Add the fields that tell them "
                "apart ({resource_group}, {subscription_id}), as the default does" % (hostname_format, name, other.get("id"), account.get("id")))
        named.append((name, account))
    return named
