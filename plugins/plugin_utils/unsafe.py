# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Azure's data reaches Ansible as text that is never rendered as a template, on every supported ansible-core.

Before ansible-core 2.19 any string that is not marked unsafe is rendered as a Jinja template when a variable is
used, so a tag value like ``{{ lookup('pipe', ...) }}`` would run on the controller. From 2.19 on, data that does
not come from a trusted file is never rendered, and ``wrap_var`` only drops a trust mark it does not have.
"""

from __future__ import annotations

from ansible.utils.unsafe_proxy import wrap_var

# The characters every Jinja delimiter starts or ends with ({{ }}, {% %}, {# #}); ansible-core renders variables with
# the default delimiters only, so a string without them is never a template.
TEMPLATE_CHARACTERS = ("{", "}")


def make_unsafe(value):
    """``value`` with every string in it (dictionary keys included, at any depth) marked unsafe."""
    return wrap_var(value)


def unsafe_name(name):
    """A host or group name, marked unsafe when it could be a template.

    Names stay plain text otherwise: ``ansible-inventory --list`` before 2.19 prints an unsafe name in a group's host
    list as ``{"__ansible_unsafe": ...}``, which AWX's inventory import does not read as a name
    (community.general#8212). Host variables are all marked, as ansible-core 2.19+ prints them anyway.
    """
    if any(character in name for character in TEMPLATE_CHARACTERS):
        return wrap_var(name)
    return name
