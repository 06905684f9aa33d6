# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The module wrapper: shared options, checks that need no network, and a lazily built ``ArmClient``.

Modules never deal with clouds or credentials: they read ``.subscription_id`` and call ``.client``.
"""

from __future__ import annotations

import os
import re

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.azureml.model_management.plugins.module_utils.arm import HAS_REQUESTS, REQUESTS_IMPORT_ERROR, ArmClient, ArmError
from ansible_collections.azureml.model_management.plugins.module_utils.auth import (
    AUTH_SOURCES,
    CREDENTIALS_PATH,
    AuthError,
    TokenProvider,
    azure_identity_import_error,
    build_credential,
    resolve_cloud,
    select_source,
    setting,
)

DEFAULT_API_VERSION = "2017-09-01-preview"
GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
ENV_SECRETS = ("AZURE_SECRET", "AZURE_CLIENT_SECRET", "AZURE_PASSWORD")

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
)


def subscription_problem(subscription_id):
    """None when ``subscription_id`` is usable, else the message to fail with."""
    if not subscription_id:
        return ("subscription_id is not set: give the subscription_id option, set AZURE_SUBSCRIPTION_ID, "
                "or add subscription_id to the profile in %s" % CREDENTIALS_PATH)
    if not GUID_RE.match(subscription_id):
        return "subscription_id must be a GUID like 00000000-0000-0000-0000-000000000000, got %r" % subscription_id
    return None


def read_credentials_file(path=CREDENTIALS_PATH):
    """The text of ~/.azure/credentials, or None when it does not exist."""
    path = os.path.expanduser(path)
    if not os.path.exists(path):
        return None
    try:
        with open(path) as handle:
            return handle.read()
    except (IOError, OSError) as exc:
        raise AuthError("InvalidCredentialFile", "cannot read %s: %s" % (path, exc.strerror or exc))


class AzureMLModule(object):
    """AnsibleModule + the shared options + an ``ArmClient`` built on first use of ``.client``."""

    def __init__(self, argument_spec, **ansible_module_kwargs):
        spec = dict(AUTH_ARGUMENT_SPEC)
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, **ansible_module_kwargs)
        if not HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        self.params = self.module.params
        self._client = None
        self.source, self._source_error = self._select_source(dict(os.environ))
        if self.params["timeout"] <= 0:
            self.fail("timeout must be a positive number of seconds, got %s" % self.params["timeout"])
        self.subscription_id = self._subscription_id(dict(os.environ))

    @property
    def check_mode(self):
        return self.module.check_mode

    @property
    def diff_mode(self):
        return self.module._diff

    @property
    def credential_origin(self):
        """Where the credentials come from (e.g. "service principal from environment (AWX names)"), never their values."""
        return self.source.describe() if self.source else None

    def _select_source(self, env):
        # Secrets read from the environment or the profile file are masked in every result, whichever source wins.
        self.module.no_log_values.update(env[name] for name in ENV_SECRETS if env.get(name))
        try:
            source = select_source(self.params, env, read_credentials_file())
        except AuthError as err:
            return None, err
        self.module.no_log_values.update(source.secrets)
        return source, None

    def _subscription_id(self, env):
        value = self.source.subscription_id if self.source else setting("subscription_id", self.params, env)
        value = (value or "").strip()
        problem = subscription_problem(value)
        if problem and not value and self._source_error:
            problem = "%s; and %s" % (problem, self._source_error)
        if problem:
            self.fail(problem)
        return value

    @property
    def client(self):
        if self._client is None:
            try:
                self._client = self._build_client()
            except AuthError as err:
                self._fail_with(err)
        return self._client

    def _build_client(self):
        if self._source_error:
            raise self._source_error
        missing = azure_identity_import_error()
        if missing:
            self.fail(missing_required_lib("azure-identity"), exception=missing)
        source, verify, timeout = self.source, self.params["validate_certs"], self.params["timeout"]
        cloud = resolve_cloud(source.cloud_environment, verify=verify, timeout=timeout)
        tokens = TokenProvider(lambda: build_credential(source, cloud, verify), cloud.scope, source.describe(), source.secrets)
        return ArmClient(cloud.resource_manager, tokens, self.params["api_version"], timeout=timeout, verify=verify)

    def fail(self, msg, **kwargs):
        self.module.fail_json(msg=msg, **kwargs)

    def exit(self, **result):
        self.module.exit_json(**result)

    def _fail_with(self, err):
        extra = {}
        if self.source and (isinstance(err, AuthError) or getattr(err, "status", None) in (401, 403)):
            extra["credential_source"] = self.credential_origin
        self.fail(str(err), error=err.to_dict(), **extra)

    def run(self, fn):
        """Call ``fn()``; an ArmError or AuthError becomes ``fail_json(msg=str(err), error=err.to_dict())``."""
        try:
            return fn()
        except (ArmError, AuthError) as err:
            self._fail_with(err)
