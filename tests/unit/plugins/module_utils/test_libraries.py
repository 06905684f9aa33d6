# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The libraries the modules need, found without importing them, and one message naming every one missing."""

from __future__ import annotations

import os
import sys

import pytest

from ansible_collections.azureml.model_management.plugins.module_utils import libraries

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))  # the collection root


def test_the_requirements_are_those_of_requirements_txt_and_the_readme():
    with open(os.path.join(ROOT, "requirements.txt"), encoding="utf-8") as handle:
        lines = [line.strip() for line in handle if line.strip() and not line.startswith("#")]
    assert [requirement for _module, requirement in libraries.REQUIREMENTS] == lines
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        readme = " ".join(handle.read().split())
    assert "pip install %s" % " ".join("'%s'" % line for line in lines) in readme


def test_found_without_being_imported(monkeypatch):
    monkeypatch.delitem(sys.modules, "json.tool", raising=False)
    assert libraries.is_installed("json.tool") and "json.tool" not in sys.modules
    assert not libraries.is_installed("no_such_package_here.sub") and not libraries.is_installed("json.no_such_module")


@pytest.mark.parametrize("has_requests, identity, expected", [
    (True, True, []),
    (False, True, ["requests>=2.28"]),
    (True, False, ["azure-identity>=1.15"]),
    (False, False, ["requests>=2.28", "azure-identity>=1.15"]),
])
def test_missing_requirements(has_requests, identity, expected):
    assert libraries.missing_requirements(has_requests, installed=lambda module: identity) == expected


def test_one_message_names_every_missing_library_and_the_command_for_that_python():
    message = libraries.missing_libraries_message(["requests>=2.28", "azure-identity>=1.15"], python="/opt/py 3/bin/python3", host="web1")
    assert message == ("Failed to import the required Python libraries (requests, azure-identity) on web1's Python /opt/py 3/bin/python3. "
                       "Install them into that Python: '/opt/py 3/bin/python3' -m pip install 'requests>=2.28' 'azure-identity>=1.15' "
                       "(or set ansible_python_interpreter to a Python that has them)")


def test_one_missing_library_with_why_it_failed():
    message = libraries.missing_libraries_message(["azure-identity>=1.15"], detail="ModuleNotFoundError: No module named 'msal'",
                                                  python="/usr/bin/python3", host="h")
    assert message.startswith("Failed to import the required Python library (azure-identity) on h's Python /usr/bin/python3 "
                              "(ModuleNotFoundError: No module named 'msal'). Install it into that Python: /usr/bin/python3 -m pip install "
                              "'azure-identity>=1.15' (or set")
