# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Half-set credentials: every partial combination of a source names what is missing, with the names the user used.

Pure. The table holds the messages users see; the subset tests walk every subset of each source's variables; the
property test mixes sources, managed identity, the CLI and a [default] profile, and checks that no identifier the user
set is silently dropped, that a "missing" name is never one the user set, and that no value reaches a message.
The rule (docs/decisions.md, "Half-set credentials"): client_id and tenant are shared by several sources, so they make
no source on their own; but the source finally chosen must use them, or the task fails naming what they lack.
"""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.azureml.model_management.plugins.module_utils.credentials import select_source
from ansible_collections.azureml.model_management.plugins.module_utils.errors import AuthError

PROPERTIES = settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
MSI = dict(IDENTITY_ENDPOINT="http://localhost:42356/msi/token", IDENTITY_HEADER="h")
HINT = " (to sign in another way, set auth_source: cli, msi or workload_identity)"


def value_of(name):
    """A distinct value per variable, so a message that quotes one, or a mixed-up value, is seen."""
    return "v-%s-%s" % (name.lower(), "x" * 3)


def failure(params, env, text=None, cli=False):
    with pytest.raises(AuthError) as info:
        select_source(params, env, text, cli_available=cli)
    return info.value


PARTIAL = [
    # what the user set (options, environment, profiles file, az on PATH) -> the message (exactly)
    ("the issue: AZURE_SECRET unset", {}, ["AZURE_CLIENT_ID", "AZURE_TENANT"], None, False,
     "environment: AZURE_CLIENT_ID and AZURE_TENANT given but AZURE_SECRET missing" + HINT),
    ("the same with az on PATH: no silent switch to the CLI's account", {}, ["AZURE_CLIENT_ID", "AZURE_TENANT"], None, True,
     "environment: AZURE_CLIENT_ID and AZURE_TENANT given but AZURE_SECRET missing" + HINT),
    ("azure-identity names", {}, ["AZURE_CLIENT_ID", "AZURE_TENANT_ID"], None, False,
     "environment: AZURE_CLIENT_ID and AZURE_TENANT_ID given but AZURE_CLIENT_SECRET missing" + HINT),
    ("AZURE_CLIENT_ID alone", {}, ["AZURE_CLIENT_ID"], None, False,
     "environment: AZURE_CLIENT_ID given but AZURE_SECRET (or AZURE_CLIENT_SECRET) and AZURE_TENANT (or AZURE_TENANT_ID) missing" + HINT),
    ("AZURE_TENANT alone", {}, ["AZURE_TENANT"], None, True, "environment: AZURE_TENANT given but AZURE_CLIENT_ID and AZURE_SECRET missing" + HINT),
    ("AZURE_TENANT_ID alone, nothing else found", {}, ["AZURE_TENANT_ID"], None, False,
     "environment: AZURE_TENANT_ID given but AZURE_CLIENT_ID and AZURE_CLIENT_SECRET missing" + HINT),
    ("tenant unset (as before)", {}, ["AZURE_CLIENT_ID", "AZURE_SECRET"], None, False,
     "environment: AZURE_CLIENT_ID and AZURE_SECRET given but AZURE_TENANT missing"),
    ("tenant unset, azure-identity names", {}, ["AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"], None, False,
     "environment: AZURE_CLIENT_ID and AZURE_CLIENT_SECRET given but AZURE_TENANT_ID missing"),
    ("client unset", {}, ["AZURE_CLIENT_SECRET", "AZURE_TENANT_ID"], None, False,
     "environment: AZURE_CLIENT_SECRET and AZURE_TENANT_ID given but AZURE_CLIENT_ID missing"),
    ("a secret alone", {}, ["AZURE_SECRET"], None, True, "environment: AZURE_SECRET given but AZURE_CLIENT_ID and AZURE_TENANT missing"),
    ("a certificate", {}, ["AZURE_CLIENT_ID", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_TENANT_ID"], None, False,
     "environment: AZURE_CLIENT_ID, AZURE_CLIENT_CERTIFICATE_PATH and AZURE_TENANT_ID given but AZURE_CLIENT_SECRET missing "
     "(client certificates are not supported: a service principal signs in with its client secret)"),
    ("a certificate alone", {}, ["AZURE_CLIENT_CERTIFICATE_PATH"], None, True,
     "environment: AZURE_CLIENT_CERTIFICATE_PATH given but AZURE_CLIENT_ID, AZURE_CLIENT_SECRET and AZURE_TENANT_ID missing "
     "(client certificates are not supported: a service principal signs in with its client secret)"),
    ("a user without password", {}, ["AZURE_AD_USER"], None, False, "environment: AZURE_AD_USER given but AZURE_PASSWORD missing"),
    ("AZURE_USERNAME without password", {}, ["AZURE_USERNAME"], None, False, "environment: AZURE_USERNAME given but AZURE_PASSWORD missing"),
    ("a password alone", {}, ["AZURE_PASSWORD"], None, False,
     "environment: AZURE_PASSWORD given but AZURE_AD_USER (or AZURE_USERNAME) missing"),
    ("workload identity: the token file alone", {}, ["AZURE_FEDERATED_TOKEN_FILE"], None, False,
     "workload identity: AZURE_FEDERATED_TOKEN_FILE given but AZURE_CLIENT_ID and AZURE_TENANT_ID missing"),
    ("workload identity without tenant", {}, ["AZURE_FEDERATED_TOKEN_FILE", "AZURE_CLIENT_ID"], None, False,
     "workload identity: AZURE_FEDERATED_TOKEN_FILE and AZURE_CLIENT_ID given but AZURE_TENANT_ID missing"),
    ("workload identity, client_id as an option", ["client_id"], ["AZURE_FEDERATED_TOKEN_FILE"], None, False,
     "workload identity: AZURE_FEDERATED_TOKEN_FILE and the client_id option given but AZURE_TENANT_ID missing"),
    ("options: client_id alone", ["client_id"], [], None, True, "options: client_id given but secret and tenant missing" + HINT),
    ("options: no secret", ["client_id", "tenant"], [], None, False, "options: client_id and tenant given but secret missing" + HINT),
    ("options: no tenant", ["client_id", "secret"], [], None, False, "options: client_id and secret given but tenant missing"),
    ("options: a secret alone", ["secret"], [], None, False, "options: secret given but client_id and tenant missing"),
    ("options: tenant alone, no CLI", ["tenant"], [], None, False, "options: tenant given but client_id and secret missing" + HINT),
    ("options: user without password", ["ad_user"], [], None, False, "options: ad_user given but password missing"),
    ("options: password alone", ["client_id", "password"], [], None, False, "options: client_id and password given but ad_user missing"),
    ("options: client_id ignored by the environment's service principal", ["client_id"], ["AZURE_CLIENT_ID", "AZURE_SECRET", "AZURE_TENANT"],
     None, False, "options: client_id given but secret and tenant missing" + HINT),
    ("profile: client_id alone", [], [], "[default]\nclient_id = c\n", True,
     "profile 'default' in ~/.azure/credentials: client_id given but secret and tenant missing"),
    ("named profile: no password", ["profile"], [], "[profile]\nad_user = u\nclient_id = c\n", False,
     "profile 'profile' in ~/.azure/credentials: client_id and ad_user given but password missing"),
]


@pytest.mark.parametrize("options, variables, text, cli, message", [p[1:] for p in PARTIAL], ids=[p[0] for p in PARTIAL])
def test_a_half_set_source_names_what_is_missing(options, variables, text, cli, message):
    params = dict((name, value_of(name)) for name in options)
    if "profile" in params:
        params["profile"] = "profile"
    error = failure(params, dict((name, value_of(name)) for name in variables), text, cli)
    assert (error.code, str(error)) == ("IncompleteCredentials", message)


VALID = [
    # shared identifiers that a complete source uses: not partial
    ("AZURE_CLIENT_ID selects a user-assigned managed identity (as DefaultAzureCredential)", {},
     dict(MSI, AZURE_CLIENT_ID="uami"), None, False, "managed_identity", dict(client_id="uami")),
    ("the client_id option wins over AZURE_CLIENT_ID for it", dict(client_id="opt"), dict(MSI, AZURE_CLIENT_ID="uami"), None, False,
     "managed_identity", dict(client_id="opt")),
    ("auth_source msi reads the option only (as ManagedIdentityCredential)", dict(auth_source="msi"), dict(AZURE_CLIENT_ID="sp"), None, False,
     "managed_identity", dict(client_id=None)),
    ("workload identity uses AZURE_CLIENT_ID and AZURE_TENANT", {}, dict(AZURE_FEDERATED_TOKEN_FILE="/t", AZURE_CLIENT_ID="c", AZURE_TENANT="t"),
     None, True, "workload_identity", dict(client_id="c", tenant="t", token_file="/t")),
    ("the CLI uses the tenant option", dict(tenant="t"), {}, None, True, "cli", dict(tenant="t")),
    ("AZURE_TENANT_ID alone does not stop the CLI", {}, dict(AZURE_TENANT_ID="t"), None, True, "cli", None),
    ("AZURE_TENANT_ID alone does not stop the [default] profile", {}, dict(AZURE_TENANT_ID="t"),
     "[default]\nclient_id = c\nsecret = s\ntenant = t\n", False, "service_principal", dict(client_id="c", secret="s", tenant="t")),
    ("options outrank the environment's identifiers", dict(client_id="c", secret="s", tenant="t"), dict(AZURE_CLIENT_ID="other"), None, False,
     "service_principal", dict(client_id="c", secret="s", tenant="t")),
    ("a named profile outranks them too", dict(profile="work"), dict(AZURE_CLIENT_ID="other", AZURE_TENANT="t"),
     "[work]\nad_user = u\npassword = p\n", False, "user", None),
    ("auth_source cli ignores them", dict(auth_source="cli"), dict(AZURE_CLIENT_ID="c", AZURE_TENANT="t"), None, False, "cli", None),
    ("a certificate beside a secret: the secret is used", {},
     dict(AZURE_CLIENT_ID="c", AZURE_CLIENT_SECRET="s", AZURE_TENANT_ID="t", AZURE_CLIENT_CERTIFICATE_PATH="/c.pem"), None, False,
     "service_principal", dict(client_id="c", secret="s", tenant="t")),
    ("a profile holding only a subscription", {}, {}, "[default]\nsubscription_id = x\n", True, "cli", None),
]


@pytest.mark.parametrize("params, env, text, cli, kind, values", [v[1:] for v in VALID], ids=[v[0] for v in VALID])
def test_shared_identifiers_used_by_a_complete_source_are_not_partial(params, env, text, cli, kind, values):
    source = select_source(params, env, text, cli_available=cli)
    assert source.kind == kind
    if values is not None:
        assert source.values == values


EXPLICIT = [
    ("auth_source env", dict(auth_source="env"), dict(AZURE_CLIENT_ID="c", AZURE_TENANT="t"),
     "environment: AZURE_CLIENT_ID and AZURE_TENANT given but AZURE_SECRET missing"),
    ("auth_source credential_file", dict(auth_source="credential_file"), {}, "[default]\ntenant = t\n"),
    ("auth_source workload_identity", dict(auth_source="workload_identity"), dict(AZURE_CLIENT_ID="c", AZURE_TENANT_ID="t"),
     "auth_source workload_identity: AZURE_FEDERATED_TOKEN_FILE is not set"),
]


@pytest.mark.parametrize("params, env, text_or_message", [e[1:] for e in EXPLICIT], ids=[e[0] for e in EXPLICIT])
def test_an_explicit_source_names_what_it_lacks(params, env, text_or_message):
    text = text_or_message if text_or_message.startswith("[") else None
    message = "profile 'default' in ~/.azure/credentials: tenant given but client_id and secret missing" if text else text_or_message
    assert str(failure(params, env, text)) == message


# ---------------------------------------------------------------------------------------------------------------------
# every subset of every source's variables

FAMILIES = [
    # (where, how a name is set: option / env / profile, the source's names, the kind a full set gives)
    ("options", "option", ("client_id", "secret", "tenant"), "service_principal"),
    ("options", "option", ("ad_user", "password"), "user"),
    ("environment", "env", ("AZURE_CLIENT_ID", "AZURE_SECRET", "AZURE_TENANT"), "service_principal"),
    ("environment", "env", ("AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_TENANT_ID"), "service_principal"),
    ("environment", "env", ("AZURE_AD_USER", "AZURE_PASSWORD"), "user"),
    ("environment", "env", ("AZURE_USERNAME", "AZURE_PASSWORD"), "user"),
    ("workload identity", "env", ("AZURE_FEDERATED_TOKEN_FILE", "AZURE_CLIENT_ID", "AZURE_TENANT_ID"), "workload_identity"),
    ("profile 'default' in ~/.azure/credentials", "profile", ("client_id", "secret", "tenant"), "service_principal"),
    ("profile 'default' in ~/.azure/credentials", "profile", ("ad_user", "password"), "user"),
]


def arrange(how, names):
    values = dict((name, value_of(name)) for name in names)
    if how == "option":
        return values, {}, None
    if how == "env":
        return {}, values, None
    return {}, {}, "[default]\n" + "".join("%s = %s\n" % item for item in values.items())


def subsets(family):
    where, how, names, kind = family
    for size in range(1, len(names) + 1):
        for chosen in itertools.combinations(names, size):
            if where == "workload identity" and "AZURE_FEDERATED_TOKEN_FILE" not in chosen:
                continue  # without the token file these are the service principal's variables (the family above)
            yield pytest.param(where, how, names, kind, chosen, id="%s: %s" % (where, "+".join(chosen)))


@pytest.mark.parametrize("where, how, names, kind, chosen", [s for f in FAMILIES for s in subsets(f)])
@pytest.mark.parametrize("cli", [False, True], ids=["no az", "az on PATH"])
def test_every_subset_of_a_source(where, how, names, kind, chosen, cli):
    params, env, text = arrange(how, chosen)
    if set(chosen) == set(names):
        assert select_source(params, env, text, cli_available=cli).kind == kind
        return
    if (how, chosen) in (("option", ("tenant",)), ("env", ("AZURE_TENANT_ID",))) and cli:
        assert select_source(params, env, text, cli_available=cli).kind == "cli"  # the CLI takes a tenant too
        return
    error = failure(params, env, text, cli)
    message = str(error)
    assert error.code == "IncompleteCredentials" and message.startswith(where + ": "), message
    given, missing = message[len(where) + 2:].split(" given but ", 1)
    for name in names:
        assert re.search(r"\b%s\b" % name, given if name in chosen else missing), (name, message)
    assert not any(value_of(name) in message for name in chosen)


# ---------------------------------------------------------------------------------------------------------------------
# property: whatever mix is set, nothing the user set is dropped in silence, and "missing" never names what was set

OPTION_NAMES = ("client_id", "secret", "tenant", "ad_user", "password")
ENV_NAMES = ("AZURE_CLIENT_ID", "AZURE_SECRET", "AZURE_CLIENT_SECRET", "AZURE_TENANT", "AZURE_TENANT_ID", "AZURE_AD_USER", "AZURE_USERNAME",
             "AZURE_PASSWORD", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_CLIENT_CERTIFICATE_PATH")
DEFAULT_PROFILE = "[default]\nclient_id = p-client\nsecret = p-secret\ntenant = p-tenant\n"
NAME = re.compile(r"\b(AZURE_[A-Z_]+|client_id|secret|tenant|ad_user|password)\b")


@PROPERTIES
@given(st.sets(st.sampled_from(OPTION_NAMES)), st.sets(st.sampled_from(ENV_NAMES)), st.booleans(), st.booleans(), st.booleans())
def test_no_identifier_is_dropped_and_missing_means_missing(options, variables, msi, cli, profile):
    params = dict((name, value_of(name)) for name in options)
    env = dict((name, value_of(name)) for name in variables)
    env.update(MSI if msi else {})
    try:
        source = select_source(params, env, DEFAULT_PROFILE if profile else None, cli_available=cli)
    except AuthError as error:
        message = str(error)
        assert error.code in ("IncompleteCredentials", "CredentialNotFound"), message
        assert not any(value_of(name) in message for name in set(options) | set(variables))
        if error.code == "CredentialNotFound":
            assert not options and not variables  # the long list only when nothing at all was set
            return
        given_part, missing_part = message.split(" given but ", 1)
        missing_part = missing_part.split(" missing", 1)[0]
        assert NAME.findall(missing_part), message
        for name in NAME.findall(missing_part):
            assert name not in (variables if name.startswith("AZURE_") else options), message
        for name in NAME.findall(given_part):
            assert name in (variables if name.startswith("AZURE_") else options), message
        return
    if options >= {"client_id", "secret", "tenant"} or options >= {"ad_user", "password"}:
        assert source.origin == "options"
    for field, env_names in (("client_id", ("AZURE_CLIENT_ID",)), ("tenant", ("AZURE_TENANT", "AZURE_TENANT_ID"))):
        if field in options:
            assert source.values.get(field) == value_of(field), (field, source)
        elif source.origin != "options" and "AZURE_" + field.upper() in variables:
            assert source.values.get(field) in [value_of(name) for name in env_names if name in variables], (field, source)
