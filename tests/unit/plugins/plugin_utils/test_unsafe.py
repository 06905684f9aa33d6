# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Azure's data marked unsafe, keys and values at any depth; the plugin's own template rendered on every core."""

from __future__ import annotations

from ansible.module_utils.ansible_release import __version__ as core_version
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

try:
    from ansible.template import trust_as_template  # 2.19+: the playbook's own template is trusted, the data is not
except ImportError:  # before 2.19 every template is trusted
    def trust_as_template(text):
        return text

from ansible_collections.azureml.model_management.plugins.plugin_utils.unsafe import make_unsafe, plugin_template

PAYLOAD = "{{ 7*7 }}"


def render(value):
    """What a playbook would print for a variable holding ``value``."""
    templar = Templar(loader=DataLoader(), variables={"value": value})
    return templar.template(trust_as_template("{{ value }}"))


def before_data_tagging():
    return tuple(int(part) for part in core_version.split(".")[:2]) < (2, 19)


def test_plain_text_is_rendered_before_2_19():
    """Why the plugin marks everything: before ansible-core 2.19 a plain string in a variable is a template."""
    assert (render(PAYLOAD) in ("49", 49)) is before_data_tagging()


def test_every_string_is_left_as_it_is():
    data = {"tags": {PAYLOAD: PAYLOAD, "list": [PAYLOAD]}, "sku": {"capacity": 2}, "description": None}
    wrapped = make_unsafe(data)
    assert wrapped == data  # the same text, only marked
    assert render(wrapped["tags"][PAYLOAD]) == PAYLOAD
    assert render(wrapped["tags"]["list"]) == [PAYLOAD] or render(wrapped["tags"]["list"]) == str([PAYLOAD])
    assert "49" not in str(render(wrapped))


def test_the_plugins_own_template_is_rendered_on_every_core():
    """ansible_python_interpreter: '{{ ansible_playbook_python }}' (issue 22 item 8) must render on 2.16 and 2.19+."""
    assert render(plugin_template(PAYLOAD)) in ("49", 49)
    assert render(make_unsafe(PAYLOAD)) == PAYLOAD
