# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Bearer tokens: an azure-identity credential for a ``credentials.CredentialSource`` in a ``cloud.CloudEndpoints``,
and ``TokenProvider``, which hands one token to every request of a task and renews it when it expires or is refused.

``azure.identity`` (with azure-core, msal and cryptography) is imported only when a token must be fetched: not by a
module that fails on its own options, nor by a task whose token is in the warm cache (``cached_token``).
azure-identity's messages are redacted again (no secret value) before they become an ``AuthError``.
"""

from __future__ import annotations

import json
import re
import threading
import time
import traceback
import warnings

from ansible.module_utils.common.warnings import warn as module_warning

from ansible_collections.azureml.model_management.plugins.module_utils.credentials import (
    CLI,
    MANAGED_IDENTITY,
    SERVICE_PRINCIPAL,
    USER,
    WORKLOAD_IDENTITY,
)
from ansible_collections.azureml.model_management.plugins.module_utils.errors import AuthError
from ansible_collections.azureml.model_management.plugins.module_utils.libraries import missing_libraries_message, requirement_of
from ansible_collections.azureml.model_management.plugins.module_utils.token_cache import (
    CACHE_OFF,
    NO_ENCRYPTED_STORE,
    discard_damaged_cache,
    is_damaged_cache_error,
    persistent_cache_options,
)

AZURE_CLI_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"  # the Azure CLI's public client, for ad_user/password
TOKEN_EXPIRY_MARGIN = 60  # seconds: fetch a new token when the cached one expires sooner than this

# Credentials whose tokens azure-identity can persist (app-only tokens); the others keep a per-task token:
# a managed identity's endpoint is local and cheap, the Azure CLI has its own cache, and a user token needs an account record.
CACHEABLE_KINDS = (SERVICE_PRINCIPAL, WORKLOAD_IDENTITY)


def azure_identity_import_error():
    """None when azure-identity can be imported, else the traceback (for missing_required_lib)."""
    try:
        import azure.identity  # noqa: F401  pylint: disable=unused-import
    except ImportError:
        return traceback.format_exc()
    return None


def build_credential(source, cloud, verify=True, cache=CACHE_OFF):
    """A fresh azure-identity credential for ``source`` in ``cloud``; with ``cache`` on, one that reuses tokens across tasks."""
    from azure import identity

    transport = {} if verify else dict(connection_verify=False)
    aad = dict(transport, authority=cloud.authority)
    if cache.enabled and source.kind in CACHEABLE_KINDS:
        aad.update(persistent_cache_options(cache, verify))
    msal = dict(aad, disable_instance_discovery=True) if cloud.custom else aad
    values = source.values
    if source.kind == SERVICE_PRINCIPAL:
        return identity.ClientSecretCredential(values["tenant"], values["client_id"], values["secret"], **msal)
    if source.kind == USER:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # no MFA support: documented, not worth a stderr line per task
            return identity.UsernamePasswordCredential(values.get("client_id") or AZURE_CLI_CLIENT_ID, values["ad_user"], values["password"],
                                                       tenant_id=values.get("tenant") or "organizations", **msal)
    if source.kind == WORKLOAD_IDENTITY:
        return identity.WorkloadIdentityCredential(tenant_id=values["tenant"], client_id=values["client_id"],
                                                   token_file_path=values["token_file"], **aad)
    if source.kind == MANAGED_IDENTITY:
        if values.get("client_id"):
            transport["client_id"] = values["client_id"]
        return identity.ManagedIdentityCredential(**transport)
    if source.kind == CLI:
        return identity.AzureCliCredential(tenant_id=values.get("tenant") or "")
    raise ValueError("unknown credential kind %r" % (source.kind,))


def _azure_errors():
    try:
        from azure.core.exceptions import AzureError, ClientAuthenticationError
    except ImportError:
        return (), ()
    return ClientAuthenticationError, AzureError


def redact(text, secrets):
    """``text`` on one line, without any of ``secrets``."""
    text = re.sub(r"\s+", " ", str(text or "")).strip()
    for secret in secrets:
        if secret:
            text = text.replace(secret, "********")
    return text


def fresher_than(now):
    """A claims challenge for a token issued after ``now``: Resource Manager's own way (CAE) of refusing an older one.

    It makes msal skip its cache, which is how a revoked token kept in the persistent cache gets replaced.
    """
    return json.dumps({"access_token": {"nbf": {"essential": True, "value": str(int(now))}}})


class _DamagedCache(Exception):
    """Internal: the persistent token cache could not be read (``TokenProvider`` handles it; it never leaves this file)."""


class TokenProvider(object):
    """Bearer tokens for one scope. ``factory()`` makes a credential; ``refresh()`` makes a new one to bypass its cache.

    With ``cache`` on, the credential keeps its tokens in azure-identity's persistent cache, so ``refresh()`` also asks
    for a token newer than now: a token that Resource Manager refused is replaced in that cache, not read back from it.
    A cache that cannot be read (cut short by an interrupted write) is a miss: removed, ``warn``-ed about naming the
    file, and a new token is requested, which writes a good cache. ``warn`` defaults to Ansible's module warnings.
    ``cached(now)``, when given, is tried once before any credential is made: a ``(token, expires_on)`` found in that
    cache without azure-identity (``cached_token``), or None.
    """

    def __init__(self, factory, scope, description="credentials", secrets=(), clock=time.time, cache=CACHE_OFF, warn=None, cached=None):
        self.factory = factory
        self.scope = scope
        self.description = description
        self.secrets = tuple(secrets)
        self._clock = clock
        self._cache = cache
        self._credential = None
        self._token = None
        self._expires_on = 0
        self._lock = threading.Lock()
        self._warn = warn or module_warning
        self._cached = cached

    def get_token(self):
        with self._lock:  # one token for every worker of a fleet run: fetched once, not once per thread
            if self._token is None and self._cached is not None:
                found, self._cached = self._cached(self._clock()), None
                if found:
                    self._token, self._expires_on = found
            if self._token is None or self._expires_on - TOKEN_EXPIRY_MARGIN <= self._clock():
                self._fetch(new_credential=False)
            return self._token

    def refresh(self, rejected=None):
        """A new token; ``rejected`` (the token a 401 refused) avoids a second refresh when another worker already did one."""
        with self._lock:
            if rejected is None or rejected == self._token:
                self._fetch(new_credential=True)
            return self._token

    def _fetch(self, new_credential):
        read_since = time.time()  # wall clock, to compare with the cache file's mtime
        try:
            self._get(new_credential)
        except _DamagedCache as damaged:
            files = ", ".join(self._cache.token_cache_files)
            removed = discard_damaged_cache(self._cache, read_since)
            if removed:
                self._warn("token_cache: the token cache %s could not be read (%s: a write that was interrupted leaves a file cut "
                           "short), so it was removed and a new token requested" % (", ".join(removed), damaged))
            else:
                self._warn("token_cache: the token cache (%s) could not be read (%s) and was rewritten meanwhile by another task, so "
                           "it was not removed; reading it again" % (files, damaged))
            try:
                self._get(True)
            except _DamagedCache as again:
                raise AuthError("TokenCacheDamaged", "token_cache: the token cache (%s) still cannot be read (%s) after a new attempt; "
                                                     "delete it, or set token_cache: disabled" % (files, again)) from None

    def _get(self, new_credential):
        auth_failed, azure_error = _azure_errors()
        options = dict(claims=fresher_than(self._clock())) if new_credential and self._cache.enabled else {}
        try:
            if new_credential or self._credential is None:
                self._credential = self.factory()
            access = self._credential.get_token(self.scope, **options)
        except ImportError as exc:  # installed (libraries.missing_requirements found it) but broken, e.g. msal missing
            raise AuthError("MissingLibrary", missing_libraries_message([requirement_of("azure.identity")],
                                                                        detail="%s: %s" % (type(exc).__name__, exc))) from None
        except auth_failed as exc:
            self._check_cache(exc)
            raise self._error("AuthenticationFailed", "authentication failed", getattr(exc, "message", None) or exc) from None
        except azure_error as exc:
            raise self._error("AuthenticationFailed", "cannot get a token", "%s: %s" % (type(exc).__name__, exc)) from None
        except ValueError as exc:
            self._check_cache(exc)
            raise self._error("InvalidCredentials", "invalid credentials", exc) from None
        self._token, self._expires_on = access.token, access.expires_on

    def _check_cache(self, exc):
        """Raise _DamagedCache (naming only the kind of error: the message could quote the file) when the cache is the cause."""
        if self._cache.enabled and is_damaged_cache_error(exc):
            cause = exc
            while not isinstance(cause, ValueError):
                cause = cause.__cause__ or cause.__context__
            raise _DamagedCache(type(cause).__name__) from None

    def _error(self, code, what, detail):
        if self._cache.mode == "encrypted" and "encryption is impossible" in str(detail).lower():
            return AuthError("TokenCacheUnavailable", NO_ENCRYPTED_STORE)
        detail = re.sub(r"^(authentication failed:\s*)", "", redact(detail, self.secrets), flags=re.IGNORECASE)
        return AuthError(code, "%s (%s): %s" % (what, self.description, detail))
