# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests on every supported ansible-core (2.16+) and under ``ansible-test units``.

Before 2.19: a stand-in for ``ansible.module_utils.testing``.

The tests call a module's ``main()`` inside ``patch_module_args(args)``, which ansible-core added in 2.19 (from
then on, setting ``basic._ANSIBLE_ARGS`` alone fails with "No serialization profile was specified"). On older
cores the stand-in does what 2.19's helper does for them: it puts the JSON arguments into ``basic._ANSIBLE_ARGS``
for the duration of the ``with`` block. Tests import the real name either way.

Shared fakes: the classes and constants live in tests/unit/fakes.py, which the tests import by package path
(``from ansible_collections.azureml.model_management.tests.unit.fakes import SUB``), never from another test module.
The fixtures below give a test a fresh instance of the fakes it would otherwise build itself.
"""

from __future__ import annotations

import contextlib
import json
import sys
import types
from unittest import mock

import pytest

from ansible_collections.azureml.model_management.tests.unit.fakes import FakeClock, FakeCredential, FakeTokens

try:
    from ansible.module_utils import testing as _testing  # noqa: F401  pylint: disable=unused-import
except ImportError:  # ansible-core < 2.19
    from ansible.module_utils import basic as _basic

    @contextlib.contextmanager
    def patch_module_args(args=None):
        """Expose ``args`` to the AnsibleModule instances created within this context (ansible-core < 2.19)."""
        if not isinstance(args, (dict, type(None))):
            raise TypeError("The `args` arg must be a dict or None.")
        encoded = json.dumps({"ANSIBLE_MODULE_ARGS": args or {}}).encode()
        with mock.patch.object(_basic, "_ANSIBLE_ARGS", encoded):
            yield

    _standin = types.ModuleType("ansible.module_utils.testing", __doc__)
    _standin.patch_module_args = patch_module_args
    sys.modules["ansible.module_utils.testing"] = _standin


@pytest.fixture
def fake_clock():
    """A clock at 0.0 that moves only when someone sleeps: pass ``fake_clock`` as the clock, ``fake_clock.sleep`` as the sleep."""
    return FakeClock()


@pytest.fixture
def fake_tokens():
    """A token provider for an ArmClient: ``secret-token-1``, a new number on each refresh."""
    return FakeTokens()


@pytest.fixture
def fake_credential():
    """An azure-identity credential that hands out ``token-N``."""
    return FakeCredential()
