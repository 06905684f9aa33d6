# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Where the cloud and the credentials come from, and turning them into bearer tokens (azure-identity).

``select_source`` is pure (options, environment, text of ~/.azure/credentials in; a CredentialSource out) so the
whole precedence table is unit-tested without touching the machine. ``azure.identity`` is imported only when a
credential is built: modules that fail on their own options never pay for it.

Secret values are never put into messages; azure-identity's messages are redacted again to be sure.
"""

from __future__ import annotations

import configparser
import hashlib
import json
import os
import random as _random
import re
import shutil
import stat
import threading
import time
import traceback
import warnings
from collections import namedtuple

from ansible_collections.azureml.model_management.plugins.module_utils.arm import (
    HAS_REQUESTS,
    default_user_agent,
    shorten,
)
from ansible_collections.azureml.model_management.plugins.module_utils.errors import AzureMLError
from ansible_collections.azureml.model_management.plugins.module_utils.retry import RETRY_STATUSES, RetryPolicy

if HAS_REQUESTS:
    import requests

AUTH_SOURCES = ("auto", "env", "credential_file", "cli", "msi", "workload_identity")
CREDENTIALS_PATH = "~/.azure/credentials"
AZURE_CLI_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"  # the Azure CLI's public client, for ad_user/password
METADATA_API_VERSION = "2015-01-01"
TOKEN_EXPIRY_MARGIN = 60  # seconds: fetch a new token when the cached one expires sooner than this

# Opt-in reuse across tasks: tokens in azure-identity's persistent cache, public metadata in files of ours.
TOKEN_CACHE_MODES = ("disabled", "encrypted", "allow_unencrypted")  # not "off": YAML would read it as false
TOKEN_CACHE_ENV, TOKEN_CACHE_DIR_ENV = "ANSIBLE_AZURE_TOKEN_CACHE", "ANSIBLE_AZURE_TOKEN_CACHE_DIR"
TOKEN_CACHE_NAME = "azureml.model_management"  # azure-identity adds ".nocae" / ".cae"
METADATA_CACHE_SECONDS = 24 * 3600  # cloud metadata and OpenID discovery documents are reused this long

SERVICE_PRINCIPAL, USER, MANAGED_IDENTITY, WORKLOAD_IDENTITY, CLI = (
    "service_principal", "user", "managed_identity", "workload_identity", "cli")
KIND_NAMES = {
    SERVICE_PRINCIPAL: "service principal",
    USER: "user",
    MANAGED_IDENTITY: "managed identity",
    WORKLOAD_IDENTITY: "workload identity",
    CLI: "Azure CLI",
}


class AuthError(AzureMLError):
    """A credential or cloud problem: bad configuration, nothing found, or the identity provider said no."""

    def __init__(self, code, message):
        super(AuthError, self).__init__(message, code=code)


# -- clouds -----------------------------------------------------------------------------------------------------------

class CloudEndpoints(namedtuple("CloudEndpoints", "name resource_manager authority audience custom")):
    """Resource Manager URL, identity authority and token audience of one cloud."""

    @property
    def scope(self):
        return self.audience.rstrip("/") + "/.default"


KNOWN_CLOUDS = dict((cloud.name.lower(), cloud) for cloud in (
    CloudEndpoints("AzureCloud", "https://management.azure.com", "https://login.microsoftonline.com",
                   "https://management.core.windows.net/", False),
    CloudEndpoints("AzureChinaCloud", "https://management.chinacloudapi.cn", "https://login.chinacloudapi.cn",
                   "https://management.core.chinacloudapi.cn/", False),
    CloudEndpoints("AzureUSGovernment", "https://management.usgovcloudapi.net", "https://login.microsoftonline.us",
                   "https://management.core.usgovcloudapi.net/", False),
))
KNOWN_CLOUDS["azurepubliccloud"] = KNOWN_CLOUDS["azurecloud"]


def resolve_cloud(cloud_environment, verify=True, timeout=30, session=None, cache=None, sleep=time.sleep, random=_random.random,
                  clock=time.monotonic):
    """A known cloud by name, or a custom one (Azure Stack Hub, emulator) from ``{url}/metadata/endpoints``.

    ``cache`` (a ``MetadataCache``) serves a document fetched less than ``METADATA_CACHE_SECONDS`` ago.
    """
    name = (cloud_environment or "AzureCloud").strip()
    if name.lower() in KNOWN_CLOUDS:
        return KNOWN_CLOUDS[name.lower()]
    if not name.lower().startswith("https://"):
        raise AuthError("InvalidCloud", "cloud_environment must be AzureCloud, AzureChinaCloud, AzureUSGovernment or the https:// URL "
                                        "of a Resource Manager, got %r" % name)
    base = name.rstrip("/")
    url = "%s/metadata/endpoints?api-version=%s" % (base, METADATA_API_VERSION)
    where = "cloud_environment %r: cannot read the cloud metadata from %s" % (name, url)
    cached = cache.get(url) if cache is not None else None
    retry = RetryPolicy(sleep=sleep, clock=clock, random=random)  # the metadata request is retried like any Resource Manager call
    document = cached if cached is not None else _fetch_metadata(url, where, verify, timeout, session, retry)
    try:
        auth = document["authentication"]
        authority, audience = auth["loginEndpoint"], auth["audiences"][0]
        if not (isinstance(authority, str) and authority.startswith("https://") and isinstance(audience, str) and audience):
            raise ValueError("bad values")
    except (ValueError, KeyError, TypeError, IndexError):
        raise AuthError("CloudMetadataInvalid", "%s: the answer has no https authentication.loginEndpoint and "
                                                "authentication.audiences" % where) from None
    if cache is not None and cached is None:
        cache.put(url, document)
    return CloudEndpoints(base, base, authority.rstrip("/"), audience, True)


def _fetch_metadata(url, where, verify, timeout, session, retry):
    """The metadata document; throttling, 5xx and dropped connections are retried by ``retry`` (a ``RetryPolicy``)."""
    getter = session.get if session is not None else requests.get
    attempts = retry.start()
    while True:
        hint = None
        try:
            response = getter(url, headers={"Accept": "application/json", "User-Agent": default_user_agent()}, timeout=timeout, verify=verify)
        except requests.exceptions.SSLError as exc:
            raise AuthError("CloudMetadataUnavailable", "%s: TLS failure (check validate_certs or REQUESTS_CA_BUNDLE): %s"
                            % (where, shorten(str(exc), 300))) from None
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
            error = AuthError("CloudMetadataUnavailable", "%s: %s: %s" % (where, type(exc).__name__, shorten(str(exc), 300)))
        except requests.exceptions.RequestException as exc:
            raise AuthError("CloudMetadataUnavailable", "%s: %s: %s" % (where, type(exc).__name__, shorten(str(exc), 300))) from None
        else:
            if response.status_code == 200:
                try:
                    return response.json()
                except ValueError:
                    return None  # reported by the caller, like any document without the fields it needs
            error = AuthError("CloudMetadataUnavailable", "%s: HTTP %s" % (where, response.status_code))
            if response.status_code not in RETRY_STATUSES:
                raise error
            hint = response.headers
        delay = attempts.next_delay(hint)
        if delay is None:
            raise error
        retry.sleep(delay)


# -- reuse across tasks (opt-in) --------------------------------------------------------------------------------------

class CacheSettings(namedtuple("CacheSettings", "mode directory")):
    """``token_cache`` mode and the directory the user named for it (None when off)."""

    @property
    def enabled(self):
        return self.mode != "disabled"

    @property
    def token_cache_name(self):
        # azure-identity puts the cache at os.path.join(<its default folder>, name): an absolute name puts it here.
        return os.path.join(self.directory, TOKEN_CACHE_NAME)


CACHE_OFF = CacheSettings("disabled", None)


def cache_settings(params, env):
    """The token_cache / token_cache_dir options, else their environment variables; pure, raises AuthError."""
    mode = (params.get("token_cache") or env.get(TOKEN_CACHE_ENV) or "disabled").strip().lower()
    if mode not in TOKEN_CACHE_MODES:
        raise AuthError("InvalidTokenCache", "token_cache (or %s) must be one of %s, got %r" % (TOKEN_CACHE_ENV, ", ".join(TOKEN_CACHE_MODES), mode))
    if mode == "disabled":
        return CACHE_OFF
    directory = params.get("token_cache_dir") or env.get(TOKEN_CACHE_DIR_ENV)
    if not directory:
        raise AuthError("InvalidTokenCache", "token_cache %s needs token_cache_dir (or %s): a directory only you can write, "
                                             "for example an AWX job's private directory" % (mode, TOKEN_CACHE_DIR_ENV))
    directory = os.path.abspath(os.path.expanduser(directory))
    return CacheSettings(mode, directory)


def prepare_cache_dir(directory):
    """Create ``directory`` (0700) when missing; refuse one that another user owns or may write (they could swap the cache)."""
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        info = os.lstat(directory)
    except OSError as exc:
        raise AuthError("InvalidTokenCache", "token_cache_dir %s cannot be created: %s" % (directory, exc.strerror or exc)) from None
    if not stat.S_ISDIR(info.st_mode):
        raise AuthError("InvalidTokenCache", "token_cache_dir %s is not a directory (symbolic links are refused)" % directory)
    if info.st_uid != os.geteuid() or info.st_mode & 0o022:
        raise AuthError("InvalidTokenCache", "token_cache_dir %s must be owned by this user and writable by nobody else (mode 0700 "
                                             "is right; it has %04o)" % (directory, stat.S_IMODE(info.st_mode)))


class MetadataCache(object):
    """Public documents (cloud metadata, OpenID discovery) by URL, in ``directory``, each reused for ``max_age`` seconds."""

    def __init__(self, directory, max_age=METADATA_CACHE_SECONDS, clock=time.time):
        self.directory = directory
        self.max_age = max_age
        self._clock = clock

    def _path(self, url):
        return os.path.join(self.directory, "metadata-%s.json" % hashlib.sha256(url.encode("utf-8")).hexdigest()[:32])

    def get(self, url):
        """The document, or None when absent, unreadable, for another URL or older than ``max_age``."""
        try:
            with open(self._path(url)) as handle:
                entry = json.load(handle)
            fresh = entry["url"] == url and 0 <= self._clock() - float(entry["fetched"]) < self.max_age
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return entry["document"] if fresh else None

    def put(self, url, document):
        """Write atomically, mode 0600; a cache that cannot be written only costs the next task a request."""
        path = self._path(url)
        tmp = "%s.%d.tmp" % (path, os.getpid())
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                json.dump(dict(url=url, fetched=self._clock(), document=document), handle)
            os.replace(tmp, path)
        except (OSError, TypeError, ValueError):
            try:
                os.remove(tmp)
            except OSError:
                pass


# -- where the credentials come from (pure) ---------------------------------------------------------------------------

class CredentialSource(namedtuple("CredentialSource", "kind values origin subscription_id cloud_environment secrets")):
    """What to authenticate as (``kind``, ``values``) and where it was found (``origin``, safe to show)."""

    def describe(self):
        return "%s from %s" % (KIND_NAMES[self.kind], self.origin)


NOT_FOUND_MESSAGE = (
    "no Azure credentials found. Looked for, in this order: the options client_id, secret and tenant (or ad_user and password); "
    "the profile named by the profile option or AZURE_PROFILE in {path}; the environment variables AZURE_CLIENT_ID, AZURE_SECRET "
    "and AZURE_TENANT (or AZURE_CLIENT_SECRET and AZURE_TENANT_ID, or AZURE_AD_USER and AZURE_PASSWORD); the [default] profile "
    "in {path}; AZURE_FEDERATED_TOKEN_FILE (workload identity); IDENTITY_ENDPOINT or MSI_ENDPOINT (managed identity); "
    "the Azure CLI (az) on PATH. Set one of these, or choose the source with auth_source "
    "(for example auth_source: msi on an Azure VM, or auth_source: cli after az login)."
)


def _first(mapping, *names):
    """(name, value) of the first non-empty entry among ``names``, or (None, None)."""
    for name in names:
        value = mapping.get(name)
        if value not in (None, ""):
            return name, value
    return None, None


def _incomplete(where, given, missing):
    return AuthError("IncompleteCredentials", "%s: %s given but %s missing" % (where, " and ".join(given), " and ".join(missing)))


def _secret_or_user(values, names, where):
    """Service principal or user from one place (options, a profile, the environment), or None when it has neither.

    ``names`` maps client_id, secret, tenant, ad_user, password to the name(s) they are read from there.
    """
    found = dict((key, _first(values, *names[key])) for key in names)
    if found["secret"][1] is not None:
        missing = [names[key][0] for key in ("client_id", "tenant") if found[key][1] is None]
        if missing:
            raise _incomplete(where, [found["secret"][0]], missing)
        return SERVICE_PRINCIPAL, dict((key, found[key][1]) for key in ("client_id", "secret", "tenant")), found
    if found["ad_user"][1] is not None or found["password"][1] is not None:
        missing = [names[key][0] for key in ("ad_user", "password") if found[key][1] is None]
        if missing:
            raise _incomplete(where, [found[key][0] for key in ("ad_user", "password") if found[key][1] is not None], missing)
        return USER, dict((key, found[key][1]) for key in ("ad_user", "password", "client_id", "tenant")), found
    return None


OPTION_NAMES = dict((key, (key,)) for key in ("client_id", "secret", "tenant", "ad_user", "password"))
ENV_NAMES = dict(client_id=("AZURE_CLIENT_ID",), secret=("AZURE_SECRET", "AZURE_CLIENT_SECRET"), tenant=("AZURE_TENANT", "AZURE_TENANT_ID"),
                 ad_user=("AZURE_AD_USER", "AZURE_USERNAME"), password=("AZURE_PASSWORD",))
AWX_NAMES = ("AZURE_SECRET", "AZURE_TENANT", "AZURE_AD_USER")


def parse_profiles(text, path=CREDENTIALS_PATH):
    """Sections of an azure.azcollection style credentials file as ``{name: {key: value}}``; None when there is no file."""
    if text is None:
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text, source=path)
    except configparser.Error as exc:
        # Only line numbers: configparser's own message would quote the line, which may hold a secret.
        lines = sorted(set([getattr(exc, "lineno", None)] + [e[0] for e in getattr(exc, "errors", [])]) - set([None]))
        raise AuthError("InvalidCredentialFile", "%s is not a valid credentials file (INI sections like [default] with key = value lines)%s"
                        % (path, "; see line %s" % ", ".join(str(n) for n in lines) if lines else "")) from None
    return dict((name, dict(parser.items(name))) for name in parser.sections())


def _from_options(params):
    found = _secret_or_user(params, OPTION_NAMES, "options")
    if found is None:
        return None
    kind, values, _names = found
    return kind, values, "options", None, ()


def _from_profile(profiles, name, explicit, path):
    if profiles is None or name not in profiles:
        if not explicit:
            return None
        if profiles is None:
            raise AuthError("CredentialNotFound", "profile %r was asked for but %s does not exist" % (name, path))
        raise AuthError("CredentialNotFound", "profile %r is not in %s (profiles there: %s)" % (name, path, ", ".join(sorted(profiles)) or "none"))
    section = profiles[name]
    where = "profile %r in %s" % (name, path)
    found = _secret_or_user(section, OPTION_NAMES, where)
    if found is None:
        if not explicit:
            return None
        raise AuthError("IncompleteCredentials", "%s has no credentials: it needs client_id, secret and tenant, or ad_user and password" % where)
    kind, values, _names = found
    return kind, values, where, section, tuple(v for v in (values.get("secret"), values.get("password")) if v)


def _from_env(env, explicit):
    found = _secret_or_user(env, ENV_NAMES, "environment")
    if found is None:
        if explicit:
            raise AuthError("CredentialNotFound", "auth_source env: set AZURE_CLIENT_ID, AZURE_SECRET and AZURE_TENANT (or AZURE_CLIENT_SECRET "
                                                  "and AZURE_TENANT_ID), or AZURE_AD_USER and AZURE_PASSWORD")
        return None
    kind, values, names = found
    awx = any(names[key][0] in AWX_NAMES for key in names)
    origin = "environment (AWX names)" if awx else "environment (azure-identity names)"
    return kind, values, origin, None, tuple(v for v in (values.get("secret"), values.get("password")) if v)


def _from_workload_identity(params, env, explicit):
    token_file = env.get("AZURE_FEDERATED_TOKEN_FILE")
    if not token_file:
        if explicit:
            raise AuthError("CredentialNotFound", "auth_source workload_identity: AZURE_FEDERATED_TOKEN_FILE is not set")
        return None
    client_id = params.get("client_id") or env.get("AZURE_CLIENT_ID")
    tenant = params.get("tenant") or _first(env, "AZURE_TENANT_ID", "AZURE_TENANT")[1]
    missing = [label for label, value in (("client_id or AZURE_CLIENT_ID", client_id), ("tenant or AZURE_TENANT_ID", tenant)) if not value]
    if missing:
        raise _incomplete("workload identity", ["AZURE_FEDERATED_TOKEN_FILE"], missing)
    values = dict(client_id=client_id, tenant=tenant, token_file=token_file)
    return WORKLOAD_IDENTITY, values, "workload identity (AZURE_FEDERATED_TOKEN_FILE)", None, ()


def _from_managed_identity(params, env, explicit):
    detected, _value = _first(env, "IDENTITY_ENDPOINT", "MSI_ENDPOINT")
    if not (explicit or detected):
        return None
    origin = "auth_source msi" if explicit else "environment (%s)" % detected
    return MANAGED_IDENTITY, dict(client_id=params.get("client_id")), origin, None, ()


def _from_cli(params, explicit, cli_available):
    if not (explicit or cli_available):
        return None
    return CLI, dict(tenant=params.get("tenant")), "auth_source cli" if explicit else "az on PATH", None, ()


def setting(name, params, env, profile=None):
    """subscription_id or cloud_environment: the option, then the selected profile, then the environment."""
    env_name, default = dict(subscription_id=("AZURE_SUBSCRIPTION_ID", None), cloud_environment=("AZURE_CLOUD_ENVIRONMENT", "AzureCloud"))[name]
    return params.get(name) or (profile or {}).get(name) or env.get(env_name) or default


def auth_source_of(params, env):
    """The auth_source option, else ANSIBLE_AZURE_AUTH_SOURCE, else auto."""
    value = params.get("auth_source") or (env.get("ANSIBLE_AZURE_AUTH_SOURCE") or "auto").strip().lower()
    if value not in AUTH_SOURCES:
        raise AuthError("InvalidAuthSource", "auth_source (or ANSIBLE_AZURE_AUTH_SOURCE) must be one of %s, got %r" % (", ".join(AUTH_SOURCES), value))
    return value


def select_source(params, env, credentials_file_text, credentials_path=CREDENTIALS_PATH, cli_available=None):
    """Choose the credential source; raise AuthError when the configuration is incomplete or nothing is found.

    auto order: options → named profile (profile option / AZURE_PROFILE) → environment → [default] profile →
    workload identity → managed identity (IDENTITY_ENDPOINT / MSI_ENDPOINT) → Azure CLI (az on PATH).
    """
    mode = auth_source_of(params, env)
    profiles = parse_profiles(credentials_file_text, credentials_path)
    named = params.get("profile") or env.get("AZURE_PROFILE")
    if cli_available is None:
        cli_available = shutil.which("az", path=env.get("PATH")) is not None
    if mode == "auto":
        finders = (
            lambda: _from_options(params),
            lambda: _from_profile(profiles, named, True, credentials_path) if named else None,
            lambda: _from_env(env, False),
            lambda: None if named else _from_profile(profiles, "default", False, credentials_path),
            lambda: _from_workload_identity(params, env, False),
            lambda: _from_managed_identity(params, env, False),
            lambda: _from_cli(params, False, cli_available),
        )
    else:
        finders = (dict(
            env=lambda: _from_env(env, True),
            credential_file=lambda: _from_profile(profiles, named or "default", True, credentials_path),
            cli=lambda: _from_cli(params, True, cli_available),
            msi=lambda: _from_managed_identity(params, env, True),
            workload_identity=lambda: _from_workload_identity(params, env, True),
        )[mode],)
    for finder in finders:
        found = finder()
        if found is not None:
            kind, values, origin, profile, secrets = found
            return CredentialSource(kind, values, origin, setting("subscription_id", params, env, profile),
                                    setting("cloud_environment", params, env, profile), secrets)
    raise AuthError("CredentialNotFound", NOT_FOUND_MESSAGE.format(path=credentials_path))


# -- credentials and tokens (azure-identity) --------------------------------------------------------------------------

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


# Credentials whose tokens azure-identity can persist (app-only tokens); the others keep a per-task token:
# a managed identity's endpoint is local and cheap, the Azure CLI has its own cache, and a user token needs an account record.
CACHEABLE_KINDS = (SERVICE_PRINCIPAL, WORKLOAD_IDENTITY)


def persistent_cache_options(cache, verify=True):
    """Keyword arguments for a credential: azure-identity's persistent token cache, and OpenID discovery served from ``cache``.

    msal reads the tenant's OpenID configuration every time a credential starts, even with a cached token;
    the discovery cache is what lets a warm task send no identity request at all.
    """
    from azure.core.pipeline.transport import RequestsTransport
    from azure.identity import TokenCachePersistenceOptions

    session = requests.Session()
    session.mount("https://", _discovery_adapter(MetadataCache(cache.directory)))
    options = TokenCachePersistenceOptions(name=cache.token_cache_name, allow_unencrypted_storage=cache.mode == "allow_unencrypted")
    transport = RequestsTransport(session=session, session_owner=True, connection_verify=verify)
    return dict(cache_persistence_options=options, transport=transport)


OPENID_SUFFIX = "/.well-known/openid-configuration"


def _discovery_adapter(cache):
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


NO_ENCRYPTED_STORE = (
    "token_cache encrypted: this system offers no encrypted store for tokens (on Linux: libsecret with an unlocked keyring, "
    "which a headless controller rarely has). Set token_cache: allow_unencrypted (or %s=allow_unencrypted) to keep them in "
    "a file of mode 0600 in token_cache_dir, or token_cache: disabled" % TOKEN_CACHE_ENV)


class TokenProvider(object):
    """Bearer tokens for one scope. ``factory()`` makes a credential; ``refresh()`` makes a new one to bypass its cache.

    With ``cache`` on, the credential keeps its tokens in azure-identity's persistent cache, so ``refresh()`` also asks
    for a token newer than now: a token that Resource Manager refused is replaced in that cache, not read back from it.
    """

    def __init__(self, factory, scope, description="credentials", secrets=(), clock=time.time, cache=CACHE_OFF):
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

    def get_token(self):
        with self._lock:  # one token for every worker of a fleet run: fetched once, not once per thread
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
        auth_failed, azure_error = _azure_errors()
        options = dict(claims=fresher_than(self._clock())) if new_credential and self._cache.enabled else {}
        try:
            if new_credential or self._credential is None:
                self._credential = self.factory()
            access = self._credential.get_token(self.scope, **options)
        except auth_failed as exc:
            raise self._error("AuthenticationFailed", "authentication failed", getattr(exc, "message", None) or exc) from None
        except azure_error as exc:
            raise self._error("AuthenticationFailed", "cannot get a token", "%s: %s" % (type(exc).__name__, exc)) from None
        except ValueError as exc:
            raise self._error("InvalidCredentials", "invalid credentials", exc) from None
        self._token, self._expires_on = access.token, access.expires_on

    def _error(self, code, what, detail):
        if self._cache.mode == "encrypted" and "encryption is impossible" in str(detail).lower():
            return AuthError("TokenCacheUnavailable", NO_ENCRYPTED_STORE)
        detail = re.sub(r"^(authentication failed:\s*)", "", redact(detail, self.secrets), flags=re.IGNORECASE)
        return AuthError(code, "%s (%s): %s" % (what, self.description, detail))
