# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where credentials come from: the precedence table, half-configured sources, profiles, subscription and cloud. Pure."""

from __future__ import annotations

import pytest

from ansible_collections.azureml.model_management.plugins.module_utils.credentials import select_source, setting
from ansible_collections.azureml.model_management.plugins.module_utils.errors import AuthError
from ansible_collections.azureml.model_management.tests.unit.fakes import SUB

SUB2 = "00000000-0000-0000-0000-000000000002"
STACK = "https://management.local.azurestack.external"


# ---------------------------------------------------------------------------------------------------------------------
# select_source: the precedence table

SP_OPTIONS = dict(client_id="opt-client", secret="opt-secret", tenant="opt-tenant")
AWX_ENV = dict(AZURE_CLIENT_ID="env-client", AZURE_SECRET="env-secret", AZURE_TENANT="env-tenant", AZURE_SUBSCRIPTION_ID=SUB)
IDENTITY_ENV = dict(AZURE_CLIENT_ID="env-client", AZURE_CLIENT_SECRET="id-secret", AZURE_TENANT_ID="id-tenant")
USER_ENV = dict(AZURE_AD_USER="someone@example.com", AZURE_PASSWORD="env-password")
WORKLOAD_ENV = dict(AZURE_FEDERATED_TOKEN_FILE="/var/run/token", AZURE_CLIENT_ID="wl-client", AZURE_TENANT_ID="wl-tenant")
MSI_ENV = dict(IDENTITY_ENDPOINT="http://localhost:42356/msi/token", IDENTITY_HEADER="h")
PROFILES = """
[default]
subscription_id = %s
client_id = default-client
secret = default-secret
tenant = default-tenant

[work]
subscription_id = %s
ad_user = worker@example.com
password = work-password
cloud_environment = AzureChinaCloud

[empty]
subscription_id = %s
""" % (SUB, SUB2, SUB2)

SOURCES = [
    # name, params, env, file, cli on PATH -> kind, origin, values
    ("options sp", SP_OPTIONS, {}, None, False,
     "service_principal", "options", dict(client_id="opt-client", secret="opt-secret", tenant="opt-tenant")),
    ("options user", dict(ad_user="u@example.com", password="p"), {}, None, False,
     "user", "options", dict(ad_user="u@example.com", password="p", client_id=None, tenant=None)),
    ("options beat everything", SP_OPTIONS, dict(AWX_ENV, **MSI_ENV), PROFILES, True, "service_principal", "options", None),
    ("named profile option", dict(profile="work"), AWX_ENV, PROFILES, False,
     "user", "profile 'work' in ~/.azure/credentials", dict(ad_user="worker@example.com", password="work-password", client_id=None, tenant=None)),
    ("AZURE_PROFILE", {}, dict(AWX_ENV, AZURE_PROFILE="work"), PROFILES, False, "user", "profile 'work' in ~/.azure/credentials", None),
    ("environment beats [default]", {}, AWX_ENV, PROFILES, True, "service_principal", "environment (AWX names)",
     dict(client_id="env-client", secret="env-secret", tenant="env-tenant")),
    ("azure-identity names", {}, IDENTITY_ENV, None, False, "service_principal", "environment (azure-identity names)",
     dict(client_id="env-client", secret="id-secret", tenant="id-tenant")),
    ("AWX names win over azure-identity names", {}, dict(IDENTITY_ENV, AZURE_SECRET="env-secret", AZURE_TENANT="env-tenant"), None, False,
     "service_principal", "environment (AWX names)", dict(client_id="env-client", secret="env-secret", tenant="env-tenant")),
    ("environment user", {}, USER_ENV, None, False, "user", "environment (AWX names)",
     dict(ad_user="someone@example.com", password="env-password", client_id=None, tenant=None)),
    ("[default] profile", {}, {}, PROFILES, True, "service_principal", "profile 'default' in ~/.azure/credentials",
     dict(client_id="default-client", secret="default-secret", tenant="default-tenant")),
    ("workload identity", {}, dict(WORKLOAD_ENV, **MSI_ENV), None, True, "workload_identity", "workload identity (AZURE_FEDERATED_TOKEN_FILE)",
     dict(client_id="wl-client", tenant="wl-tenant", token_file="/var/run/token")),
    ("workload identity, options override", dict(client_id="c", tenant="t"), WORKLOAD_ENV, None, False, "workload_identity", None,
     dict(client_id="c", tenant="t", token_file="/var/run/token")),
    ("managed identity detected", {}, MSI_ENV, None, True, "managed_identity", "environment (IDENTITY_ENDPOINT)", dict(client_id=None)),
    ("legacy MSI_ENDPOINT", dict(client_id="uami"), dict(MSI_ENDPOINT="http://x"), None, False, "managed_identity", "environment (MSI_ENDPOINT)",
     dict(client_id="uami")),
    ("Azure CLI last", {}, {}, "[other]\nclient_id = x\n", True, "cli", "az on PATH", dict(tenant=None)),
    ("profile without credentials is skipped", {}, {}, "[default]\nsubscription_id = %s\n" % SUB, True, "cli", "az on PATH", None),
    # explicit auth_source
    ("auth_source env ignores options", dict(SP_OPTIONS, auth_source="env"), AWX_ENV, None, False, "service_principal", "environment (AWX names)", None),
    ("auth_source credential_file", dict(auth_source="credential_file"), AWX_ENV, PROFILES, False, "service_principal",
     "profile 'default' in ~/.azure/credentials", None),
    ("auth_source credential_file, named", dict(auth_source="credential_file", profile="work"), {}, PROFILES, False, "user", None, None),
    ("auth_source msi", dict(auth_source="msi", client_id="uami"), AWX_ENV, None, False, "managed_identity", "auth_source msi", dict(client_id="uami")),
    ("auth_source cli", dict(auth_source="cli", tenant="t"), AWX_ENV, PROFILES, False, "cli", "auth_source cli", dict(tenant="t")),
    ("auth_source workload_identity", dict(auth_source="workload_identity"), dict(AWX_ENV, **WORKLOAD_ENV), None, False, "workload_identity", None, None),
    ("ANSIBLE_AZURE_AUTH_SOURCE", {}, dict(AWX_ENV, ANSIBLE_AZURE_AUTH_SOURCE=" MSI "), None, False, "managed_identity", "auth_source msi", None),
    ("option beats ANSIBLE_AZURE_AUTH_SOURCE", dict(auth_source="env"), dict(AWX_ENV, ANSIBLE_AZURE_AUTH_SOURCE="msi"), None, False,
     "service_principal", None, None),
]


@pytest.mark.parametrize("params, env, text, cli, kind, origin, values", [s[1:] for s in SOURCES], ids=[s[0] for s in SOURCES])
def test_select_source(params, env, text, cli, kind, origin, values):
    source = select_source(params, env, text, cli_available=cli)
    assert source.kind == kind
    if origin is not None:
        assert source.origin == origin
    if values is not None:
        assert source.values == values


SOURCE_ERRORS = [
    ("secret without tenant", dict(client_id="c", secret="s"), {}, None, "options: client_id and secret given but tenant missing"),
    ("password without user", dict(password="p"), {}, None, "options: password given but ad_user missing"),
    ("env secret without client", {}, dict(AZURE_SECRET="s", AZURE_TENANT="t"), None,
     "environment: AZURE_SECRET and AZURE_TENANT given but AZURE_CLIENT_ID missing"),
    ("env user without password", {}, dict(AZURE_AD_USER="u"), None, "environment: AZURE_AD_USER given but AZURE_PASSWORD missing"),
    ("workload without tenant", {}, dict(AZURE_FEDERATED_TOKEN_FILE="/t", AZURE_CLIENT_ID="c"), None,
     "workload identity: AZURE_FEDERATED_TOKEN_FILE and AZURE_CLIENT_ID given but AZURE_TENANT_ID missing"),
    ("named profile, no file", dict(profile="work"), {}, None, "profile 'work' was asked for but ~/.azure/credentials does not exist"),
    ("named profile missing", {}, dict(AZURE_PROFILE="nope"), PROFILES, "profile 'nope' is not in ~/.azure/credentials (profiles there: default, empty, work)"),
    ("named profile empty", dict(profile="empty"), {}, PROFILES, "profile 'empty' in ~/.azure/credentials has no credentials"),
    ("profile incomplete", {}, {}, "[default]\nsecret = s\n", "profile 'default' in ~/.azure/credentials: secret given but client_id and tenant missing"),
    ("credential_file without file", dict(auth_source="credential_file"), AWX_ENV, None, "profile 'default' was asked for"),
    ("env without variables", dict(auth_source="env"), {}, PROFILES, "auth_source env: set AZURE_CLIENT_ID, AZURE_SECRET and AZURE_TENANT"),
    ("workload without file", dict(auth_source="workload_identity"), AWX_ENV, None, "AZURE_FEDERATED_TOKEN_FILE is not set"),
    ("bad ANSIBLE_AZURE_AUTH_SOURCE", {}, dict(ANSIBLE_AZURE_AUTH_SOURCE="magic"), None,
     "must be one of auto, env, credential_file, cli, msi, workload_identity, got 'magic'"),
]


@pytest.mark.parametrize("params, env, text, fragment", [e[1:] for e in SOURCE_ERRORS], ids=[e[0] for e in SOURCE_ERRORS])
def test_select_source_errors(params, env, text, fragment):
    with pytest.raises(AuthError) as info:
        select_source(params, env, text, cli_available=False)
    assert fragment in str(info.value)


def test_nothing_found_lists_every_place_and_the_fix():
    with pytest.raises(AuthError) as info:
        select_source({}, {}, None, cli_available=False)
    message = str(info.value)
    assert info.value.code == "CredentialNotFound"
    for name in ("client_id", "secret", "tenant", "ad_user", "AZURE_PROFILE", "~/.azure/credentials", "AZURE_CLIENT_ID", "AZURE_SECRET", "AZURE_TENANT",
                 "AZURE_CLIENT_SECRET", "AZURE_TENANT_ID", "AZURE_AD_USER", "AZURE_PASSWORD", "[default]", "AZURE_FEDERATED_TOKEN_FILE",
                 "IDENTITY_ENDPOINT", "MSI_ENDPOINT", "az", "auth_source"):
        assert name in message
    # the order of the message is the order of the search
    assert message.index("AZURE_PROFILE") < message.index("AZURE_SECRET") < message.index("[default]") < message.index("IDENTITY_ENDPOINT")


def test_cli_detection_uses_path_from_env(tmp_path):
    az = tmp_path / "az"
    az.write_text("#!/bin/sh\n")
    az.chmod(0o755)
    assert select_source({}, dict(PATH=str(tmp_path)), None).kind == "cli"
    with pytest.raises(AuthError):
        select_source({}, dict(PATH=str(tmp_path / "nowhere")), None)


def test_bad_profile_file_does_not_quote_lines():
    text = "[default]\nsecret = s3cr3t\nthis line is garbage s3cr3t\n"
    with pytest.raises(AuthError) as info:
        select_source({}, {}, text, cli_available=False)
    assert "not a valid credentials file" in str(info.value) and "line 3" in str(info.value)
    assert "s3cr3t" not in str(info.value)


SETTINGS = [
    ("option first", dict(SP_OPTIONS, subscription_id="opt", cloud_environment="AzureChinaCloud"), dict(AWX_ENV, AZURE_CLOUD_ENVIRONMENT="x"), None,
     "opt", "AzureChinaCloud"),
    ("profile before env", dict(profile="work"), dict(AWX_ENV, AZURE_CLOUD_ENVIRONMENT="x"), PROFILES, SUB2, "AzureChinaCloud"),
    ("env after profile", dict(profile="default"), dict(AWX_ENV, AZURE_SUBSCRIPTION_ID="env", AZURE_CLOUD_ENVIRONMENT="x"), PROFILES, SUB, "x"),
    ("env", {}, dict(AWX_ENV, AZURE_CLOUD_ENVIRONMENT=STACK), PROFILES, SUB, STACK),
    ("defaults", SP_OPTIONS, {}, None, None, "AzureCloud"),
    ("a profile that was not selected is not used", {}, dict(IDENTITY_ENV), PROFILES, None, "AzureCloud"),
]


@pytest.mark.parametrize("params, env, text, subscription_id, cloud", [s[1:] for s in SETTINGS], ids=[s[0] for s in SETTINGS])
def test_subscription_and_cloud_precedence(params, env, text, subscription_id, cloud):
    source = select_source(params, env, text, cli_available=False)
    assert (source.subscription_id, source.cloud_environment) == (subscription_id, cloud)


@pytest.mark.parametrize("params, env, text, secrets", [
    (SP_OPTIONS, {}, None, ()),  # options are masked by no_log already
    ({}, AWX_ENV, None, ("env-secret",)),
    ({}, USER_ENV, None, ("env-password",)),
    (dict(profile="work"), {}, PROFILES, ("work-password",)),
    ({}, {}, PROFILES, ("default-secret",)),
])
def test_secrets_to_mask(params, env, text, secrets):
    assert select_source(params, env, text, cli_available=False).secrets == secrets


def test_describe_names_kind_and_origin_only():
    source = select_source({}, AWX_ENV, None, cli_available=False)
    assert source.describe() == "service principal from environment (AWX names)"
    assert "env-secret" not in repr(source.describe())


# ---------------------------------------------------------------------------------------------------------------------
# issue 15, item 2: whitespace around IDs is trimmed, wherever they come from; a secret or a password is used as given,
# and refused when it holds a line break or another control character (docs/decisions.md, issue 15)

TRIMMED = [
    ("options", dict(client_id=" opt-client\n", tenant="opt-tenant\r\n", secret="opt-secret"), {}, None,
     "service_principal", dict(client_id="opt-client", tenant="opt-tenant", secret="opt-secret")),
    ("AWX variables, the secret as given", {}, dict(AZURE_CLIENT_ID="env-client\n", AZURE_SECRET=" env secret ", AZURE_TENANT="\tenv-tenant"), None,
     "service_principal", dict(client_id="env-client", tenant="env-tenant", secret=" env secret ")),
    ("azure-identity variables", {}, dict(AZURE_CLIENT_ID="c\n", AZURE_CLIENT_SECRET="s", AZURE_TENANT_ID="t\n"), None,
     "service_principal", dict(client_id="c", tenant="t", secret="s")),
    ("user", dict(ad_user=" someone@example.com\n", password=" pass word "), {}, None,
     "user", dict(ad_user="someone@example.com", password=" pass word ", client_id=None, tenant=None)),
    ("AZURE_USERNAME", {}, dict(AZURE_USERNAME="u@example.com\n", AZURE_PASSWORD="p"), None,
     "user", dict(ad_user="u@example.com", password="p", client_id=None, tenant=None)),
    ("profile option", dict(profile=" work\n"), {}, PROFILES, "user", None),
    ("AZURE_PROFILE", {}, dict(AZURE_PROFILE="work\r\n"), PROFILES, "user", None),
    ("workload identity", {}, dict(AZURE_FEDERATED_TOKEN_FILE="/t", AZURE_CLIENT_ID="wl\n", AZURE_TENANT_ID=" t "), None,
     "workload_identity", dict(client_id="wl", tenant="t", token_file="/t")),
    ("managed identity", dict(auth_source="msi", client_id="uami\n"), {}, None, "managed_identity", dict(client_id="uami")),
    ("cli", dict(auth_source="cli", tenant="t\n"), {}, None, "cli", dict(tenant="t")),
]


@pytest.mark.parametrize("params, env, text, kind, values", [c[1:] for c in TRIMMED], ids=[c[0] for c in TRIMMED])
def test_whitespace_around_ids_is_trimmed(params, env, text, kind, values):
    source = select_source(params, env, text, cli_available=False)
    assert source.kind == kind
    if values is not None:
        assert source.values == values


def test_subscription_and_cloud_are_trimmed_too():
    source = select_source(dict(SP_OPTIONS, cloud_environment=" AzureChinaCloud\n"), dict(AZURE_SUBSCRIPTION_ID=SUB + "\n"), None,
                           cli_available=False)
    assert (source.subscription_id, source.cloud_environment) == (SUB, "AzureChinaCloud")
    assert setting("subscription_id", {"subscription_id": "\t" + SUB + "\r\n"}, {}) == SUB
    assert setting("cloud_environment", {}, dict(AZURE_CLOUD_ENVIRONMENT=STACK + "\n")) == STACK


def test_an_id_of_whitespace_only_is_not_given():
    with pytest.raises(AuthError) as info:
        select_source(dict(client_id=" \n", secret="s", tenant="t"), {}, None, cli_available=False)
    assert "options: secret and tenant given but client_id missing" == str(info.value)


REFUSED = [
    ("secret option", dict(client_id="c", tenant="t", secret="s3cr3t-value\n"), {}, None, "the secret from options holds a line break"),
    ("AZURE_SECRET", {}, dict(AZURE_CLIENT_ID="c", AZURE_SECRET="\ns3cr3t-value", AZURE_TENANT="t"), None,
     "the secret from environment (AWX names) holds a line break"),
    ("AZURE_PASSWORD", {}, dict(AZURE_AD_USER="u", AZURE_PASSWORD="s3cr3t-value\r"), None, "the password from environment (AWX names)"),
    ("profile secret on two lines", {}, {}, "[default]\nclient_id = c\ntenant = t\nsecret = s3cr3t-value\n  more\n",
     "the secret from profile 'default' in ~/.azure/credentials holds a line break"),
    ("secret with a NUL", dict(client_id="c", tenant="t", secret="s3cr3t-value\x00"), {}, None, "another control character"),
    ("client_id with a line break inside", dict(client_id="a\nb", tenant="t", secret="s3cr3t-value"), {}, None,
     "client_id from options must not contain control characters or line breaks"),
    ("tenant with U+2028", {}, dict(AZURE_CLIENT_ID="c", AZURE_SECRET="s3cr3t-value", AZURE_TENANT="t\u2028x"), None,
     "tenant from environment (AWX names) must not contain"),
]


@pytest.mark.parametrize("params, env, text, fragment", [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_a_line_break_in_a_secret_or_inside_an_id_is_refused_without_showing_it(params, env, text, fragment):
    with pytest.raises(AuthError) as info:
        select_source(params, env, text, cli_available=False)
    assert info.value.code == "InvalidCredentials" and fragment in str(info.value)
    assert "s3cr3t" not in str(info.value)
