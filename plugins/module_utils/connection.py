# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""From options and environment to a ready ``ArmClient``: the one credential path of modules and plugins.

``Connection`` holds the steps in their one order (source, secrets, subscription, client): ``base.AzureMLModule``
and the inventory plugin both use it, so they resolve the same sources, against the same cloud, with the same client.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from ansible_collections.azureml.model_management.plugins.module_utils.arm import ArmClient
from ansible_collections.azureml.model_management.plugins.module_utils.cached_token import TokenQuery, cached_token
from ansible_collections.azureml.model_management.plugins.module_utils.cloud import MetadataCache, resolve_cloud
from ansible_collections.azureml.model_management.plugins.module_utils.credentials import CREDENTIALS_PATH, select_source, setting
from ansible_collections.azureml.model_management.plugins.module_utils.option_rules import GUID_RE, number_problem
from ansible_collections.azureml.model_management.plugins.module_utils.errors import AuthError
from ansible_collections.azureml.model_management.plugins.module_utils.token_cache import CACHE_OFF, CACHEABLE_KINDS, cache_settings, prepare_cache_dir
from ansible_collections.azureml.model_management.plugins.module_utils.tokens import TokenProvider

DEFAULT_API_VERSION = "2017-09-01-preview"
# (low, high, unit) of the per-request timeout: Resource Manager answers or gives up (504) within about 60 s, so
# ten minutes is already generous; far larger values only crash the transport ("timestamp too large to convert").
TIMEOUT_RANGE = (1, 600, "seconds")
INSECURE_WARNING = ("validate_certs is false: the TLS certificates of Resource Manager and of the identity endpoints are not"
                    " verified, so anyone on the network path can impersonate them and receive the bearer token and the"
                    " credentials this task sends. Keep it true and set REQUESTS_CA_BUNDLE to trust a private CA.")
ENV_SECRETS = ("AZURE_SECRET", "AZURE_CLIENT_SECRET", "AZURE_PASSWORD")


def subscription_problem(subscription_id):
    """None when ``subscription_id`` is usable, else the message to fail with."""
    if not subscription_id:
        return ("subscription_id is not set: give the subscription_id option, set AZURE_SUBSCRIPTION_ID, "
                "or add subscription_id to the profile in %s" % CREDENTIALS_PATH)
    if not GUID_RE.fullmatch(subscription_id):
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


def environment_secrets(env):
    """Secret values present in the environment: to be masked in every output, whichever source wins."""
    return [env[name] for name in ENV_SECRETS if env.get(name)]


def find_source(params, env):
    """``(CredentialSource or None, AuthError or None)``: the error is kept so it is raised only when a client is needed."""
    try:
        return select_source(params, env, read_credentials_file()), None
    except AuthError as err:
        return None, err


def default_subscription(source, params, env):
    """The subscription of the selected source, else the option / environment (not yet validated)."""
    value = source.subscription_id if source else setting("subscription_id", params, env)
    return (value or "").strip()


class Connection(object):
    """The credentials of ``params`` and ``env`` resolved once, in the one order modules and the inventory plugin share.

    A source that cannot be found is kept in ``error`` and raised only when a client is needed: a missing subscription
    then names both problems at once, and a task that needs no client still runs.
    """

    def __init__(self, params, env):
        self.params = params
        self.env = env
        self.source, self.error = find_source(params, env)

    @property
    def secrets(self):
        """Every secret value in play, to be masked whichever source wins: the options', the environment's, the source's."""
        found = [self.params.get("secret"), self.params.get("password")] + environment_secrets(self.env)
        found += list(self.source.secrets if self.source else ())
        return [value for value in found if value]

    def describe(self):
        """Where the credentials come from (e.g. "service principal from environment (AWX names)"), never their values."""
        return self.source.describe() if self.source else None

    def default_subscription(self):
        """The subscription of the source, else of the option / environment (not yet validated)."""
        return default_subscription(self.source, self.params, self.env)

    def subscription_problem(self, subscription_id):
        """As ``subscription_problem``; a missing subscription also names why no source was found (often the same cause)."""
        problem = subscription_problem(subscription_id)
        if problem and not subscription_id and self.error is not None:
            problem = "%s; and %s" % (problem, self.error)
        return problem

    def subscription_id(self):
        """The default subscription, validated: an ``AuthError`` carries the message to fail with."""
        value = self.default_subscription()
        problem = self.subscription_problem(value)
        if problem:
            raise AuthError("InvalidSubscription", problem)
        return value

    def client(self, warn=None, gate=None, pool_size=None):
        """A new ``ArmClient`` (see ``build_client``), or the source's deferred ``AuthError``."""
        if self.error is not None:
            raise self.error
        return build_client(self.source, self.params, env=self.env, warn=warn, gate=gate, pool_size=pool_size)


def ca_bundle_problem(env):
    """Why the CA bundle that requests would use cannot be read, or None (a missing file is a clear error, not a traceback)."""
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        path = env.get(name)
        if path:
            if not os.path.exists(path):
                return "%s names %s, which does not exist: point it at a PEM file of trusted CAs, or unset it" % (name, path)
            return None  # requests uses the first one that is set
    return None


def pooled_session(pool_size):
    """A ``requests.Session`` keeping up to ``pool_size`` connections to Resource Manager open (one per fleet worker)."""
    import requests
    from requests.adapters import HTTPAdapter

    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=1, pool_maxsize=pool_size)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def credential_factory(source, cloud, verify, cache):
    """``factory()`` for TokenProvider: an azure-identity credential (``token_fetch.build_credential``), imported when called."""
    def factory():
        from ansible_collections.azureml.model_management.plugins.module_utils.token_fetch import build_credential

        return build_credential(source, cloud, verify, cache)
    return factory


def cached_token_reader(source, cloud, cache):
    """``cached(now)`` for TokenProvider: the token of ``source`` from azure-identity's unencrypted cache file, read without
    azure-identity; None when there is no such file to read (cache off, or kept encrypted by the system's store)."""
    if cache.mode != "allow_unencrypted" or source.kind not in CACHEABLE_KINDS:
        return None
    query = TokenQuery(source.values["client_id"], source.values["tenant"], (urlsplit(cloud.authority).hostname or "").lower(), cloud.scope)
    path = cache.token_cache_files[0]  # ".nocae": the tokens of a request that does not ask for CAE, as ours never does
    return lambda now: cached_token(path, query, now)


def build_client(source, params, env=None, warn=None, gate=None, pool_size=None):
    """An ``ArmClient`` for ``source`` on its cloud. ``params`` supplies api_version, validate_certs, timeout and token_cache.

    With token_cache on (option or environment), the cloud metadata and the tokens are reused across tasks.
    ``warn`` shows a warning (a damaged token cache): Ansible's module warnings by default; a controller plugin passes
    its display's, which ansible-core before 2.19 would not otherwise show. A fleet run passes its ``gate``
    (``fleet_gate.PacingGate``) and a ``pool_size`` (its number of workers).
    """
    verify, timeout = params.get("validate_certs", True), params.get("timeout")
    timeout = 30 if timeout is None else timeout
    problem = number_problem(timeout, "timeout", TIMEOUT_RANGE)
    if problem:
        raise AuthError("InvalidOption", problem)
    timeout = int(timeout)
    env = os.environ if env is None else env
    problem = ca_bundle_problem(env) if verify else None
    if problem:
        raise AuthError("InvalidCABundle", problem)
    cache = cache_settings(params, env)
    if cache.enabled:
        prepare_cache_dir(cache.directory)
    cloud = resolve_cloud(source.cloud_environment, verify=verify, timeout=timeout,
                          cache=MetadataCache(cache.directory) if cache.enabled else None)
    token_cache = cache if source.kind in CACHEABLE_KINDS else CACHE_OFF
    tokens = TokenProvider(credential_factory(source, cloud, verify, token_cache), cloud.scope, source.describe(), source.secrets,
                           cache=token_cache, warn=warn, cached=cached_token_reader(source, cloud, token_cache))
    session = pooled_session(pool_size) if pool_size else None
    return ArmClient(cloud.resource_manager, tokens, params.get("api_version") or DEFAULT_API_VERSION,
                     timeout=timeout, verify=verify, gate=gate, session=session)
