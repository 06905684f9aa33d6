# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Clouds, the credential precedence table, azure-identity credentials and the token provider. No network."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.azureml.model_management.plugins.module_utils import auth
from ansible_collections.azureml.model_management.plugins.module_utils.auth import AuthError, CloudEndpoints, select_source
from ansible_collections.azureml.model_management.plugins.module_utils.retry import RetryPolicy

SUB = "00000000-0000-0000-0000-000000000001"
SUB2 = "00000000-0000-0000-0000-000000000002"
STACK = "https://management.local.azurestack.external"

# ---------------------------------------------------------------------------------------------------------------------
# clouds


@pytest.mark.parametrize("name, resource_manager, authority, scope", [
    (None, "https://management.azure.com", "https://login.microsoftonline.com", "https://management.core.windows.net/.default"),
    ("AzureCloud", "https://management.azure.com", "https://login.microsoftonline.com", "https://management.core.windows.net/.default"),
    ("azurepubliccloud", "https://management.azure.com", "https://login.microsoftonline.com", "https://management.core.windows.net/.default"),
    ("AZURECHINACLOUD", "https://management.chinacloudapi.cn", "https://login.chinacloudapi.cn", "https://management.core.chinacloudapi.cn/.default"),
    (" AzureUSGovernment ", "https://management.usgovcloudapi.net", "https://login.microsoftonline.us",
     "https://management.core.usgovcloudapi.net/.default"),
])
def test_known_clouds(name, resource_manager, authority, scope):
    cloud = auth.resolve_cloud(name, session=object())  # a session that would fail if used
    assert (cloud.resource_manager, cloud.authority, cloud.scope, cloud.custom) == (resource_manager, authority, scope, False)


class MetadataResponse(object):
    def __init__(self, status, body=None, headers=None):
        self.status_code = status
        self.body = body
        self.headers = headers or {}

    def json(self):
        if isinstance(self.body, Exception):
            raise self.body
        return self.body


class MetadataSession(object):
    """Answers GETs with ``reply``, or with each of ``replies`` in turn (the last one repeats)."""

    def __init__(self, reply=None, replies=None):
        self.replies = list(replies or [reply])
        self.calls = []

    def get(self, url, **kwargs):
        self.calls.append((url, kwargs))
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(reply, Exception):
            raise reply
        return reply


def test_custom_cloud_from_metadata():
    metadata = {"galleryEndpoint": "x", "authentication": {"loginEndpoint": "https://login.stack.test/", "audiences": ["https://management.stack.test/abc"]}}
    session = MetadataSession(MetadataResponse(200, metadata))
    cloud = auth.resolve_cloud(STACK + "/", verify=False, timeout=9, session=session)
    assert cloud == CloudEndpoints(STACK, STACK, "https://login.stack.test", "https://management.stack.test/abc", True)
    assert cloud.scope == "https://management.stack.test/abc/.default"
    url, kwargs = session.calls[0]
    assert url == STACK + "/metadata/endpoints?api-version=2015-01-01"
    assert kwargs["verify"] is False and kwargs["timeout"] == 9 and "Authorization" not in kwargs["headers"]


@pytest.mark.parametrize("reply, fragment", [
    (MetadataResponse(404, {}), "HTTP 404"),
    (MetadataResponse(200, ValueError("not json")), "authentication.loginEndpoint"),
    (MetadataResponse(200, {"authentication": {"loginEndpoint": "https://login"}}), "authentication.audiences"),
    (MetadataResponse(200, {"authentication": {"loginEndpoint": "https://login", "audiences": []}}), "authentication.audiences"),
    (MetadataResponse(200, {"authentication": {"loginEndpoint": "http://login", "audiences": ["a"]}}), "https"),
    (MetadataResponse(200, ["not", "a", "dict"]), "authentication.loginEndpoint"),
    (requests.exceptions.ConnectionError("refused"), "ConnectionError"),
    (requests.exceptions.SSLError("certificate verify failed"), "REQUESTS_CA_BUNDLE"),
])
def test_bad_cloud_metadata(reply, fragment):
    with pytest.raises(AuthError) as info:
        auth.resolve_cloud(STACK, session=MetadataSession(reply), sleep=lambda seconds: None)
    message = str(info.value)
    assert message.startswith("cloud_environment %r: cannot read the cloud metadata from %s/metadata/endpoints?api-version=2015-01-01" % (STACK, STACK))
    assert fragment in message


@pytest.mark.parametrize("name", ["AzureGermanCloud", "http://management.local", "management.azure.com"])
def test_unknown_cloud_name(name):
    with pytest.raises(AuthError) as info:
        auth.resolve_cloud(name, session=object())
    assert "cloud_environment must be AzureCloud, AzureChinaCloud, AzureUSGovernment or the https:// URL" in str(info.value)


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
    ("secret without tenant", dict(client_id="c", secret="s"), {}, None, "options: secret given but tenant missing"),
    ("password without user", dict(password="p"), {}, None, "options: password given but ad_user missing"),
    ("env secret without client", {}, dict(AZURE_SECRET="s", AZURE_TENANT="t"), None, "environment: AZURE_SECRET given but AZURE_CLIENT_ID missing"),
    ("env user without password", {}, dict(AZURE_AD_USER="u"), None, "environment: AZURE_AD_USER given but AZURE_PASSWORD missing"),
    ("workload without tenant", {}, dict(AZURE_FEDERATED_TOKEN_FILE="/t", AZURE_CLIENT_ID="c"), None,
     "workload identity: AZURE_FEDERATED_TOKEN_FILE given but tenant or AZURE_TENANT_ID missing"),
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
# azure-identity credentials (constructed for real, never asked for a token)

CUSTOM = CloudEndpoints("https://127.0.0.1:8443", "https://127.0.0.1:8443", "https://127.0.0.1:8443", "https://127.0.0.1:8443/", True)
PUBLIC = auth.resolve_cloud("AzureCloud")


def source(kind, **values):
    return auth.CredentialSource(kind, values, "test", SUB, "AzureCloud", ())


def test_client_secret_credential_for_a_custom_cloud():
    from azure.identity import ClientSecretCredential

    credential = auth.build_credential(source("service_principal", client_id="c", secret="s", tenant="t"), CUSTOM, verify=False)
    assert isinstance(credential, ClientSecretCredential)
    assert credential._authority == "https://127.0.0.1:8443"
    assert credential._instance_discovery is False
    assert credential._client._pipeline._transport.connection_config.verify is False


def test_client_secret_credential_for_a_known_cloud_keeps_instance_discovery_and_verification():
    credential = auth.build_credential(source("service_principal", client_id="c", secret="s", tenant="t"), PUBLIC, verify=True)
    assert credential._authority == "https://login.microsoftonline.com"
    assert credential._instance_discovery is None
    assert credential._client._pipeline._transport.connection_config.verify is True


def test_user_credential_defaults_to_the_cli_public_client(recwarn):
    from azure.identity import UsernamePasswordCredential

    credential = auth.build_credential(source("user", ad_user="u@example.com", password="p", client_id=None, tenant=None), CUSTOM)
    assert isinstance(credential, UsernamePasswordCredential)
    assert credential._client_id == auth.AZURE_CLI_CLIENT_ID and credential._tenant_id == "organizations"
    assert not [w for w in recwarn if issubclass(w.category, DeprecationWarning)]


def test_other_credentials(monkeypatch, tmp_path):
    from azure.identity import AzureCliCredential, ManagedIdentityCredential, WorkloadIdentityCredential

    for var in ("IDENTITY_ENDPOINT", "IDENTITY_HEADER", "MSI_ENDPOINT", "MSI_SECRET", "AZURE_CLIENT_ID"):
        monkeypatch.delenv(var, raising=False)
    token_file = tmp_path / "token"
    token_file.write_text("jwt")
    workload = auth.build_credential(source("workload_identity", client_id="c", tenant="t", token_file=str(token_file)), CUSTOM)
    assert isinstance(workload, WorkloadIdentityCredential)
    assert isinstance(auth.build_credential(source("managed_identity", client_id="uami"), CUSTOM, verify=False), ManagedIdentityCredential)
    assert isinstance(auth.build_credential(source("cli", tenant=None), CUSTOM), AzureCliCredential)


# ---------------------------------------------------------------------------------------------------------------------
# TokenProvider


class AccessToken(object):
    def __init__(self, token, expires_on):
        self.token, self.expires_on = token, expires_on


class FakeCredential(object):
    made = 0

    def __init__(self, error=None):
        FakeCredential.made += 1
        self.number = FakeCredential.made
        self.error = error
        self.scopes = []

    def get_token(self, scope):
        self.scopes.append(scope)
        if self.error:
            raise self.error
        return AccessToken("token-%d" % self.number, 10000)


def test_token_is_cached_and_refresh_builds_a_new_credential():
    made = []

    def factory():
        made.append(FakeCredential())
        return made[-1]

    clock = [1000]
    tokens = auth.TokenProvider(factory, "https://x/.default", clock=lambda: clock[0])
    first = tokens.get_token()
    assert tokens.get_token() == first and len(made) == 1 and made[0].scopes == ["https://x/.default"]
    second = tokens.refresh()
    assert second != first and tokens.get_token() == second and len(made) == 2
    clock[0] = 10000 - 30  # about to expire: ask the (same) credential again
    tokens.get_token()
    assert len(made) == 2 and len(made[1].scopes) == 2


def test_concurrent_workers_share_one_token_and_one_refresh():
    """A fleet's workers share one TokenProvider: ten threads get one token, and ten 401s of the same token refresh once."""
    import threading

    made = []

    def factory():
        made.append(FakeCredential())
        return made[-1]

    tokens = auth.TokenProvider(factory, "s", clock=lambda: 1000)
    barrier = threading.Barrier(10)
    got = []

    def work(action):
        barrier.wait()
        got.append(action())

    threads = [threading.Thread(target=work, args=(tokens.get_token,)) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first = got[0]
    assert set(got) == {first} and len(made) == 1
    got[:] = []
    threads = [threading.Thread(target=work, args=(lambda: tokens.refresh(rejected=first),)) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(got)) == 1 and first not in got and len(made) == 2


def test_authentication_failure_is_clean_and_redacted():
    from azure.core.exceptions import ClientAuthenticationError

    error = ClientAuthenticationError(message="Authentication failed: AADSTS7000215: Invalid client secret provided (was 'hunter2').\nTrace ID: 1")
    tokens = auth.TokenProvider(lambda: FakeCredential(error), "s", "service principal from environment (AWX names)", secrets=("hunter2",))
    with pytest.raises(AuthError) as info:
        tokens.get_token()
    assert str(info.value) == ("authentication failed (service principal from environment (AWX names)): "
                               "AADSTS7000215: Invalid client secret provided (was '********'). Trace ID: 1")
    assert info.value.code == "AuthenticationFailed" and info.value.__cause__ is None and info.value.__suppress_context__


@pytest.mark.parametrize("error, code, fragment", [
    ("service_request", "AuthenticationFailed", "cannot get a token (managed identity from x): ServiceRequestError: connection refused"),
    (ValueError("Invalid tenant id provided"), "InvalidCredentials", "invalid credentials (managed identity from x): Invalid tenant id provided"),
])
def test_other_token_failures(error, code, fragment):
    from azure.core.exceptions import ServiceRequestError

    if error == "service_request":
        error = ServiceRequestError("connection refused")
    tokens = auth.TokenProvider(lambda: FakeCredential(error), "s", "managed identity from x")
    with pytest.raises(AuthError) as info:
        tokens.get_token()
    assert info.value.code == code and str(info.value) == fragment


def test_credential_factory_errors_are_converted_too():
    def factory():
        raise ValueError("tenant_id contains invalid characters")

    with pytest.raises(AuthError) as info:
        auth.TokenProvider(factory, "s", "user from options").refresh()
    assert str(info.value) == "invalid credentials (user from options): tenant_id contains invalid characters"


# ---------------------------------------------------------------------------------------------------------------------
# /metadata/endpoints is retried like any Resource Manager call (issue 6, defect 8)

GOOD_METADATA = {"authentication": {"loginEndpoint": "https://login.stack.test/", "audiences": ["https://management.stack.test/"]}}


class Pauses(object):
    """sleep() and clock() for the retry loop: records each pause and advances time by it."""

    def __init__(self):
        self.now = 0.0
        self.slept = []

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds

    def clock(self):
        return self.now


def resolve_with(session, pauses, random=lambda: 0.5, cache=None):
    return auth.resolve_cloud(STACK, session=session, sleep=pauses.sleep, clock=pauses.clock, random=random, cache=cache)


@pytest.mark.parametrize("first", [
    MetadataResponse(500, {"error": {"code": "InternalServerError"}}),
    MetadataResponse(502), MetadataResponse(503), MetadataResponse(504), MetadataResponse(429),
    requests.exceptions.ConnectionError("Connection aborted: RemoteDisconnected"),
    requests.exceptions.ReadTimeout("read timed out"),
])
def test_one_failed_metadata_request_is_retried_with_jitter(first):
    session, pauses = MetadataSession(replies=[first, MetadataResponse(200, GOOD_METADATA)]), Pauses()
    cloud = resolve_with(session, pauses, random=lambda: 0.25)
    assert cloud.authority == "https://login.stack.test" and len(session.calls) == 2
    assert pauses.slept == [0.25]  # full jitter: random() * min(cap, base * 2**0)


def test_metadata_retry_honours_retry_after():
    throttled = MetadataResponse(429, headers={"Retry-After": "7"})
    session, pauses = MetadataSession(replies=[throttled, throttled, MetadataResponse(200, GOOD_METADATA)]), Pauses()
    resolve_with(session, pauses)
    assert pauses.slept == [7.0, 7.0] and len(session.calls) == 3


def test_metadata_retries_are_bounded_by_count():
    session, pauses = MetadataSession(MetadataResponse(503)), Pauses()
    with pytest.raises(AuthError) as info:
        resolve_with(session, pauses, random=lambda: 0.0)
    assert len(session.calls) == RetryPolicy().max_retries + 1 and info.value.code == "CloudMetadataUnavailable"
    assert str(info.value).endswith(": HTTP 503")


def test_metadata_retries_are_bounded_by_time():
    session, pauses = MetadataSession(MetadataResponse(503, headers={"Retry-After": "50"})), Pauses()
    with pytest.raises(AuthError):
        resolve_with(session, pauses)
    assert pauses.slept == [50.0, 50.0] and len(session.calls) == 3  # a third pause would pass the 120 s budget


@pytest.mark.parametrize("reply", [MetadataResponse(404), MetadataResponse(401), requests.exceptions.SSLError("bad certificate")])
def test_metadata_errors_that_a_retry_cannot_fix_are_not_retried(reply):
    session, pauses = MetadataSession(reply), Pauses()
    with pytest.raises(AuthError):
        resolve_with(session, pauses)
    assert len(session.calls) == 1 and pauses.slept == []


# ---------------------------------------------------------------------------------------------------------------------
# Opt-in reuse across tasks: settings, directory, metadata cache


@pytest.mark.parametrize("params, env, expected", [
    ({}, {}, ("disabled", None)),
    ({}, {"ANSIBLE_AZURE_TOKEN_CACHE": "allow_unencrypted", "ANSIBLE_AZURE_TOKEN_CACHE_DIR": "/run/job"}, ("allow_unencrypted", "/run/job")),
    ({"token_cache": "encrypted", "token_cache_dir": "/a"},
     {"ANSIBLE_AZURE_TOKEN_CACHE": "allow_unencrypted", "ANSIBLE_AZURE_TOKEN_CACHE_DIR": "/b"}, ("encrypted", "/a")),
    ({"token_cache": "disabled"}, {"ANSIBLE_AZURE_TOKEN_CACHE": "allow_unencrypted"}, ("disabled", None)),
    ({}, {"ANSIBLE_AZURE_TOKEN_CACHE": " Encrypted ", "ANSIBLE_AZURE_TOKEN_CACHE_DIR": "/c/../d"}, ("encrypted", "/d")),
])
def test_cache_settings(params, env, expected):
    settings = auth.cache_settings(params, env)
    assert (settings.mode, settings.directory) == expected
    assert settings.enabled == (expected[0] != "disabled")


@pytest.mark.parametrize("params, env, fragment", [
    ({"token_cache": "encrypted"}, {}, "token_cache encrypted needs token_cache_dir (or ANSIBLE_AZURE_TOKEN_CACHE_DIR)"),
    ({}, {"ANSIBLE_AZURE_TOKEN_CACHE": "yes"}, "must be one of disabled, encrypted, allow_unencrypted, got 'yes'"),
])
def test_cache_settings_errors(params, env, fragment):
    with pytest.raises(AuthError) as info:
        auth.cache_settings(params, env)
    assert fragment in str(info.value)


def test_cache_dir_is_created_private(tmp_path):
    directory = tmp_path / "job" / "azure"
    auth.prepare_cache_dir(str(directory))
    assert directory.stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o722])
def test_cache_dir_writable_by_others_is_refused(tmp_path, mode):
    directory = tmp_path / "shared"
    directory.mkdir()
    directory.chmod(mode)
    with pytest.raises(AuthError) as info:
        auth.prepare_cache_dir(str(directory))
    assert "writable by nobody else" in str(info.value) and "%04o" % mode in str(info.value)


def test_cache_dir_symlink_is_refused(tmp_path):
    (tmp_path / "real").mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with pytest.raises(AuthError) as info:
        auth.prepare_cache_dir(str(tmp_path / "link"))
    assert "not a directory" in str(info.value)


def test_metadata_cache_keeps_documents_private_and_expires_them(tmp_path):
    now = [1000.0]
    cache = auth.MetadataCache(str(tmp_path), max_age=60, clock=lambda: now[0])
    assert cache.get("https://a/x") is None
    cache.put("https://a/x", {"k": 1})
    (stored,) = list(tmp_path.iterdir())
    assert stored.stat().st_mode & 0o777 == 0o600
    assert cache.get("https://a/x") == {"k": 1} and cache.get("https://a/y") is None
    now[0] += 59
    assert cache.get("https://a/x") == {"k": 1}
    now[0] += 1
    assert cache.get("https://a/x") is None


def test_metadata_cache_ignores_a_damaged_file(tmp_path):
    cache = auth.MetadataCache(str(tmp_path))
    cache.put("https://a/x", {"k": 1})
    (stored,) = list(tmp_path.iterdir())
    stored.write_text("{not json")
    assert cache.get("https://a/x") is None


def test_resolve_cloud_reads_metadata_once_while_the_cache_is_fresh(tmp_path):
    now = [0.0]
    cache = auth.MetadataCache(str(tmp_path), max_age=100, clock=lambda: now[0])
    session, pauses = MetadataSession(MetadataResponse(200, GOOD_METADATA)), Pauses()
    first = resolve_with(session, pauses, cache=cache)
    now[0] = 99
    assert resolve_with(session, pauses, cache=cache) == first and len(session.calls) == 1
    now[0] = 100  # expired: fetched again
    assert resolve_with(session, pauses, cache=cache) == first and len(session.calls) == 2


# ---------------------------------------------------------------------------------------------------------------------
# Opt-in reuse across tasks: credentials and refresh


def test_service_principal_credential_uses_azure_identity_persistent_cache_in_the_named_directory(tmp_path):
    from azure.identity import ClientSecretCredential

    cache = auth.CacheSettings("allow_unencrypted", str(tmp_path))
    credential = auth.build_credential(source("service_principal", client_id="c", secret="s", tenant="t"), CUSTOM, False, cache)
    assert isinstance(credential, ClientSecretCredential)
    options = credential._cache_options
    assert options.name == str(tmp_path / "azureml.model_management") and options.allow_unencrypted_storage is True
    assert credential._client._pipeline._transport.connection_config.verify is False
    encrypted = auth.build_credential(source("service_principal", client_id="c", secret="s", tenant="t"), CUSTOM, True,
                                      auth.CacheSettings("encrypted", str(tmp_path)))
    assert encrypted._cache_options.allow_unencrypted_storage is False


def test_no_persistent_cache_unless_asked_or_for_other_kinds(tmp_path):
    plain = auth.build_credential(source("service_principal", client_id="c", secret="s", tenant="t"), CUSTOM)
    assert plain._cache_options is None
    assert "managed_identity" not in auth.CACHEABLE_KINDS and "cli" not in auth.CACHEABLE_KINDS


def test_discovery_documents_are_answered_from_the_cache(tmp_path):
    """A warm cache answers msal's OpenID discovery without the network (192.0.2.1 is unroutable by design)."""
    url = "https://192.0.2.1/tenant/v2.0/.well-known/openid-configuration"
    cache = auth.MetadataCache(str(tmp_path))
    cache.put(url, {"token_endpoint": "https://192.0.2.1/tenant/oauth2/v2.0/token"})
    session = requests.Session()
    session.mount("https://", auth._discovery_adapter(cache))
    response = session.get(url, timeout=0.01)
    assert response.status_code == 200 and response.json()["token_endpoint"].endswith("/token")
    with pytest.raises(requests.exceptions.RequestException):  # anything else still goes to the network
        session.get("https://192.0.2.1/tenant/oauth2/v2.0/token", timeout=0.01)


class ClaimsCredential(FakeCredential):
    def get_token(self, scope, claims=None):
        self.scopes.append((scope, claims))
        return AccessToken("token-%d" % self.number, 10000)


def test_refresh_with_a_persistent_cache_asks_for_a_token_newer_than_now():
    made = []

    def factory():
        made.append(ClaimsCredential())
        return made[-1]

    cache = auth.CacheSettings("allow_unencrypted", "/x")
    tokens = auth.TokenProvider(factory, "s", clock=lambda: 1234.9, cache=cache)
    tokens.get_token()
    tokens.refresh()
    assert made[0].scopes == [("s", None)]
    assert made[1].scopes == [("s", '{"access_token": {"nbf": {"essential": true, "value": "1234"}}}')]
    tokens_without_cache = auth.TokenProvider(factory, "s", clock=lambda: 1234.9)
    tokens_without_cache.refresh()
    assert made[2].scopes == [("s", None)]


def test_no_encrypted_store_says_how_to_opt_in():
    from azure.core.exceptions import ClientAuthenticationError

    error = ClientAuthenticationError(message="Authentication failed: Cache encryption is impossible because libsecret dependencies "
                                              "are not installed or are unusable")
    tokens = auth.TokenProvider(lambda: FakeCredential(error), "s", cache=auth.CacheSettings("encrypted", "/x"))
    with pytest.raises(AuthError) as info:
        tokens.get_token()
    assert info.value.code == "TokenCacheUnavailable"
    assert "token_cache: allow_unencrypted" in str(info.value) and "0600" in str(info.value)
