# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""azure-identity credentials (constructed for real, never asked for a token) and the token provider. No network."""

from __future__ import annotations

import json
import os
import time

import pytest

from ansible_collections.azureml.model_management.plugins.module_utils import cloud as clouds
from ansible_collections.azureml.model_management.plugins.module_utils import credentials, token_cache
from ansible_collections.azureml.model_management.plugins.module_utils.cloud import CloudEndpoints
from ansible_collections.azureml.model_management.plugins.module_utils.errors import AuthError
from ansible_collections.azureml.model_management.plugins.module_utils.token_cache import CACHEABLE_KINDS
from ansible_collections.azureml.model_management.plugins.module_utils.token_fetch import AZURE_CLI_CLIENT_ID, build_credential
from ansible_collections.azureml.model_management.plugins.module_utils.tokens import TokenProvider
from ansible_collections.azureml.model_management.tests.unit.fakes import SUB, AccessToken, FakeCredential


# ---------------------------------------------------------------------------------------------------------------------
# azure-identity credentials (constructed for real, never asked for a token)

CUSTOM = CloudEndpoints("https://127.0.0.1:8443", "https://127.0.0.1:8443", "https://127.0.0.1:8443", "https://127.0.0.1:8443/", True)
PUBLIC = clouds.resolve_cloud("AzureCloud")


def source(kind, **values):
    return credentials.CredentialSource(kind, values, "test", SUB, "AzureCloud", ())


def test_client_secret_credential_for_a_custom_cloud():
    from azure.identity import ClientSecretCredential

    credential = build_credential(source("service_principal", client_id="c", secret="s", tenant="t"), CUSTOM, verify=False)
    assert isinstance(credential, ClientSecretCredential)
    assert credential._authority == "https://127.0.0.1:8443"
    assert credential._instance_discovery is False
    assert credential._client._pipeline._transport.connection_config.verify is False


def test_client_secret_credential_for_a_known_cloud_keeps_instance_discovery_and_verification():
    credential = build_credential(source("service_principal", client_id="c", secret="s", tenant="t"), PUBLIC, verify=True)
    assert credential._authority == "https://login.microsoftonline.com"
    assert credential._instance_discovery is None
    assert credential._client._pipeline._transport.connection_config.verify is True


def test_user_credential_defaults_to_the_cli_public_client(recwarn):
    from azure.identity import UsernamePasswordCredential

    credential = build_credential(source("user", ad_user="u@example.com", password="p", client_id=None, tenant=None), CUSTOM)
    assert isinstance(credential, UsernamePasswordCredential)
    assert credential._client_id == AZURE_CLI_CLIENT_ID and credential._tenant_id == "organizations"
    assert not [w for w in recwarn if issubclass(w.category, DeprecationWarning)]


def test_other_credentials(monkeypatch, tmp_path):
    from azure.identity import AzureCliCredential, ManagedIdentityCredential, WorkloadIdentityCredential

    for var in ("IDENTITY_ENDPOINT", "IDENTITY_HEADER", "MSI_ENDPOINT", "MSI_SECRET", "AZURE_CLIENT_ID"):
        monkeypatch.delenv(var, raising=False)
    token_file = tmp_path / "token"
    token_file.write_text("jwt")
    workload = build_credential(source("workload_identity", client_id="c", tenant="t", token_file=str(token_file)), CUSTOM)
    assert isinstance(workload, WorkloadIdentityCredential)
    assert isinstance(build_credential(source("managed_identity", client_id="uami"), CUSTOM, verify=False), ManagedIdentityCredential)
    assert isinstance(build_credential(source("cli", tenant=None), CUSTOM), AzureCliCredential)


# ---------------------------------------------------------------------------------------------------------------------
# TokenProvider


def test_token_is_cached_and_refresh_builds_a_new_credential():
    made = []

    def factory():
        made.append(FakeCredential())
        return made[-1]

    clock = [1000]
    tokens = TokenProvider(factory, "https://x/.default", clock=lambda: clock[0])
    first = tokens.get_token()
    assert tokens.get_token() == first and len(made) == 1 and made[0].scopes == ["https://x/.default"]
    second = tokens.refresh()
    assert second != first and tokens.get_token() == second and len(made) == 2
    clock[0] = 10000 - 30  # about to expire: ask the (same) credential again
    tokens.get_token()
    assert len(made) == 2 and len(made[1].scopes) == 2


def test_a_token_from_the_warm_cache_is_used_without_making_a_credential():
    made, asked = [], []

    def cached(now):
        asked.append(now)
        return ("cached-token", 5000)

    tokens = TokenProvider(lambda: made.append(FakeCredential()) or made[-1], "s", clock=lambda: 1000, cached=cached)
    assert tokens.get_token() == "cached-token" and tokens.get_token() == "cached-token"
    assert asked == [1000] and made == []  # read once; no credential, so azure-identity is never imported
    assert tokens.refresh() == "token-%d" % made[0].number  # refused by Resource Manager: a credential, not the cache again
    assert asked == [1000] and len(made) == 1


def test_a_miss_in_the_warm_cache_falls_back_to_the_credential_once():
    made, asked = [], []
    tokens = TokenProvider(lambda: made.append(FakeCredential()) or made[-1], "s", clock=lambda: 1000, cached=asked.append)  # a miss: None
    token = tokens.get_token()
    assert token == "token-%d" % made[0].number and tokens.get_token() == token and asked == [1000] and len(made) == 1


def test_a_cached_token_about_to_expire_is_renewed_by_the_credential():
    made = []
    clock = [1000]
    tokens = TokenProvider(lambda: made.append(FakeCredential()) or made[-1], "s", clock=lambda: clock[0], cached=lambda now: ("old", 1400))
    assert tokens.get_token() == "old"
    clock[0] = 1400 - 30
    assert tokens.get_token() == "token-%d" % made[0].number


def test_an_installed_azure_identity_that_cannot_be_imported_is_named_with_the_reason():
    def factory():
        raise ModuleNotFoundError("No module named 'msal'")

    with pytest.raises(AuthError) as info:
        TokenProvider(factory, "s").get_token()
    assert info.value.code == "MissingLibrary"
    assert str(info.value).startswith("Failed to import the required Python library (azure-identity) on ")
    assert "(ModuleNotFoundError: No module named 'msal')" in str(info.value) and "-m pip install 'azure-identity>=1.15'" in str(info.value)


def test_concurrent_workers_share_one_token_and_one_refresh():
    """A fleet's workers share one TokenProvider: ten threads get one token, and ten 401s of the same token refresh once."""
    import threading

    made = []

    def factory():
        made.append(FakeCredential())
        return made[-1]

    tokens = TokenProvider(factory, "s", clock=lambda: 1000)
    barrier = threading.Barrier(10)
    got = []

    def work(action):
        barrier.wait()
        got.append(action())

    threads = [threading.Thread(target=work, args=(tokens.get_token,)) for _worker in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first = got[0]
    assert set(got) == {first} and len(made) == 1
    got[:] = []
    threads = [threading.Thread(target=work, args=(lambda: tokens.refresh(rejected=first),)) for _worker in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(got)) == 1 and first not in got and len(made) == 2


def test_authentication_failure_is_clean_and_redacted():
    from azure.core.exceptions import ClientAuthenticationError

    error = ClientAuthenticationError(message="Authentication failed: AADSTS7000215: Invalid client secret provided (was 'hunter2').\nTrace ID: 1")
    tokens = TokenProvider(lambda: FakeCredential(error), "s", "service principal from environment (AWX names)", secrets=("hunter2",))
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
    tokens = TokenProvider(lambda: FakeCredential(error), "s", "managed identity from x")
    with pytest.raises(AuthError) as info:
        tokens.get_token()
    assert info.value.code == code and str(info.value) == fragment


def test_credential_factory_errors_are_converted_too():
    def factory():
        raise ValueError("tenant_id contains invalid characters")

    with pytest.raises(AuthError) as info:
        TokenProvider(factory, "s", "user from options").refresh()
    assert str(info.value) == "invalid credentials (user from options): tenant_id contains invalid characters"


# ---------------------------------------------------------------------------------------------------------------------
# Opt-in reuse across tasks: credentials and refresh


def test_service_principal_credential_uses_azure_identity_persistent_cache_in_the_named_directory(tmp_path):
    from azure.identity import ClientSecretCredential

    cache = token_cache.CacheSettings("allow_unencrypted", str(tmp_path))
    credential = build_credential(source("service_principal", client_id="c", secret="s", tenant="t"), CUSTOM, False, cache)
    assert isinstance(credential, ClientSecretCredential)
    options = credential._cache_options
    assert options.name == str(tmp_path / "azureml.model_management") and options.allow_unencrypted_storage is True
    assert credential._client._pipeline._transport.connection_config.verify is False
    encrypted = build_credential(source("service_principal", client_id="c", secret="s", tenant="t"), CUSTOM, True,
                                 token_cache.CacheSettings("encrypted", str(tmp_path)))
    assert encrypted._cache_options.allow_unencrypted_storage is False


def test_no_persistent_cache_unless_asked_or_for_other_kinds(tmp_path):
    plain = build_credential(source("service_principal", client_id="c", secret="s", tenant="t"), CUSTOM)
    assert plain._cache_options is None
    assert "managed_identity" not in CACHEABLE_KINDS and "cli" not in CACHEABLE_KINDS


class ClaimsCredential(FakeCredential):
    def get_token(self, scope, claims=None):
        self.scopes.append((scope, claims))
        return AccessToken("token-%d" % self.number, 10000)


def test_refresh_with_a_persistent_cache_asks_for_a_token_newer_than_now():
    made = []

    def factory():
        made.append(ClaimsCredential())
        return made[-1]

    cache = token_cache.CacheSettings("allow_unencrypted", "/x")
    tokens = TokenProvider(factory, "s", clock=lambda: 1234.9, cache=cache)
    tokens.get_token()
    tokens.refresh()
    assert made[0].scopes == [("s", None)]
    assert made[1].scopes == [("s", '{"access_token": {"nbf": {"essential": true, "value": "1234"}}}')]
    tokens_without_cache = TokenProvider(factory, "s", clock=lambda: 1234.9)
    tokens_without_cache.refresh()
    assert made[2].scopes == [("s", None)]


def test_no_encrypted_store_says_how_to_opt_in():
    from azure.core.exceptions import ClientAuthenticationError

    error = ClientAuthenticationError(message="Authentication failed: Cache encryption is impossible because libsecret dependencies "
                                              "are not installed or are unusable")
    tokens = TokenProvider(lambda: FakeCredential(error), "s", cache=token_cache.CacheSettings("encrypted", "/x"))
    with pytest.raises(AuthError) as info:
        tokens.get_token()
    assert info.value.code == "TokenCacheUnavailable"
    assert "token_cache: allow_unencrypted" in str(info.value) and "0600" in str(info.value)


# ---------------------------------------------------------------------------------------------------------------------
# issue 15, item 5: a token cache cut short is a miss (warned about, removed, a new token), not an outage


class CacheReadingCredential(FakeCredential):
    """Reads the cache file through msal-extensions (as azure-identity's credentials do) and wraps a failure the way
    azure-identity does (ClientAuthenticationError raised from it); when the read works, writes a good cache."""

    def __init__(self, path, before_read=None):
        super(CacheReadingCredential, self).__init__()
        self.path = path
        self.before_read = before_read

    def get_token(self, scope, claims=None):
        from azure.core.exceptions import ClientAuthenticationError
        from msal_extensions import FilePersistence, PersistedTokenCache

        self.scopes.append((scope, claims))
        if self.before_read:
            self.before_read()
        try:
            PersistedTokenCache(FilePersistence(self.path)).search("AccessToken")
        except Exception as exc:  # pylint: disable=broad-except
            raise ClientAuthenticationError(message="Authentication failed: {}".format(exc)) from exc
        with open(self.path, "w", encoding="utf-8") as handle:
            json.dump({"AccessToken": {}}, handle)
        return AccessToken("token-%d" % self.number, 10000)


@pytest.fixture
def damaged_cache(tmp_path, monkeypatch):
    """A cache directory whose token cache file was cut short in the middle of a string; msal-extensions' 1 s of retries skipped."""
    import msal_extensions.token_cache

    monkeypatch.setattr(msal_extensions.token_cache.time, "sleep", lambda seconds: None)
    cache = token_cache.CacheSettings("allow_unencrypted", str(tmp_path))
    with open(cache.token_cache_files[0], "w", encoding="utf-8") as handle:
        handle.write('{"AccessToken": {"key": {"secret": "eyJ0eXAiOiJKV1Qi')
    os.utime(cache.token_cache_files[0], (1000, 1000))  # written long before this task
    return cache


def test_a_cache_cut_short_is_removed_warned_about_and_replaced(damaged_cache):
    made, warnings = [], []

    def factory():
        made.append(CacheReadingCredential(damaged_cache.token_cache_files[0]))
        return made[-1]

    tokens = TokenProvider(factory, "s", cache=damaged_cache, warn=warnings.append)
    assert tokens.get_token() == "token-%d" % made[-1].number and len(made) == 2
    assert len(warnings) == 1 and damaged_cache.token_cache_files[0] in warnings[0] and "JSONDecodeError" in warnings[0]
    assert "eyJ0" not in warnings[0]  # nothing of the file's content
    with open(damaged_cache.token_cache_files[0], encoding="utf-8") as handle:
        assert json.load(handle) == {"AccessToken": {}}  # a good cache again


def test_a_cache_rewritten_meanwhile_by_another_task_is_not_removed(damaged_cache):
    """The file changed after this task started reading it: it is another task's write, read again, never removed."""
    path = damaged_cache.token_cache_files[0]

    def factory():
        return CacheReadingCredential(path, before_read=lambda: os.utime(path, (time.time() + 60, time.time() + 60)))

    warnings = []
    with pytest.raises(AuthError) as info:
        TokenProvider(factory, "s", cache=damaged_cache, warn=warnings.append).get_token()
    assert info.value.code == "TokenCacheDamaged" and path in str(info.value) and "eyJ0" not in str(info.value)
    assert os.path.exists(path) and len(warnings) == 1 and "not removed" in warnings[0]


def test_a_value_error_from_elsewhere_is_not_taken_for_a_damaged_cache(damaged_cache, fake_credential):
    from azure.core.exceptions import ClientAuthenticationError

    def failing():
        try:
            json.loads("{not json from the identity provider")
        except ValueError as exc:
            raise ClientAuthenticationError(message="Authentication failed: %s" % exc) from exc

    credential = fake_credential
    credential.get_token = lambda scope, **kwargs: failing()
    warnings = []
    with pytest.raises(AuthError) as info:
        TokenProvider(lambda: credential, "s", cache=damaged_cache, warn=warnings.append).get_token()
    assert info.value.code == "AuthenticationFailed" and warnings == [] and os.path.exists(damaged_cache.token_cache_files[0])


def test_without_the_cache_a_damaged_file_is_none_of_our_business(damaged_cache):
    made = []

    def factory():
        made.append(CacheReadingCredential(damaged_cache.token_cache_files[0]))
        return made[-1]

    with pytest.raises(AuthError) as info:
        TokenProvider(factory, "s", warn=lambda message: None).get_token()
    assert info.value.code == "AuthenticationFailed" and len(made) == 1
