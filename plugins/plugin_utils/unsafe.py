# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Azure's data reaches Ansible as text that is never rendered as a template, on every supported ansible-core; the
plugin's own templates are rendered on every one.

Before ansible-core 2.19 any string that is not marked unsafe is rendered as a Jinja template when a variable is
used, so a tag value like ``{{ lookup('pipe', ...) }}`` would run on the controller. From 2.19 on, data that does
not come from a trusted file is never rendered, and ``wrap_var`` only drops a trust mark it does not have; a template
the plugin means (``{{ ansible_playbook_python }}``) must be marked trusted there.

Host names need no mark: ``host_names.escape`` leaves neither ``{``, ``}`` nor ``:`` in them, so no Jinja delimiter
and no ``#jinja2:`` override header can occur (ansible-core renders with the default delimiters only).
"""

from __future__ import annotations

from ansible.utils.unsafe_proxy import wrap_var

try:
    from ansible.template import trust_as_template  # ansible-core 2.19+: only trusted text is a template
except ImportError:  # before 2.19 every plain string is one
    def trust_as_template(text):
        return text


def make_unsafe(value):
    """``value`` with every string in it (dictionary keys included, at any depth) marked unsafe."""
    return wrap_var(value)


def plugin_template(text):
    """A template the plugin itself writes (never Azure's data), rendered when the variable is used, on every core."""
    return trust_as_template(text)
