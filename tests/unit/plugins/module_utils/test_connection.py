# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The subscription a task uses (trimmed, then matched whole against the GUID pattern), the one ``Connection`` that modules
and the inventory plugin resolve their credentials through, and the token a warm cache gives without azure-identity."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ansible_collections.azureml.model_management.plugins.module_utils import connection, credentials
from ansible_collections.azureml.model_management.plugins.module_utils.cloud import resolve_cloud
from ansible_collections.azureml.model_management.plugins.module_utils.connection import Connection, default_subscription, subscription_problem
from ansible_collections.azureml.model_management.plugins.module_utils.errors import AuthError
from ansible_collections.azureml.model_management.plugins.module_utils.token_cache import CACHE_OFF, CacheSettings
from ansible_collections.azureml.model_management.tests.unit.fakes import SUB

SP_PARAMS = dict(client_id="opt-client", secret="opt-secret", tenant="opt-tenant")


@pytest.mark.parametrize("value", [SUB + "\n", "\n" + SUB, SUB + "\n\n", SUB + " ", SUB + "\u2028", SUB[:-1] + "\n" + SUB[-1]])
def test_a_guid_with_anything_around_or_inside_is_refused(value):
    """GUID_RE is matched whole: with match() and "$", a subscription id followed by a newline passed."""
    assert "must be a GUID" in subscription_problem(value)


@pytest.mark.parametrize("params, env", [
    ({"subscription_id": SUB + "\n"}, {}),
    ({}, {"AZURE_SUBSCRIPTION_ID": " " + SUB + "\r\n"}),
])
def test_the_subscription_is_trimmed_where_it_is_read(params, env):
    value = default_subscription(None, params, env)
    assert value == SUB and subscription_problem(value) is None


# ---------------------------------------------------------------------------------------------------------------------
# Connection: one order of resolution for modules and the inventory plugin

INCOMPLETE_ENV = dict(AZURE_SECRET="env-secret", AZURE_TENANT="env-tenant")  # no AZURE_CLIENT_ID: no source


@pytest.fixture(autouse=True)
def no_credentials_file(monkeypatch):
    """Never the ~/.azure/credentials of the machine running the tests."""
    monkeypatch.setattr(connection, "read_credentials_file", lambda *args: None)


def test_a_source_error_is_kept_until_a_client_is_needed(monkeypatch):
    monkeypatch.setattr(connection, "build_client", lambda *a, **k: pytest.fail("no client may be built without a source"))
    conn = Connection({}, dict(INCOMPLETE_ENV, AZURE_SUBSCRIPTION_ID=SUB))
    assert conn.source is None and conn.describe() is None
    assert conn.error.code == "IncompleteCredentials"
    assert conn.subscription_id() == SUB  # a usable subscription needs no source
    with pytest.raises(AuthError) as info:
        conn.client()
    assert info.value is conn.error


def test_a_missing_subscription_also_names_the_source_error():
    conn = Connection({}, INCOMPLETE_ENV)
    with pytest.raises(AuthError) as info:
        conn.subscription_id()
    assert str(info.value) == "%s; and %s" % (subscription_problem(""), conn.error)
    assert str(info.value).startswith("subscription_id is not set: ") and "AZURE_CLIENT_ID missing" in str(info.value)
    # a malformed subscription is its own problem: the source error is not appended
    assert conn.subscription_problem("my-subscription") == subscription_problem("my-subscription")


def test_secrets_come_from_the_options_the_environment_and_the_source(monkeypatch):
    found = source(secret="profile-secret", client_id="c", tenant="t")._replace(secrets=("profile-secret",))
    monkeypatch.setattr(connection, "select_source", lambda params, env, text: found)
    env = dict(AZURE_SECRET="env-secret", AZURE_CLIENT_SECRET="", AZURE_PASSWORD="env-password")
    conn = Connection(dict(secret="opt-secret", password=None), env)
    assert sorted(conn.secrets) == ["env-password", "env-secret", "opt-secret", "profile-secret"]
    assert conn.describe() == "service principal from test" and conn.error is None


def test_the_secrets_of_the_options_and_environment_are_kept_without_a_source():
    conn = Connection(dict(password="opt-password"), INCOMPLETE_ENV)
    assert conn.source is None and sorted(conn.secrets) == ["env-secret", "opt-password"]


def test_client_builds_from_the_source_with_the_callers_arguments(monkeypatch):
    calls = []
    monkeypatch.setattr(connection, "build_client", lambda *args, **kwargs: calls.append((args, kwargs)) or "client")
    params, env = dict(SP_PARAMS), {"AZURE_SUBSCRIPTION_ID": SUB}
    conn = Connection(params, env)
    warn, gate = print, object()
    assert conn.client(warn=warn, gate=gate, pool_size=4) == "client"
    assert calls == [((conn.source, params), dict(env=env, warn=warn, gate=gate, pool_size=4))]
    assert conn.describe() == "service principal from options" and conn.subscription_id() == SUB


# ---------------------------------------------------------------------------------------------------------------------
# a warm cache: the token without azure-identity

PUBLIC = resolve_cloud("AzureCloud")
SCOPE = PUBLIC.scope  # https://management.core.windows.net/.default


def source(kind="service_principal", **values):
    values = values or dict(client_id="client-1", secret="s3cret", tenant="tenant-1")
    return credentials.CredentialSource(kind, values, "test", SUB, "AzureCloud", ())


def write_cache(directory, token="eyJ0eXAi.eyJhdWQi.c2ln", expires_on=4102444800):
    """A cache file as msal-extensions writes it, holding one app-only token of client-1 in tenant-1 for Resource Manager."""
    os.makedirs(directory, mode=0o700, exist_ok=True)
    entry = {"credential_type": "AccessToken", "secret": token, "home_account_id": None, "environment": "login.microsoftonline.com",
             "client_id": "client-1", "target": SCOPE, "realm": "tenant-1", "token_type": "Bearer", "expires_on": str(expires_on)}
    path = os.path.join(directory, "azureml.model_management.nocae")
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as handle:
        json.dump({"AccessToken": {"key": entry}}, handle)
    return path


@pytest.mark.parametrize("kind, values, mode", [
    ("service_principal", None, "encrypted"),  # kept by the system's store: the file only signals changes
    ("service_principal", None, "disabled"),
    ("managed_identity", dict(client_id="client-1"), "allow_unencrypted"),  # not kept in the persistent cache at all
    ("cli", dict(tenant=None), "allow_unencrypted"),
])
def test_no_reader_where_azure_identity_keeps_no_readable_file(tmp_path, kind, values, mode):
    cache = CacheSettings(mode, str(tmp_path)) if mode != "disabled" else CACHE_OFF
    assert connection.cached_token_reader(source(kind, **(values or {})), PUBLIC, cache) is None


@pytest.mark.parametrize("kind, values", [
    ("service_principal", dict(client_id="client-1", secret="s3cret", tenant="tenant-1")),
    ("workload_identity", dict(client_id="client-1", tenant="tenant-1", token_file="/var/run/token")),
])
def test_the_reader_finds_the_token_of_this_credential_and_cloud(tmp_path, kind, values):
    write_cache(str(tmp_path))
    cache = CacheSettings("allow_unencrypted", str(tmp_path))
    assert connection.cached_token_reader(source(kind, **values), PUBLIC, cache)(1800000000) == ("eyJ0eXAi.eyJhdWQi.c2ln", 4102444800)
    other_tenant = source(kind, **dict(values, tenant="tenant-2"))
    assert connection.cached_token_reader(other_tenant, PUBLIC, cache)(1800000000) is None
    china = resolve_cloud("AzureChinaCloud")
    assert connection.cached_token_reader(source(kind, **values), china, cache)(1800000000) is None


WARM_TASK = """
import json, sys
from ansible_collections.azureml.model_management.plugins.module_utils import connection, credentials, libraries
source = credentials.CredentialSource("service_principal", dict(client_id="client-1", secret="s3cret", tenant="tenant-1"), "test",
                                      "%(sub)s", "AzureCloud", ("s3cret",))
missing = libraries.missing_requirements(True)  # as AzureMLModule does first: finds azure.identity, imports only its namespace
client = connection.build_client(source, dict(token_cache="allow_unencrypted", token_cache_dir=sys.argv[1]), env={})
token = client.token_provider.get_token()
heavy = sorted(name for name in sys.modules if name.split(".")[0] in ("azure", "msal", "msal_extensions", "cryptography"))
namespace = getattr(sys.modules.get("azure"), "__file__", None) is None
fetch = [name for name in sys.modules if name.endswith(".module_utils.token_fetch")]  # the collection's azure-identity side
print(json.dumps(dict(token=token, heavy=heavy, missing=missing, azure_is_a_namespace=namespace, token_fetch=fetch)))
""" % dict(sub=SUB)


def test_a_task_with_a_warm_cache_imports_neither_azure_identity_nor_msal(tmp_path):
    """The lazy boundary, in a fresh interpreter: the whole client is built and its token read from the cache file, and
    not one module of azure-identity, azure-core, msal, msal-extensions or cryptography is loaded, though installed, nor
    the collection's token_fetch.py (AnsiballZ ships it, but a file not imported is not compiled)."""
    directory = str(tmp_path / "job" / "azure")
    write_cache(directory)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(path for path in sys.path if path))
    process = subprocess.run([sys.executable, "-c", WARM_TASK, directory], env=env, capture_output=True, text=True, check=False)
    assert process.returncode == 0, process.stderr
    outcome = json.loads(process.stdout)
    assert outcome == dict(token="eyJ0eXAi.eyJhdWQi.c2ln", heavy=["azure"], missing=[], azure_is_a_namespace=True, token_fetch=[])
