# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A token read from azure-identity's unencrypted cache file without azure-identity: which file, which entry. No network."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.azureml.model_management.plugins.module_utils.cached_token import (
    REFRESH_OFFSET,
    CachedToken,
    TokenQuery,
    cached_token,
    find_token,
    read_private_file,
)

NOW = 1800000000
SCOPE = "https://management.core.windows.net//.default"
QUERY = TokenQuery("client-1", "tenant-1", "login.microsoftonline.com", SCOPE)


def entry(**changes):
    """An access token entry as msal writes it for a client credential (strings for times, home_account_id null)."""
    value = {"credential_type": "AccessToken", "secret": "eyJ0eXAi.eyJhdWQi.c2ln-_", "home_account_id": None,
             "environment": "login.microsoftonline.com", "client_id": "client-1", "target": SCOPE, "realm": "tenant-1",
             "token_type": "Bearer", "cached_at": str(NOW - 100), "expires_on": str(NOW + 3600), "extended_expires_on": str(NOW + 3600)}
    value.update(changes)
    return dict((key, item) for key, item in value.items() if item is not Ellipsis)


def cache_text(*entries):
    return json.dumps({"AccessToken": dict(("key-%d" % number, value) for number, value in enumerate(entries)), "AppMetadata": {}})


def test_the_token_of_this_client_tenant_cloud_and_scope_is_found():
    other = entry(client_id="client-2", secret="other")
    assert find_token(cache_text(other, entry()), QUERY, NOW) == CachedToken("eyJ0eXAi.eyJhdWQi.c2ln-_", NOW + 3600)


@pytest.mark.parametrize("changes", [
    dict(client_id="client-2"), dict(realm="tenant-2"), dict(environment="login.chinacloudapi.cn"), dict(target="https://graph/.default"),
    dict(home_account_id="uid.utid"),  # a user's token
    dict(ext_cache_key="fmi"), dict(key_id="k"), dict(token_type="pop"),  # bound to something a client credential does not ask for
    dict(secret="a b"), dict(secret="tok\r\nX-Injected: 1"), dict(secret=""), dict(secret=12),  # unusable in a header
    dict(expires_on=str(NOW + REFRESH_OFFSET)), dict(expires_on=str(NOW - 1)),  # azure-identity would ask for a new one
    dict(refresh_on=str(NOW)), dict(refresh_on="soon"),
    dict(expires_on="tomorrow"), dict(expires_on=True), dict(expires_on=None), dict(expires_on=Ellipsis),
    dict(client_id=None), dict(environment=None),
], ids=lambda changes: ",".join("%s=%r" % item for item in changes.items()))
def test_an_entry_azure_identity_would_not_use_as_it_is_is_a_miss(changes):
    assert find_token(cache_text(entry(**changes)), QUERY, NOW) is None


def test_what_is_accepted_as_msal_may_write_it():
    """Environment in any case (msal lowers it), a scope among several, times as numbers, a refresh time still ahead."""
    found = entry(environment="Login.MicrosoftOnline.com", target="openid %s" % SCOPE, expires_on=NOW + 3600, refresh_on=str(NOW + 60))
    assert find_token(cache_text(found), QUERY, NOW) == CachedToken(found["secret"], NOW + 3600)


@pytest.mark.parametrize("text", ["", "{", '{"AccessToken": {"k": {"secret": "eyJ0', "[]", '"text"', '{"AccessToken": []}',
                                  '{"AccessToken": {"k": "v"}}', "null", "{}"])
def test_a_cache_that_does_not_parse_or_holds_nothing_usable_is_a_miss(text):
    assert find_token(text, QUERY, NOW) is None


# ---------------------------------------------------------------------------------------------------------------------
# which files are read


def write(path, text, mode=0o600):
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return str(path)


def test_a_private_file_of_ours_is_read(tmp_path):
    assert read_private_file(write(tmp_path / "cache", "{}")) == "{}"


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660, 0o606])
def test_a_file_others_may_read_or_write_is_not(tmp_path, mode):
    assert read_private_file(write(tmp_path / "cache", "{}", mode)) is None


def test_a_symbolic_link_a_fifo_a_directory_and_a_missing_file_are_not(tmp_path):
    target = write(tmp_path / "target", "{}")
    (tmp_path / "link").symlink_to(target)
    os.mkfifo(str(tmp_path / "fifo"), 0o600)
    (tmp_path / "dir").mkdir(mode=0o700)
    for name in ("link", "fifo", "dir", "missing"):
        assert read_private_file(str(tmp_path / name)) is None, name  # the FIFO would block a plain open()


def test_a_file_too_large_or_not_utf8_is_not(tmp_path):
    assert read_private_file(write(tmp_path / "big", "x" * 101), max_bytes=100) is None
    assert read_private_file(write(tmp_path / "exact", "x" * 100), max_bytes=100) == "x" * 100
    (tmp_path / "latin").write_bytes(b"{\xff}")
    (tmp_path / "latin").chmod(0o600)
    assert read_private_file(str(tmp_path / "latin")) is None


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give a file to another user")
def test_a_file_of_another_user_is_not(tmp_path):
    path = write(tmp_path / "cache", "{}")
    os.chown(path, 4242, -1)
    assert read_private_file(path) is None


def test_cached_token_reads_the_file_and_finds_the_token(tmp_path):
    path = write(tmp_path / "azureml.model_management.nocae", cache_text(entry()))
    assert cached_token(path, QUERY, NOW).token == "eyJ0eXAi.eyJhdWQi.c2ln-_"
    assert cached_token(str(tmp_path / "missing"), QUERY, NOW) is None


def test_the_file_msal_extensions_writes_is_read_as_azure_identity_reads_it(tmp_path):
    """The format is msal's, written by msal-extensions' FilePersistence (what azure-identity uses with allow_unencrypted):
    a token added the way azure-identity adds a client-credential answer is found, and one for another scope is not."""
    msal = pytest.importorskip("msal")
    msal_extensions = pytest.importorskip("msal_extensions")

    path = str(tmp_path / "azureml.model_management.nocae")
    cache = msal_extensions.PersistedTokenCache(msal_extensions.FilePersistence(path))
    endpoint = "https://login.microsoftonline.com/tenant-1/oauth2/v2.0/token"
    response = {"access_token": "eyJhbGciOi.eyJleHAiOj.sig", "token_type": "Bearer", "expires_in": 3599}
    cache.add(dict(client_id="client-1", scope=[SCOPE], token_endpoint=endpoint, response=response, environment="login.microsoftonline.com",
                   grant_type="client_credentials"), now=NOW)
    assert isinstance(cache, msal.TokenCache)
    assert cached_token(path, QUERY, NOW) == CachedToken("eyJhbGciOi.eyJleHAiOj.sig", NOW + 3599)
    assert cached_token(path, QUERY._replace(scope="https://graph.microsoft.com/.default"), NOW) is None
    assert cached_token(path, QUERY, NOW + 3599 - REFRESH_OFFSET) is None  # azure-identity would refresh it now
