# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Python libraries the modules need on the host that runs them, and one message naming every one that is missing.

Found without importing them: a task whose token comes from the warm cache never imports azure-identity, and a
Python without requests or azure-identity hears about both at once, with the ``pip install`` line that fixes it,
instead of one per run.
"""

from __future__ import annotations

import importlib.util
import platform
import shlex
import sys

# (module to import, pip requirement): requirements.txt's lines, in its order (a unit test keeps them equal).
REQUIREMENTS = (
    ("requests", "requests>=2.28"),
    ("azure.identity", "azure-identity>=1.15"),
)


def pip_name(requirement):
    """``'azure-identity'`` for ``'azure-identity>=1.15'``."""
    return requirement.split(">")[0].split("=")[0].strip()


def is_installed(module):
    """True when ``module`` can be found on this Python's path; nothing of it is run (its parent package excepted)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def missing_requirements(has_requests, installed=is_installed):
    """The pip requirements of the libraries this Python lacks. ``has_requests``: whether arm.py could import requests."""
    missing = []
    for module, requirement in REQUIREMENTS:
        present = has_requests if module == "requests" else installed(module)
        if not present:
            missing.append(requirement)
    return missing


def missing_libraries_message(requirements, detail=None, python=None, host=None):
    """Ansible's missing-library sentence for every requirement at once, and the command that installs them there.

    ``detail`` says why an installed library could not be imported (a dependency of it missing, say).
    """
    python = python or sys.executable or "python3"
    command = " ".join(shlex.quote(word) for word in [python, "-m", "pip", "install"] + list(requirements))
    names = ", ".join(pip_name(requirement) for requirement in requirements)
    them = "them" if len(requirements) > 1 else "it"
    return ("Failed to import the required Python %s (%s) on %s's Python %s%s. Install %s into that Python: %s "
            "(or set ansible_python_interpreter to a Python that has %s)" % (
                "libraries" if len(requirements) > 1 else "library", names, host or platform.node(), python,
                " (%s)" % detail if detail else "", them, command, them))


def requirement_of(module):
    """The pip requirement that provides ``module`` (one of REQUIREMENTS)."""
    return dict(REQUIREMENTS)[module]
