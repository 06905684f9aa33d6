# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The options of one declared entry of the fleet module, and the check of their shape, once per run.

Each entry of ``accounts`` takes the ``account`` module's options (``ENTRY_OPTIONS``). Ansible's own validation of a
list of suboptions names the list (``found in accounts``), not the entry; and the role, which used to validate the
same suboptions in its argument spec, did it once per host (300 hosts × 300 entries: most of a per-host run). So the
fleet module's action plugin checks each entry's shape here, once, on the controller, before the module starts: a
message per entry that names it as the caller knows it (``accounts_list[3]: missing required arguments: name``). The
values (names, SKU ranges, tags) are the module's own checks (``fleet_plan.declared_entries``).
"""

from __future__ import annotations

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.azureml.model_management.plugins.module_utils.account_model import ACCOUNT_OPTIONS
from ansible_collections.azureml.model_management.plugins.module_utils.option_shapes import (
    dict_shape_problems,
    kind_shown,
    string_option_problems,
    with_keys,
)
from ansible_collections.azureml.model_management.plugins.module_utils.text import kind

# name and resource_group first: a wrong-type entry's message lists the keys in this order ("must be a dictionary with ...").
ENTRY_OPTIONS = dict(name=ACCOUNT_OPTIONS["name"], resource_group=dict(type="str"))
ENTRY_OPTIONS.update(ACCOUNT_OPTIONS, subscription_id=dict(type="str"), append_tags=dict(type="bool"))


def entry_shape_problems(raw_entries, names):
    """Messages for the entries of ``accounts`` that Ansible would refuse (not a dictionary, an unknown or missing
    option, a value of the wrong type, a choice not offered), each naming its entry, or for ``accounts`` itself when it
    is not a list; [] when none (``None``: not given)."""
    if raw_entries is None:
        return []
    if not isinstance(raw_entries, list):
        return ["%s must be a list of dictionaries (one per account), got %s"
                % (names("accounts"), "a string" if isinstance(raw_entries, str) else kind(raw_entries))]
    validator = ArgumentSpecValidator(ENTRY_OPTIONS)
    problems = []
    for index, raw in enumerate(raw_entries):
        label = names.entry("accounts", index)
        if not isinstance(raw, dict):  # the module's own words for it (option_shapes), as for any dictionary option
            problems.append("%s: must be a dictionary%s; got %s" % (label, with_keys(dict(options=ENTRY_OPTIONS)), kind_shown(raw, label)))
            continue
        shapes, rest = _shape_problems(raw, label)
        problems.extend(shapes)
        errors = list(dict.fromkeys(str(error) for error in validator.validate(rest).errors))
        # Ansible says some things twice ("dictionary requested" alone, then within "argument 'sku' is of type str ...")
        problems.extend("%s: %s" % (label, error) for error in errors if not any(error != other and error in other for other in errors))
    return problems


def _shape_problems(raw, label):
    """Our messages for the options of one entry that have the wrong shape (clearer than Ansible's "argument 'sku' is
    of type <class 'str'> ...", and the same on every core), and the entry without them for Ansible's own checks."""
    shapes, rest = [], dict(raw)
    for option in ENTRY_OPTIONS:
        if option in raw:
            found = dict_shape_problems({option: ENTRY_OPTIONS[option]}, {option: raw[option]}, prefix=label + ".")
            found += string_option_problems({option: ENTRY_OPTIONS[option]}, {option: raw[option]}, label + ".")
            if found:
                shapes.extend(found)
                del rest[option]
    return shapes, rest
