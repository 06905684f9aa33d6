# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Our messages for arguments of the wrong shape, before Ansible's: a dictionary option (or entry) given something
else, a string option given a list, a dictionary or a boolean. Each names the option as the caller knows it and the keys
it takes. Used by every module (``base``) and, once per run on the controller, for the fleet module's declared entries
(``fleet_entries``): no AnsibleModule here.
"""

from __future__ import annotations

from ansible.module_utils.common.validation import check_type_dict

from ansible_collections.azureml.model_management.plugins.module_utils.account_model import check_string_option
from ansible_collections.azureml.model_management.plugins.module_utils.text import kind, shown

# How the caller names a module's options, for its messages (``accounts[3]`` → ``accounts_list[3]``): plumbing between
# the collection's action plugin (which reads the role's map) and a module that asks for it (``base``'s
# ``caller_names=True``), sent with the arguments and taken out of them before Ansible validates them. It is no option
# of the module, so ansible-doc does not show it.
CALLER_NAMES_KEY = "_azureml_option_names"


def _dictionary(value):
    """True when Ansible can read ``value`` as a dictionary (a dict, JSON text of one, or key=value text)."""
    if isinstance(value, dict):
        return True
    try:
        check_type_dict(value)
    except (TypeError, ValueError):
        return False
    return True


def with_keys(rules):
    keys = list(rules.get("options") or {})
    if len(keys) < 2:
        return " with %s" % keys[0] if keys else ""
    return " with %s and %s" % (", ".join(keys[:-1]), keys[-1])


def dict_shape_problems(spec, raw, names=None, prefix=""):
    """Messages for ``type: dict`` options and ``elements: dict`` entries given a value that is no dictionary, naming the
    option (and the entry: ``accounts[0]``, or the caller's ``names`` for top-level options) and the keys it takes."""
    problems = []
    for option, rules in spec.items():
        value = next((raw[key] for key in [option] + list(rules.get("aliases") or []) if key in raw), None)
        label = prefix + option if prefix else (names or {}).get(option, option)
        if value is None:
            continue
        if rules.get("type") == "dict" and not _dictionary(value):
            problems.append("%s must be a dictionary%s; got %s" % (label, with_keys(rules), kind_shown(value, prefix)))
        elif rules.get("type") == "dict" and isinstance(value, dict) and rules.get("options"):
            problems.extend(dict_shape_problems(rules["options"], value, prefix=label + "."))
        elif rules.get("type") == "list" and rules.get("elements") == "dict" and isinstance(value, list):
            for index, item in enumerate(value):
                entry = "%s[%d]" % (label, index)
                if not _dictionary(item):
                    problems.append("%s: must be a dictionary%s; got %s" % (entry, with_keys(rules), kind_shown(item, entry)))
                elif isinstance(item, dict) and rules.get("options"):
                    problems.extend(dict_shape_problems(rules["options"], item, prefix=entry + "."))
    return problems


def kind_shown(value, within):
    """What a value is; text within an entry is shown too (short), so that the entry can be found."""
    if isinstance(value, str) and within:
        return "a string (%s)" % shown(value)
    return "a string" if isinstance(value, str) else kind(value)


def string_option_problems(spec, raw, prefix=""):
    """Messages for the ``type: str``/``path`` options (suboptions and ``elements: str`` entries too) given a list, dict or boolean."""
    problems = []
    for option, rules in spec.items():
        value = next((raw[key] for key in [option] + list(rules.get("aliases") or []) if key in raw), None)
        kind = rules.get("type", "str")
        if kind in ("str", "path"):
            problems.append(check_string_option(value, prefix + option))
        elif kind == "list" and rules.get("elements") == "str" and isinstance(value, list):
            problems.extend(check_string_option(item, "each entry of %s%s" % (prefix, option)) for item in value)
        elif kind == "dict" and rules.get("options") and isinstance(value, dict):
            problems.extend(string_option_problems(rules["options"], value, prefix + option + "."))
    return [problem for problem in problems if problem]
