# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests on every supported ansible-core (2.16+) and under ``ansible-test units``.

Before 2.19: a stand-in for ``ansible.module_utils.testing``.

The tests call a module's ``main()`` inside ``patch_module_args(args)``, which ansible-core added in 2.19 (from
then on, setting ``basic._ANSIBLE_ARGS`` alone fails with "No serialization profile was specified"). On older
cores the stand-in does what 2.19's helper does for them: it puts the JSON arguments into ``basic._ANSIBLE_ARGS``
for the duration of the ``with`` block. Tests import the real name either way.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import types
from unittest import mock

# The tests mirror plugins/ (tests/unit/plugins/module_utils/test_arm.py tests plugins/module_utils/arm.py). Test
# modules share fakes by importing each other (``from test_arm import FakeSession``). Plain pytest puts a test's
# directory on sys.path itself; ``ansible-test units`` imports the tests by their package name and does not.
for _folder in ("plugins/module_utils", "plugins/modules", "plugins/inventory", "."):
    _path = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), _folder))
    if _path not in sys.path:
        sys.path.insert(0, _path)

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
