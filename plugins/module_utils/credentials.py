# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Where the credentials come from: options, a profile of ~/.azure/credentials, the environment (AWX's names and
azure-identity's), workload identity, managed identity or the Azure CLI, in one documented order.

``select_source`` is pure (options, environment, text of ~/.azure/credentials in; a ``CredentialSource`` out) so the
whole precedence table is unit-tested without touching the machine. Nothing here talks to the network or imports
azure-identity: tokens.py turns a source into a credential. Secret values are never put into messages.
"""

from __future__ import annotations

import configparser
import shutil
from collections import namedtuple

from ansible_collections.azureml.model_management.plugins.module_utils.errors import AuthError
from ansible_collections.azureml.model_management.plugins.module_utils.text import CONTROL_RULE, has_control

AUTH_SOURCES = ("auto", "env", "credential_file", "cli", "msi", "workload_identity")
CREDENTIALS_PATH = "~/.azure/credentials"

# Whitespace around an ID, a user name, a profile or a cloud is trimmed, wherever the value comes from: none of them
# can hold any, and one copied with its line break (an AWX credential field, an exported variable) is common. What
# is left must hold no control character or line break. A secret or a password is used exactly as given (a password
# may start or end with a space), but one holding a line break or another control character is refused: Entra ID
# allows none in either. (docs/decisions.md, issue 15)
TRIMMED_OPTIONS = ("subscription_id", "tenant", "client_id", "ad_user", "profile", "cloud_environment")
TRIMMED_ENV = ("AZURE_SUBSCRIPTION_ID", "AZURE_TENANT", "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_AD_USER", "AZURE_USERNAME",
               "AZURE_PROFILE", "AZURE_CLOUD_ENVIRONMENT")

SERVICE_PRINCIPAL, USER, MANAGED_IDENTITY, WORKLOAD_IDENTITY, CLI = (
    "service_principal", "user", "managed_identity", "workload_identity", "cli")
KIND_NAMES = {
    SERVICE_PRINCIPAL: "service principal",
    USER: "user",
    MANAGED_IDENTITY: "managed identity",
    WORKLOAD_IDENTITY: "workload identity",
    CLI: "Azure CLI",
}


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


def _listed(words):
    """'a', 'a and b', 'a, b and c'."""
    return " and ".join(words) if len(words) < 3 else "%s and %s" % (", ".join(words[:-1]), words[-1])


def _incomplete(where, given, missing, note=""):
    return AuthError("IncompleteCredentials", "%s: %s given but %s missing%s" % (where, _listed(given), _listed(missing), note))


OPTION_NAMES = dict((key, (key,)) for key in ("client_id", "secret", "tenant", "ad_user", "password"))
# Where a value has two names, AWX's comes first and azure-identity's second.
ENV_NAMES = dict(client_id=("AZURE_CLIENT_ID",), secret=("AZURE_SECRET", "AZURE_CLIENT_SECRET"), tenant=("AZURE_TENANT", "AZURE_TENANT_ID"),
                 ad_user=("AZURE_AD_USER", "AZURE_USERNAME"), password=("AZURE_PASSWORD",))
AWX_NAMES = ("AZURE_SECRET", "AZURE_TENANT", "AZURE_AD_USER")
CERTIFICATE = "AZURE_CLIENT_CERTIFICATE_PATH"
SP_KEYS, USER_KEYS, ID_KEYS = ("client_id", "secret", "tenant"), ("client_id", "tenant", "ad_user", "password"), ("client_id", "tenant")
# Identifiers that select one identity in the environment: a source that ignores them would sign in as someone else.
# AZURE_TENANT_ID is not one of them: many tools read it (the CLI, azd), so alone it only shapes the last message.
ENV_IDENTIFIERS = ("AZURE_CLIENT_ID", "AZURE_TENANT")
SOURCE_HINT = " (to sign in another way, set auth_source: cli, msi or workload_identity)"
CERTIFICATE_NOTE = " (client certificates are not supported: a service principal signs in with its client secret)"


def _missing_name(key, names, found, family=None):
    """How to name a missing value: as the user named the others (AWX's or azure-identity's names), else both ways."""
    choices = names[key]
    if len(choices) == 1:
        return choices[0]
    for other in ("secret", "tenant", "ad_user"):
        used = found[other][0]
        if family is None and used is not None and len(names[other]) > 1:
            family = names[other].index(used)
    return "%s (or %s)" % choices if family is None else choices[family]


def _gap(where, names, found, keys, required, note=""):
    """IncompleteCredentials naming the given ``keys`` and the missing ``required`` ones; None when none is missing."""
    missing = [key for key in required if found[key][1] is None]
    if not missing:
        return None
    return _incomplete(where, [found[key][0] for key in keys if found[key][1] is not None],
                       [_missing_name(key, names, found) for key in missing], note)


def _identifiers_only(values, names, where, triggers, note=""):
    """The error for a client_id or tenant given without a secret or a user (when one of ``triggers`` is set), else None."""
    if not any(values.get(name) for name in triggers):
        return None
    return _gap(where, names, dict((key, _first(values, *names[key])) for key in names), ID_KEYS, SP_KEYS, note)


def _secret_or_user(values, names, where):
    """Service principal or user from one place (options, a profile, the environment), or None when it has neither.

    ``names`` maps client_id, secret, tenant, ad_user, password to the name(s) they are read from there.
    """
    found = dict((key, _first(values, *names[key])) for key in names)
    if found["secret"][1] is not None:
        kind, keys, required, values_keys = SERVICE_PRINCIPAL, SP_KEYS, SP_KEYS, SP_KEYS
    elif found["ad_user"][1] is not None or found["password"][1] is not None:
        kind, keys, required, values_keys = USER, USER_KEYS, ("ad_user", "password"), ("ad_user", "password", "client_id", "tenant")
    else:
        return None
    error = _gap(where, names, found, keys, required)
    if error:
        raise error
    return kind, dict((key, found[key][1]) for key in values_keys), found


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
        error = _identifiers_only(section, OPTION_NAMES, where, ID_KEYS)  # in a profile they can only mean a service principal
        if error:
            raise error
        if not explicit:
            return None
        raise AuthError("IncompleteCredentials", "%s has no credentials: it needs client_id, secret and tenant, or ad_user and password" % where)
    kind, values, _names = found
    return kind, values, where, section, tuple(v for v in (values.get("secret"), values.get("password")) if v)


def _certificate_error(env):
    """A certificate path without a secret: azure-identity's EnvironmentCredential would use it; this collection cannot."""
    if not env.get(CERTIFICATE):
        return None
    names = dict(ENV_NAMES, secret=(CERTIFICATE,) + ENV_NAMES["secret"])
    found = dict((key, _first(env, *names[key])) for key in names)
    missing = [_missing_name(key, ENV_NAMES, found, family=1) for key in SP_KEYS if key == "secret" or found[key][1] is None]
    return _incomplete("environment", [found[key][0] for key in SP_KEYS if found[key][1] is not None], missing, CERTIFICATE_NOTE)


def _from_env(env, explicit):
    found = _secret_or_user(env, ENV_NAMES, "environment")
    if found is None:
        error = _certificate_error(env) or (_identifiers_only(env, ENV_NAMES, "environment", ENV_NAMES["client_id"] + ENV_NAMES["tenant"])
                                            if explicit else None)
        if error:
            raise error
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
    client = ("the client_id option", params["client_id"]) if params.get("client_id") else _first(env, "AZURE_CLIENT_ID")
    tenant = ("the tenant option", params["tenant"]) if params.get("tenant") else _first(env, "AZURE_TENANT_ID", "AZURE_TENANT")
    missing = [name for name, (_given, value) in (("AZURE_CLIENT_ID", client), ("AZURE_TENANT_ID", tenant)) if value is None]
    if missing:
        raise _incomplete("workload identity", ["AZURE_FEDERATED_TOKEN_FILE"] + [given for given, value in (client, tenant) if value], missing)
    values = dict(client_id=client[1], tenant=tenant[1], token_file=token_file)
    return WORKLOAD_IDENTITY, values, "workload identity (AZURE_FEDERATED_TOKEN_FILE)", None, ()


def _from_managed_identity(params, env, explicit):
    """Detected (auto): client_id, else AZURE_CLIENT_ID, as DefaultAzureCredential; auth_source msi: client_id only, as
    ManagedIdentityCredential. Without either, the system-assigned identity."""
    detected, _value = _first(env, "IDENTITY_ENDPOINT", "MSI_ENDPOINT")
    if not (explicit or detected):
        return None
    origin = "auth_source msi" if explicit else "environment (%s)" % detected
    client_id = params.get("client_id") or (None if explicit else env.get("AZURE_CLIENT_ID") or None)
    return MANAGED_IDENTITY, dict(client_id=client_id), origin, None, ()


def _from_cli(params, explicit, cli_available):
    if not (explicit or cli_available):
        return None
    return CLI, dict(tenant=params.get("tenant")), "auth_source cli" if explicit else "az on PATH", None, ()


def trimmed(mapping, names):
    """A copy of ``mapping`` with the text values of ``names`` stripped of surrounding whitespace (TRIMMED_OPTIONS)."""
    return dict((key, value.strip() if key in names and isinstance(value, str) else value) for key, value in mapping.items())


def setting(name, params, env, profile=None):
    """subscription_id or cloud_environment: the option, then the selected profile, then the environment (trimmed)."""
    env_name, default = dict(subscription_id=("AZURE_SUBSCRIPTION_ID", None), cloud_environment=("AZURE_CLOUD_ENVIRONMENT", "AzureCloud"))[name]
    params, env = trimmed(params, TRIMMED_OPTIONS), trimmed(env, TRIMMED_ENV)
    return params.get(name) or (profile or {}).get(name) or env.get(env_name) or default


def text_problem(kind, values, origin):
    """The AuthError for a selected source whose values hold a control character or a line break, else None.

    Secret values are never shown, and not even the ID values: the message names the field and where it came from.
    """
    for field in ("client_id", "tenant", "ad_user"):
        if isinstance(values.get(field), str) and has_control(values[field]):
            return AuthError("InvalidCredentials", "%s from %s must not contain %s" % (field, origin, CONTROL_RULE))
    for field in ("secret", "password"):
        if isinstance(values.get(field), str) and has_control(values[field]):
            return AuthError("InvalidCredentials", "the %s from %s holds a line break or another control character, which no Entra ID "
                                                   "%s can hold (a copied value often ends with a newline): remove it" % (field, origin, field))
    return None


def auth_source_of(params, env):
    """The auth_source option, else ANSIBLE_AZURE_AUTH_SOURCE, else auto."""
    value = params.get("auth_source") or (env.get("ANSIBLE_AZURE_AUTH_SOURCE") or "auto").strip().lower()
    if value not in AUTH_SOURCES:
        raise AuthError("InvalidAuthSource", "auth_source (or ANSIBLE_AZURE_AUTH_SOURCE) must be one of %s, got %r" % (", ".join(AUTH_SOURCES), value))
    return value


# What each step of the auto order reads of the identifiers: the options' client_id and tenant, then the environment's
# (which the options and a named profile outrank).
READS_OPTION_IDS = {"options": ID_KEYS, "workload identity": ID_KEYS, "managed identity": ("client_id",), "cli": ("tenant",)}
READS_ENV_IDS = {"environment": ID_KEYS, "workload identity": ID_KEYS, "managed identity": ("client_id",)}
OUTRANK_ENV = ("options", "named profile")


def _unused_identifiers(step, params, env):
    """auto: the error for a client_id or tenant the user set that the chosen step (None: nothing found) would not use.

    Such a value names an identity. Signing in as another one (the CLI's account, a profile's), or failing with the
    list of every place looked at, would both hide what is missing. (docs/decisions.md, "Half-set credentials")
    """
    if any(params.get(key) and key not in READS_OPTION_IDS.get(step, ()) for key in ID_KEYS):
        return _identifiers_only(params, OPTION_NAMES, "options", ID_KEYS, SOURCE_HINT)
    if step in OUTRANK_ENV:
        return None
    triggers = [name for key in ID_KEYS if key not in READS_ENV_IDS.get(step, ())
                for name in ENV_NAMES[key] if step is None or name in ENV_IDENTIFIERS]
    return _identifiers_only(env, ENV_NAMES, "environment", triggers, SOURCE_HINT)


def _steps(mode, params, env, profiles, named, path, cli_available):
    """(step name, finder) in the order they are tried: the auto order, or the one source auth_source names."""
    if mode != "auto":
        return ((mode, dict(
            env=lambda: _from_env(env, True),
            credential_file=lambda: _from_profile(profiles, named or "default", True, path),
            cli=lambda: _from_cli(params, True, cli_available),
            msi=lambda: _from_managed_identity(params, env, True),
            workload_identity=lambda: _from_workload_identity(params, env, True),
        )[mode]),)
    return (
        ("options", lambda: _from_options(params)),
        ("named profile", lambda: _from_profile(profiles, named, True, path) if named else None),
        ("environment", lambda: _from_env(env, False)),
        ("default profile", lambda: None if named else _from_profile(profiles, "default", False, path)),
        ("workload identity", lambda: _from_workload_identity(params, env, False)),
        ("managed identity", lambda: _from_managed_identity(params, env, False)),
        ("cli", lambda: _from_cli(params, False, cli_available)),
    )


def select_source(params, env, credentials_file_text, credentials_path=CREDENTIALS_PATH, cli_available=None):
    """Choose the credential source; raise AuthError when the configuration is incomplete or nothing is found.

    auto order: options → named profile (profile option / AZURE_PROFILE) → environment → [default] profile →
    workload identity → managed identity (IDENTITY_ENDPOINT / MSI_ENDPOINT) → Azure CLI (az on PATH).
    """
    params, env = trimmed(params, TRIMMED_OPTIONS), trimmed(env, TRIMMED_ENV)
    mode = auth_source_of(params, env)
    profiles = parse_profiles(credentials_file_text, credentials_path)
    named = params.get("profile") or env.get("AZURE_PROFILE")
    if cli_available is None:
        cli_available = shutil.which("az", path=env.get("PATH")) is not None
    step, found = None, None
    for name, finder in _steps(mode, params, env, profiles, named, credentials_path, cli_available):
        found = finder()
        if found is not None:
            step = name
            break
    problem = _unused_identifiers(step, params, env) if mode == "auto" else None
    if problem:
        raise problem
    if found is None:
        raise AuthError("CredentialNotFound", NOT_FOUND_MESSAGE.format(path=credentials_path))
    kind, values, origin, profile, secrets = found
    problem = text_problem(kind, values, origin)
    if problem:
        raise problem
    return CredentialSource(kind, values, origin, setting("subscription_id", params, env, profile),
                            setting("cloud_environment", params, env, profile), secrets)
