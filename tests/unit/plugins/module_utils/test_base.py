# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AzureMLModule: shared options and their documentation, checks before any request, masking, failures, missing libraries."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml

from ansible.module_utils.testing import patch_module_args

from ansible_collections.azureml.model_management.plugins.doc_fragments.auth import ModuleDocFragment
from ansible_collections.azureml.model_management.plugins.module_utils import base, connection
from ansible_collections.azureml.model_management.plugins.module_utils.arm import ArmClient, ArmError
from ansible_collections.azureml.model_management.plugins.module_utils.errors import AuthError
from ansible_collections.azureml.model_management.plugins.module_utils.version import COLLECTION_VERSION
from ansible_collections.azureml.model_management.tests.unit.fakes import SUB

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))  # the collection root
AZURE_VARS = ("AZURE_CLIENT_ID", "AZURE_SECRET", "AZURE_TENANT", "AZURE_CLIENT_SECRET", "AZURE_TENANT_ID", "AZURE_AD_USER", "AZURE_USERNAME",
              "AZURE_PASSWORD", "AZURE_PROFILE", "AZURE_SUBSCRIPTION_ID", "AZURE_CLOUD_ENVIRONMENT", "AZURE_FEDERATED_TOKEN_FILE",
              "IDENTITY_ENDPOINT", "MSI_ENDPOINT", "ANSIBLE_AZURE_AUTH_SOURCE")


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No Azure variables, an empty HOME and no az on PATH (the test's own machine must not leak in)."""
    for var in AZURE_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    return tmp_path


def run(args, capsys, body=None):
    """Build an AzureMLModule from ``args`` and call ``body(azure)`` inside run(); return the module's JSON result."""
    with patch_module_args(args):
        with pytest.raises(SystemExit) as info:
            azure = base.AzureMLModule(argument_spec=dict(name=dict(type="str")), supports_check_mode=True)
            azure.run(lambda: (body or (lambda a: a.exit(changed=False, subscription_id=a.subscription_id)))(azure))
    result = json.loads(capsys.readouterr().out)
    result["rc"] = info.value.code
    return result


# ---------------------------------------------------------------------------------------------------------------------
# options and their documentation


def test_doc_fragment_matches_the_argument_spec():
    documented = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)
    assert set(documented["options"]) == set(base.AUTH_ARGUMENT_SPEC)
    for name, rules in base.AUTH_ARGUMENT_SPEC.items():
        doc = documented["options"][name]
        assert doc["type"] == rules["type"], name
        assert doc.get("default") == rules.get("default"), name
        assert doc.get("choices") == rules.get("choices"), name
        assert "no_log" not in doc
    assert documented["requirements"] == ["requests", "azure-identity"]


def test_secrets_are_no_log():
    assert [name for name, rules in base.AUTH_ARGUMENT_SPEC.items() if rules.get("no_log")] == ["secret", "password"]


def test_collection_version_matches_galaxy_yml():
    """In a checkout the version is in galaxy.yml; in the built collection, in MANIFEST.json."""
    galaxy, manifest = os.path.join(ROOT, "galaxy.yml"), os.path.join(ROOT, "MANIFEST.json")
    if os.path.exists(galaxy):
        with open(galaxy) as handle:
            version = yaml.safe_load(handle)["version"]
    else:
        with open(manifest) as handle:
            version = json.load(handle)["collection_info"]["version"]
    assert version == COLLECTION_VERSION


# ---------------------------------------------------------------------------------------------------------------------
# subscription_id: set and a GUID, before any request


@pytest.mark.parametrize("value, problem", [
    (SUB, None),
    ("6F1B3C2E-8A4D-4E5F-9B0A-1C2D3E4F5A6B", None),
    (None, "subscription_id is not set: give the subscription_id option, set AZURE_SUBSCRIPTION_ID"),
    ("", "subscription_id is not set"),
    ("my-subscription", "subscription_id must be a GUID like 00000000-0000-0000-0000-000000000000, got 'my-subscription'"),
    ("{%s}" % SUB, "must be a GUID"),
    (SUB + "0", "must be a GUID"),
])
def test_subscription_problem(value, problem):
    found = connection.subscription_problem(value)
    assert (found is None) if problem is None else problem in found


def test_subscription_from_option_env_and_profile(clean_env, capsys, monkeypatch):
    monkeypatch.setenv("AZURE_SUBSCRIPTION_ID", SUB)
    assert run({}, capsys)["subscription_id"] == SUB
    other = SUB[:-1] + "9"
    assert run(dict(subscription_id=" %s " % other), capsys)["subscription_id"] == other
    (clean_env / ".azure").mkdir()
    (clean_env / ".azure" / "credentials").write_text("[default]\nsubscription_id=%s\nclient_id=c\nsecret=s\ntenant=t\n" % other)
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID")
    assert run({}, capsys)["subscription_id"] == other


def test_missing_subscription_fails_and_says_where_to_set_it(clean_env, capsys, monkeypatch):
    monkeypatch.setenv("AZURE_CLIENT_ID", "c")
    monkeypatch.setenv("AZURE_SECRET", "sp-secret-value")
    monkeypatch.setenv("AZURE_TENANT", "t")
    result = run({}, capsys, body=lambda azure: pytest.fail("must fail before the body"))
    assert result["failed"] is True
    assert result["msg"].startswith("subscription_id is not set") and "AZURE_SUBSCRIPTION_ID" in result["msg"]


def test_missing_subscription_and_credentials_are_reported_together(clean_env, capsys):
    result = run({}, capsys)
    assert result["msg"].startswith("subscription_id is not set") and "no Azure credentials found" in result["msg"]


def test_bad_subscription_fails(clean_env, capsys):
    result = run(dict(subscription_id="abc"), capsys)
    assert result["failed"] is True
    assert result["msg"] == "subscription_id must be a GUID like 00000000-0000-0000-0000-000000000000, got 'abc'"


def test_bad_timeout_fails(clean_env, capsys):
    assert run(dict(subscription_id=SUB, timeout=0), capsys)["msg"] == "timeout must be from 1 to 600 seconds, got 0"


# ---------------------------------------------------------------------------------------------------------------------
# the client


def test_client_is_built_on_first_use_for_the_selected_cloud(clean_env, capsys, monkeypatch):
    monkeypatch.setenv("AZURE_CLIENT_ID", "c")
    monkeypatch.setenv("AZURE_SECRET", "sp-secret-value")
    monkeypatch.setenv("AZURE_TENANT", "t")
    seen = {}

    def body(azure):
        assert azure._client is None
        client = azure.client
        assert azure.client is client and isinstance(client, ArmClient)
        seen.update(endpoint=client.endpoint, api=client.api_version, verify=client.verify, timeout=client.timeout,
                    scope=client.token_provider.scope, origin=azure.credential_origin)
        azure.exit(changed=False)

    run(dict(subscription_id=SUB, cloud_environment="AzureChinaCloud", validate_certs=False, timeout=5), capsys, body)
    assert seen == dict(endpoint="https://management.chinacloudapi.cn", api="2017-09-01-preview", verify=False, timeout=5,
                        scope="https://management.core.chinacloudapi.cn/.default", origin="service principal from environment (AWX names)")


def test_no_credentials_fail_only_when_the_client_is_needed(clean_env, capsys):
    result = run(dict(subscription_id=SUB), capsys)
    assert result["rc"] == 0
    result = run(dict(subscription_id=SUB), capsys, body=lambda azure: azure.client)
    assert result["failed"] is True and result["msg"].startswith("no Azure credentials found")
    assert result["error"]["code"] == "CredentialNotFound"


def test_secrets_from_the_environment_and_profile_are_masked(clean_env, capsys, monkeypatch):
    monkeypatch.setenv("AZURE_CLIENT_ID", "c")
    monkeypatch.setenv("AZURE_TENANT_ID", "t")
    monkeypatch.setenv("AZURE_CLIENT_SECRET", "unused-env-secret")
    (clean_env / ".azure").mkdir()
    (clean_env / ".azure" / "credentials").write_text("[default]\nclient_id=c\nsecret=profile-secret\ntenant=t\n")
    result = run(dict(subscription_id=SUB, auth_source="credential_file"), capsys, body=lambda azure: azure.exit(
        changed=False, echo="profile-secret and unused-env-secret", source=azure.credential_origin))
    assert result["echo"] == "******** and ********"
    assert result["source"] == "service principal from profile 'default' in ~/.azure/credentials"


def test_run_turns_arm_errors_into_failures(clean_env, capsys):
    def body(azure):
        raise ArmError(404, "ResourceGroupNotFound", "Resource group 'rg' could not be found.", request_id="req-1")

    result = run(dict(subscription_id=SUB), capsys, body)
    assert result["failed"] is True and result["msg"] == "404 ResourceGroupNotFound: Resource group 'rg' could not be found."
    assert result["error"] == dict(status=404, code="ResourceGroupNotFound", message="Resource group 'rg' could not be found.", details=[],
                                   request_id="req-1", target=None)
    assert "credential_source" not in result


@pytest.mark.parametrize("error", [ArmError(403, "AuthorizationFailed", "no"), AuthError("AuthenticationFailed", "authentication failed (x): no")])
def test_auth_failures_name_the_credential_source(clean_env, capsys, monkeypatch, error):
    monkeypatch.setenv("AZURE_AD_USER", "u")
    monkeypatch.setenv("AZURE_PASSWORD", "pw-value")

    def body(azure):
        raise error

    result = run(dict(subscription_id=SUB), capsys, body)
    assert result["failed"] is True and result["msg"] == str(error)
    assert result["credential_source"] == "user from environment (AWX names)"


# ---------------------------------------------------------------------------------------------------------------------
# missing libraries


def test_missing_requests_is_named_with_the_pip_line(clean_env, capsys, monkeypatch):
    monkeypatch.setattr(base, "HAS_REQUESTS", False)
    monkeypatch.setattr(base, "REQUESTS_IMPORT_ERROR", "Traceback: No module named 'requests'")
    result = run(dict(subscription_id=SUB), capsys)
    assert result["failed"] is True
    assert result["msg"].startswith("Failed to import the required Python library (requests) on ")
    assert "%s -m pip install 'requests>=2.28' (or set ansible_python_interpreter" % sys.executable in result["msg"]


def test_requests_and_azure_identity_missing_are_named_in_one_message(clean_env, capsys, monkeypatch):
    """Before: requests named first, and azure-identity only on the next run, after requests was installed."""
    monkeypatch.setattr(base, "HAS_REQUESTS", False)
    monkeypatch.setitem(sys.modules, "azure.identity", None)  # what find_spec reports as absent
    result = run(dict(subscription_id=SUB), capsys)
    assert result["failed"] is True
    assert result["msg"].startswith("Failed to import the required Python libraries (requests, azure-identity) on ")
    assert "Install them into that Python: %s -m pip install 'requests>=2.28' 'azure-identity>=1.15'" % sys.executable in result["msg"]


def test_missing_azure_identity_is_named_before_anything_else(clean_env, capsys, monkeypatch):
    """Found without importing it, when the module starts: not only once a token is needed (a warm cache needs none)."""
    monkeypatch.setitem(sys.modules, "azure.identity", None)
    result = run(dict(subscription_id=SUB), capsys, body=lambda azure: pytest.fail("the module body must not run"))
    assert result["failed"] is True
    assert result["msg"].startswith("Failed to import the required Python library (azure-identity) on ")
    assert "-m pip install 'azure-identity>=1.15'" in result["msg"]


def test_module_utils_import_without_requests_and_azure_identity():
    """What ansible-test's import sanity test checks: importing must work with the libraries absent."""
    code = (
        "import sys\n"
        "sys.modules['requests'] = None\n"
        "sys.modules['azure'] = None\n"
        "from ansible_collections.azureml.model_management.plugins.module_utils import arm, base, cloud, credentials, token_cache, tokens  # noqa\n"
        "assert arm.HAS_REQUESTS is False and 'requests' in arm.REQUESTS_IMPORT_ERROR\n"
        "assert tokens.azure_identity_import_error() is not None\n"
        "from ansible_collections.azureml.model_management.plugins.module_utils import libraries\n"
        "assert libraries.missing_requirements(arm.HAS_REQUESTS) == ['requests>=2.28', 'azure-identity>=1.15']\n"
        "print('ok')\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


# ---------------------------------------------------------------------------------------------------------------------
# numeric options (issue 15.3): booleans and out-of-range values refused by name and range, before anything else


@pytest.mark.parametrize("value, message", [
    (True, "timeout must be a whole number from 1 to 600 seconds, got a boolean"),
    (False, "timeout must be a whole number from 1 to 600 seconds, got a boolean"),
    (0, "timeout must be from 1 to 600 seconds, got 0"),
    (-3, "timeout must be from 1 to 600 seconds, got -3"),
    (601, "timeout must be from 1 to 600 seconds, got 601"),
    (10000000000, "timeout must be from 1 to 600 seconds, got 10000000000"),
    ("10000000000", "timeout must be from 1 to 600 seconds, got 10000000000"),
])
def test_timeout_out_of_range_or_boolean_fails_naming_the_range(clean_env, capsys, value, message):
    """No credentials are configured: the option check comes before anything that would need them."""
    result = run(dict(subscription_id=SUB, timeout=value), capsys)
    assert result["failed"] is True and result["msg"] == message
    assert "exception" not in result or "Traceback" not in str(result.get("exception"))


@pytest.mark.parametrize("value", [1, 30, 600, "45"])
def test_timeout_in_range_is_accepted(clean_env, capsys, value):
    assert run(dict(subscription_id=SUB, timeout=value), capsys).get("failed") is not True


def test_every_integer_option_must_have_a_range():
    """A new ``type: int`` option without a range is a programming error, found by any test that builds the module."""
    with patch_module_args(dict(subscription_id=SUB)):
        with pytest.raises(ValueError) as info:
            base.AzureMLModule(argument_spec=dict(retries=dict(type="int")))
    assert "retries" in str(info.value)


def test_raw_arguments_are_kept_before_ansible_converts_them(clean_env, capsys):
    """Guards base._RawArgsModule (it overrides AnsibleModule._load_params, which is private): without the raw
    arguments a list would reach the module as the text "['x']". Runs on every leg of make test (2.16, 2.19, 2.21)."""
    result = run(dict(subscription_id=SUB, name=["x"]), capsys)
    assert result["failed"] is True and result["msg"] == "name must be a string, got a list (quote it in YAML if it is meant as text)"
    result = run(dict(subscription_id=SUB, timeout=True), capsys)
    assert result["failed"] is True and "got a boolean" in result["msg"]


@pytest.mark.parametrize("value", [True, 0, 10 ** 10])
def test_build_client_refuses_a_bad_timeout_before_any_request(value, monkeypatch):
    """The inventory plugin builds its client from its own options, without AzureMLModule: the same rule applies."""
    monkeypatch.setattr(connection, "resolve_cloud", lambda *a, **k: pytest.fail("no request may be sent"))
    with pytest.raises(AuthError) as info:
        connection.build_client(None, dict(timeout=value), env={})
    assert info.value.code == "InvalidOption" and "timeout must be" in info.value.message and "600" in info.value.message
