# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A token from azure-identity: the credential for a ``credentials.CredentialSource`` in a ``cloud.CloudEndpoints``, its
persistent cache and the OpenID discovery documents it reads, what its errors mean, and a cache that cannot be read.

Imported only when a token must be fetched (``tokens.TokenProvider``): the one file of the collection that talks to
azure-identity, so a task whose token is in the warm cache compiles none of it (AnsiballZ ships every file a module may
import, but Python compiles only those imported: from source, on every task, twice by zipimport). azure-identity's
messages are redacted again (no secret value) before they become an ``AuthError``.
"""

from __future__ import annotations

import json
import os
import re
import time
import warnings

from ansible_collections.azureml.model_management.plugins.module_utils.arm import HAS_REQUESTS
from ansible_collections.azureml.model_management.plugins.module_utils.cloud import MetadataCache
from ansible_collections.azureml.model_management.plugins.module_utils.credentials import (
    CLI,
    MANAGED_IDENTITY,
    SERVICE_PRINCIPAL,
    USER,
    WORKLOAD_IDENTITY,
)
from ansible_collections.azureml.model_management.plugins.module_utils.errors import AuthError
from ansible_collections.azureml.model_management.plugins.module_utils.libraries import missing_libraries_message, requirement_of
from ansible_collections.azureml.model_management.plugins.module_utils.token_cache import CACHE_OFF, CACHEABLE_KINDS, TOKEN_CACHE_ENV

if HAS_REQUESTS:
    import requests

AZURE_CLI_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"  # the Azure CLI's public client, for ad_user/password


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


def persistent_cache_options(cache, verify=True):
    """Keyword arguments for a credential: azure-identity's persistent token cache, and OpenID discovery served from ``cache``.

    msal reads the tenant's OpenID configuration every time a credential starts, even with a cached token;
    the discovery cache is what lets a warm task send no identity request at all.
    """
    from azure.core.pipeline.transport import RequestsTransport
    from azure.identity import TokenCachePersistenceOptions

    session = requests.Session()
    session.mount("https://", discovery_adapter(MetadataCache(cache.directory)))
    options = TokenCachePersistenceOptions(name=cache.token_cache_name, allow_unencrypted_storage=cache.mode == "allow_unencrypted")
    transport = RequestsTransport(session=session, session_owner=True, connection_verify=verify)
    return dict(cache_persistence_options=options, transport=transport)


OPENID_SUFFIX = "/.well-known/openid-configuration"


def discovery_adapter(cache):
    """A requests adapter that answers GETs of OpenID discovery documents from ``cache`` and stores the ones it fetches."""
    import io
    import urllib3
    from requests.adapters import HTTPAdapter

    class DiscoveryCachingAdapter(HTTPAdapter):
        def send(self, request, *args, **kwargs):  # pylint: disable=signature-differs
            cacheable = request.method == "GET" and request.path_url.split("?", 1)[0].endswith(OPENID_SUFFIX)
            document = cache.get(request.url) if cacheable else None
            if document is not None:
                data = json.dumps(document).encode("utf-8")
                raw = urllib3.HTTPResponse(body=io.BytesIO(data), status=200, reason="OK", preload_content=False, decode_content=False,
                                           headers={"Content-Type": "application/json", "Content-Length": str(len(data))})
                return self.build_response(request, raw)
            response = super(DiscoveryCachingAdapter, self).send(request, *args, **kwargs)
            if cacheable and response.status_code == 200:
                try:
                    cache.put(request.url, response.json())
                except ValueError:
                    pass
            return response

    return DiscoveryCachingAdapter()


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
    """Internal: the persistent token cache could not be read (``TokenFetcher`` handles it; it never leaves this file)."""


class TokenFetcher(object):
    """Tokens for one scope from the credentials ``factory()`` makes (``build_credential``), for ``tokens.TokenProvider``.

    With ``cache`` on, the credential keeps its tokens in azure-identity's persistent cache, so a new credential also
    asks for a token newer than now: a token that Resource Manager refused is replaced in that cache, not read back
    from it. A cache that cannot be read (cut short by an interrupted write) is a miss: removed, ``warn``-ed about
    naming the file, and a new token is requested, which writes a good cache.
    """

    def __init__(self, settings):
        """``settings``: a ``tokens.TokenSettings`` (factory, scope, description, secrets, clock, cache, warn)."""
        self.factory, self.scope, self.description, self.secrets, self._clock, self._cache, self._warn = settings
        self._credential = None

    def fetch(self, new_credential):
        """``(token, expires_on)`` from the credential; ``new_credential`` makes a new one, asking for a token newer than now
        when the persistent cache is on."""
        read_since = time.time()  # wall clock, to compare with the cache file's mtime
        try:
            return self._get(new_credential)
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
                return self._get(True)
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
        return access.token, access.expires_on

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


NO_ENCRYPTED_STORE = (
    "token_cache encrypted: this system offers no encrypted store for tokens (on Linux: libsecret with an unlocked keyring, "
    "which a headless controller rarely has). Set token_cache: allow_unencrypted (or %s=allow_unencrypted) to keep them in "
    "a file of mode 0600 in token_cache_dir, or token_cache: disabled" % TOKEN_CACHE_ENV)


# -- a cache cut short -------------------------------------------------------------------------------------------------
# msal-extensions writes the cache by truncating the file and writing it again; a write that is interrupted leaves a
# file that does not parse, and every later read of it fails. Such a cache is a miss: removed, and a token requested.


def is_damaged_cache_error(exc):
    """True when ``exc`` (what azure-identity raised) comes from a token cache that cannot be read: a ValueError (JSON or
    text decoding) raised while msal-extensions was reading the cache, anywhere in the chain of causes."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, ValueError) and _raised_in_msal_extensions(exc.__traceback__):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _raised_in_msal_extensions(tb):
    while tb is not None:
        if str(tb.tb_frame.f_globals.get("__name__", "")).startswith("msal_extensions"):
            return True
        tb = tb.tb_next
    return False


def discard_damaged_cache(cache, read_since):
    """Remove the token cache files that nobody rewrote since ``read_since`` (a ``time.time()`` from before the failed read):
    one rewritten since then is another task's good cache. Returns the paths removed; raises AuthError when one cannot be."""
    removed = []
    for path in cache.token_cache_files:
        try:
            if os.lstat(path).st_mtime > read_since:
                continue
            os.remove(path)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise AuthError("TokenCacheDamaged", "the token cache %s cannot be read and cannot be removed (%s): delete it"
                            % (path, exc.strerror or exc)) from None
        removed.append(path)
    return removed
