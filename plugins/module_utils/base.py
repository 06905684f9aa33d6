# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The module wrapper: shared options, checks that need no network, and a lazily built ``ArmClient``.

Modules never deal with clouds or credentials: they read ``.subscription_id`` and call ``.client``.
"""

from __future__ import annotations

import copy
import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.azureml.model_management.plugins.module_utils.arm import HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.azureml.model_management.plugins.module_utils.credentials import AUTH_SOURCES
from ansible_collections.azureml.model_management.plugins.module_utils.errors import AuthError, AzureMLError
from ansible_collections.azureml.model_management.plugins.module_utils.libraries import missing_libraries_message, missing_requirements
from ansible_collections.azureml.model_management.plugins.module_utils.option_shapes import (
    CALLER_NAMES_KEY,
    dict_shape_problems,
    string_option_problems,
)
from ansible_collections.azureml.model_management.plugins.module_utils.token_cache import TOKEN_CACHE_MODES
from ansible_collections.azureml.model_management.plugins.module_utils.connection import (
    DEFAULT_API_VERSION,
    INSECURE_WARNING,
    TIMEOUT_RANGE,
    Connection,
)
from ansible_collections.azureml.model_management.plugins.module_utils.option_rules import check_api_version, number_problem

AUTH_ARGUMENT_SPEC = dict(
    subscription_id=dict(type="str"),
    tenant=dict(type="str"),
    client_id=dict(type="str"),
    secret=dict(type="str", no_log=True),
    ad_user=dict(type="str"),
    password=dict(type="str", no_log=True),
    profile=dict(type="str"),
    auth_source=dict(type="str", choices=list(AUTH_SOURCES)),
    cloud_environment=dict(type="str"),
    api_version=dict(type="str", default=DEFAULT_API_VERSION),
    validate_certs=dict(type="bool", default=True),
    timeout=dict(type="int", default=30),
    token_cache=dict(type="str", choices=list(TOKEN_CACHE_MODES)),
    token_cache_dir=dict(type="path"),
)


# The allowed range of every ``type: int`` option of the shared spec: (low, high, unit). Modules add their own.
AUTH_INT_RANGES = {"timeout": TIMEOUT_RANGE}


class _RawArgsModule(AnsibleModule):
    """AnsibleModule that keeps the task's arguments as given, before ``type: str`` turns ``[eastus]`` into "['eastus']".

    ``_load_params`` is private: AnsibleModule.__init__ calls it (2.1 to 2.21) to read the arguments and converts them
    right after, and no public API gives the arguments as the task wrote them (``validation_result`` holds only the
    converted copy). Guarded by tests/unit/plugins/module_utils/test_base.py::test_raw_arguments_are_kept_before_ansible_converts_them,
    which runs on ansible-core 2.16, 2.19 and 2.21 in make test (and by test_input_validation.py's list/boolean cases
    on 2.16 and 2.21). If a release stops calling it, ``raw_params`` is missing and every module fails loudly.
    """

    def __init__(self, *args, **kwargs):
        self.shape_problems = []
        self._takes_caller_names = kwargs.pop("caller_names", False)
        self.caller_names = {}
        super(_RawArgsModule, self).__init__(*args, **kwargs)
        self.validated = True

    def _load_params(self):
        super(_RawArgsModule, self)._load_params()
        if self._takes_caller_names:  # taken out before Ansible validates the arguments: no option of the module
            names = self.params.pop(CALLER_NAMES_KEY, None)
            self.caller_names = names if isinstance(names, dict) else {}
        self.raw_params = copy.deepcopy(self.params)
        self.shape_problems = dict_shape_problems(self.argument_spec, self.raw_params, self.caller_names)

    def fail_json(self, msg, **kwargs):  # pylint: disable=arguments-differ
        """While Ansible validates the arguments, a value that is no dictionary fails with our message (the option and the
        entry, as the caller names them) instead of Ansible's "dictionary requested, could not parse JSON or key=value"."""
        if self.shape_problems and not getattr(self, "validated", False):
            msg = "; ".join(self.shape_problems)
        super(_RawArgsModule, self).fail_json(msg=msg, **kwargs)


def number_option_problems(spec, raw, ranges, prefix="", kinds_only=False):
    """Messages for the ``type: int`` options (suboptions too) that are booleans or out of range, checked on the
    arguments as the task gave them; ``kinds_only``: booleans only. Every int option must have a range in ``ranges``
    (keyed ``sku.capacity`` for a suboption): a missing one raises ValueError, a programming error."""
    problems = []
    for option, rules in spec.items():
        name = prefix + option
        value = next((raw[key] for key in [option] + list(rules.get("aliases") or []) if key in raw), None)
        if rules.get("type") == "int":
            if name not in ranges:
                raise ValueError("the int option %s has no allowed range: add it to the module's int_ranges" % name)
            if value is not None and (not kinds_only or isinstance(value, bool)):
                problems.append(number_problem(value, name, ranges[name]))
        elif rules.get("type") == "dict" and rules.get("options"):
            sub = value if isinstance(value, dict) else {}
            problems.extend(number_option_problems(rules["options"], sub, ranges, name + ".", kinds_only))
    return [problem for problem in problems if problem]


class AzureMLModule(object):
    """AnsibleModule + the shared options + an ``ArmClient`` built on first use of ``.client``."""

    def __init__(self, argument_spec, int_ranges=None, **ansible_module_kwargs):
        """``int_ranges``: (low, high, unit) of each of the module's own ``type: int`` options (``sku.capacity`` for a
        suboption); every int option needs one, so that no number reaches the client unchecked.

        A value of the wrong kind (a list for a text option, a boolean for a number) and a shared option out of range
        fail here, before anything else. The module's own options out of range are left in ``option_problems``, for
        the module to report together with its other option checks. ``caller_names=True``: the module's messages name
        its options as the caller does (``CALLER_NAMES_KEY``, in ``self.module.caller_names``).
        """
        spec = dict(AUTH_ARGUMENT_SPEC)
        spec.update(argument_spec)
        ranges = dict(AUTH_INT_RANGES, **(int_ranges or {}))
        number_option_problems(spec, {}, ranges)  # a missing range is a programming error: raise before Ansible runs
        self.module = _RawArgsModule(argument_spec=spec, **ansible_module_kwargs)
        missing = missing_requirements(HAS_REQUESTS)  # every one at once, found without importing azure-identity
        if missing:
            traceback = {} if HAS_REQUESTS else dict(exception=REQUESTS_IMPORT_ERROR)
            self.module.fail_json(msg=missing_libraries_message(missing), **traceback)
        self.params = self.module.params
        self._check_connection_options(spec, ranges)
        self.option_problems = number_option_problems(argument_spec, self.module.raw_params, ranges)
        self._client = None
        self.client_options = {}  # extra Connection.client arguments (a fleet run's gate and pool size), set before .client
        self.connection = Connection(self.params, dict(os.environ))
        # Secrets read from the environment or the profile file are masked in every result, whichever source wins.
        self.module.no_log_values.update(self.connection.secrets)
        self.subscription_id = self._subscription_id()

    def _check_connection_options(self, spec, ranges):
        """Refuse what ``type: str`` would have converted, booleans for ``type: int``, the shared options out of range and
        a malformed api_version; warn when TLS is not verified."""
        problems = self.module.shape_problems + string_option_problems(spec, self.module.raw_params) + \
            number_option_problems(spec, self.module.raw_params, ranges, kinds_only=True) + \
            number_option_problems(AUTH_ARGUMENT_SPEC, self.module.raw_params, ranges)
        problems = list(dict.fromkeys(problems))
        if not problems and self.params.get("api_version") is not None:
            problems = [check_api_version(self.params["api_version"])]
        problems = [problem for problem in problems if problem]
        if problems:
            self.fail("; ".join(problems))
        if self.params.get("validate_certs") is False:
            self.module.warn(INSECURE_WARNING)

    @property
    def check_mode(self):
        return self.module.check_mode

    @property
    def diff_mode(self):
        return self.module._diff

    @property
    def credential_origin(self):
        """Where the credentials come from (e.g. "service principal from environment (AWX names)"), never their values."""
        return self.connection.describe()

    def _subscription_id(self):
        try:
            return self.connection.subscription_id()
        except AuthError as err:
            self.fail(str(err))

    @property
    def client(self):
        if self._client is None:
            try:
                self._client = self.connection.client(**self.client_options)
            except AuthError as err:
                self._fail_with(err)
        return self._client

    def fail(self, msg, **kwargs):
        self.module.fail_json(msg=msg, **kwargs)

    def exit(self, **result):
        self.module.exit_json(**result)

    def _fail_with(self, err):
        extra = {}
        if self.connection.source and (isinstance(err, AuthError) or getattr(err, "status", None) in (401, 403)):
            extra["credential_source"] = self.credential_origin
        # A failure after a write was sent may still have changed the resource (the service layer says so).
        self.fail(str(err), error=err.to_dict(), changed=err.changed, **extra)

    def run(self, fn):
        """Call ``fn()``; any ``AzureMLError`` becomes ``fail_json(msg=str(err), error=err.to_dict(), changed=err.changed)``."""
        try:
            return fn()
        except AzureMLError as err:
            self._fail_with(err)
