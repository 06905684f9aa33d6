"""Identity endpoints and Resource Manager's token checks, with the real azure-identity library where it matters."""

import os
import re
import time

import certifi
import pytest
import requests
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import ClientSecretCredential, ManagedIdentityCredential, WorkloadIdentityCredential

from emu_support import NS


def wrapped_401(resp, code, emu):
    assert resp.status_code == 401, resp.text
    assert resp.json()["error"]["code"] == code
    header = resp.headers["WWW-Authenticate"]
    assert header.startswith('Bearer authorization_uri="%s/%s", error="invalid_token", error_description="'
                             % (emu.base, emu.env["AZURE_TENANT"]))
    return resp.json()["error"]["message"]


def test_metadata_endpoints(emu):
    resp = emu.http.get(emu.base + "/metadata/endpoints", params={"api-version": "2015-01-01"})
    assert resp.status_code == 200
    base = emu.base + "/"
    assert resp.json() == {"galleryEndpoint": base, "graphEndpoint": base, "portalEndpoint": base, "resourceManager": base,
                           "authentication": {"loginEndpoint": base, "audiences": [base]}}
    assert resp.headers["x-ms-request-id"]
    missing = emu.http.get(emu.base + "/metadata/endpoints")
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "MissingApiVersionParameter"


def test_openid_configuration(emu):
    tenant = emu.env["AZURE_TENANT"]
    resp = emu.http.get("%s/%s/v2.0/.well-known/openid-configuration" % (emu.base, tenant))
    assert resp.status_code == 200
    data = resp.json()
    assert data["token_endpoint"] == "%s/%s/oauth2/v2.0/token" % (emu.base, tenant)
    assert data["issuer"] == "%s/%s/v2.0" % (emu.base, tenant)
    assert data["authorization_endpoint"].startswith(emu.base)
    assert data["device_authorization_endpoint"].startswith(emu.base)
    bad = emu.http.get("%s/%s/v2.0/.well-known/openid-configuration" % (emu.base, "00000000-0000-0000-0000-000000000000"))
    assert bad.status_code == 400 and "AADSTS90002" in bad.json()["error_description"]


def _token(emu, **form):
    data = {"grant_type": "client_credentials", "client_id": emu.env["AZURE_CLIENT_ID"], "client_secret": emu.env["AZURE_SECRET"],
            "scope": emu.base + "/.default"}
    data.update(form)
    data = {k: v for k, v in data.items() if v is not None}
    return emu.http.post("%s/%s/oauth2/v2.0/token" % (emu.base, emu.env["AZURE_TENANT"]), data=data)


def test_token_endpoint_success_shape(emu):
    resp = _token(emu)
    assert resp.status_code == 200
    data = resp.json()
    assert data["token_type"] == "Bearer"
    assert data["expires_in"] == 3600 and data["ext_expires_in"] == 3600
    assert data["access_token"] and data["access_token"] != emu.token


@pytest.mark.parametrize("form, error, code", [
    ({"client_secret": "wrong"}, "invalid_client", 7000215),
    ({"client_id": "00000000-0000-0000-0000-000000000001"}, "invalid_client", 700016),
    ({"grant_type": "password"}, "unsupported_grant_type", 70003),
    ({"scope": "https://example/user.read"}, "invalid_scope", 1002012),
    ({"scope": None}, "invalid_request", 900144),
    ({"client_secret": None}, "invalid_client", 7000218),
    ({"client_secret": None, "client_assertion": "bogus",
      "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "invalid_client", 700213),
])
def test_token_endpoint_errors(emu, form, error, code):
    resp = _token(emu, **form)
    assert resp.status_code == 400
    data = resp.json()
    assert data["error"] == error
    assert data["error_codes"] == [code]
    assert data["error_description"].startswith("AADSTS%d: " % code)
    for key in ("timestamp", "trace_id", "correlation_id"):
        assert data[key]


def test_unknown_tenant_token(emu):
    resp = emu.http.post("%s/%s/oauth2/v2.0/token" % (emu.base, "99999999-0000-0000-0000-000000000000"),
                         data={"grant_type": "client_credentials"})
    assert resp.status_code == 400
    assert resp.json()["error"] == "invalid_request" and resp.json()["error_codes"] == [90002]


def test_arm_401_variants(emu):
    path = emu.account_path("x")
    msg = wrapped_401(emu.arm("GET", path, token=False), "AuthenticationFailed", emu)
    assert msg == "Authentication failed. The 'Authorization' header is missing."
    wrapped_401(emu.arm("GET", path, token="not-a-token"), "InvalidAuthenticationToken", emu)
    wrapped_401(emu.arm("GET", path, token=False, headers={"Authorization": "Basic abc"}), "AuthenticationFailed", emu)
    other = emu.get_token(scope="https://management.azure.com/.default")
    msg = wrapped_401(emu.arm("GET", path, token=other), "InvalidAuthenticationTokenAudience", emu)
    assert "https://management.azure.com" in msg
    no_slash = emu.get_token(scope=emu.base + "//.default")
    assert emu.arm("GET", path, token=no_slash).status_code == 404


def test_expired_token(emu):
    assert emu.arm("GET", emu.account_path("x")).status_code == 404
    resp = emu.control("POST", "tokens/expire")
    assert resp.status_code == 200 and resp.json()["expired"] >= 1
    msg = wrapped_401(emu.arm("GET", emu.account_path("x")), "ExpiredAuthenticationToken", emu)
    assert re.match(r"^The access token expiry UTC time '\d+/\d+/\d{4} \d+:\d\d:\d\d [AP]M' is earlier than current UTC time "
                    r"'\d+/\d+/\d{4} \d+:\d\d:\d\d [AP]M'\.$", msg), msg
    emu.login()
    assert emu.arm("GET", emu.account_path("x")).status_code == 404


def test_token_lifetime_config(emu):
    assert emu.control("PATCH", "config", json={"token_lifetime": 1}).status_code == 200
    resp = _token(emu)
    assert resp.json()["expires_in"] == 1
    token = resp.json()["access_token"]
    time.sleep(1.2)
    wrapped_401(emu.arm("GET", emu.account_path("x"), token=token), "ExpiredAuthenticationToken", emu)


def test_reset_revokes_tokens_unless_kept(emu):
    token = emu.token
    assert emu.control("POST", "reset", json={"keep_tokens": True}).status_code == 200
    assert emu.arm("GET", emu.account_path("x"), token=token).status_code == 404
    assert emu.control("POST", "reset").status_code == 200
    wrapped_401(emu.arm("GET", emu.account_path("x"), token=token), "InvalidAuthenticationToken", emu)


# ---- the real azure-identity library ------------------------------------------------------------
@pytest.fixture
def ca_env(emu, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", emu.p.ca)
    for var in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST",
                "IDENTITY_ENDPOINT", "IDENTITY_HEADER", "MSI_ENDPOINT", "MSI_SECRET", "IDENTITY_SERVER_THUMBPRINT", "IMDS_ENDPOINT"):
        monkeypatch.delenv(var, raising=False)
    return emu


def test_client_secret_credential(ca_env):
    emu = ca_env
    cred = ClientSecretCredential(emu.env["AZURE_TENANT"], emu.env["AZURE_CLIENT_ID"], emu.env["AZURE_SECRET"],
                                  authority=emu.base, disable_instance_discovery=True)
    token = cred.get_token(emu.base + "/.default")
    assert token.token and token.expires_on > 0
    assert emu.arm("GET", "/providers/%s/operations" % NS, token=token.token).status_code == 200
    journal = emu.journal(kind="identity")
    posts = [e for e in journal if e["method"] == "POST"]
    assert posts and posts[-1]["body"]["client_secret"] == "REDACTED"
    assert posts[-1]["body"]["client_id"] == emu.env["AZURE_CLIENT_ID"]


def test_client_secret_credential_wrong_secret(ca_env):
    emu = ca_env
    cred = ClientSecretCredential(emu.env["AZURE_TENANT"], emu.env["AZURE_CLIENT_ID"], "wrong-secret",
                                  authority=emu.base, disable_instance_discovery=True)
    with pytest.raises(ClientAuthenticationError) as caught:
        cred.get_token(emu.base + "/.default")
    # azure-identity puts AAD's error_description (not the `error` field) into the message, as with real AAD
    assert "AADSTS7000215: Invalid client secret provided" in str(caught.value)
    posts = [e for e in emu.journal(kind="identity") if e["method"] == "POST"]
    assert posts[-1]["status"] == 400


def test_managed_identity_credential(ca_env, monkeypatch):
    emu = ca_env
    msi = {}
    with open(os.path.join(emu.p.data_dir, "msi.env")) as handle:
        for line in handle:
            key, _sep, value = line.strip()[len("export "):].partition("=")
            msi[key] = value.strip("'")
    assert msi["IDENTITY_ENDPOINT"] == emu.base + "/msi/token"
    monkeypatch.setenv("IDENTITY_ENDPOINT", msi["IDENTITY_ENDPOINT"])
    monkeypatch.setenv("IDENTITY_HEADER", msi["IDENTITY_HEADER"])
    token = ManagedIdentityCredential().get_token(emu.base + "/.default")
    resp = emu.arm("GET", "/subscriptions/%s/providers/%s/accounts" % (emu.sub, NS), token=token.token)
    assert resp.status_code == 200
    entry = [e for e in emu.journal(kind="identity") if e["path"] == "/msi/token"][-1]
    assert entry["headers"]["X-IDENTITY-HEADER"] == "REDACTED"
    assert entry["query"]["api-version"] == "2019-08-01"


def test_msi_endpoint_errors(emu):
    url = emu.base + "/msi/token"
    params = {"api-version": "2019-08-01", "resource": emu.base}
    missing = emu.http.get(url, params=params)
    assert missing.status_code == 400 and missing.json()["statusCode"] == 400
    wrong = emu.http.get(url, params=params, headers={"X-IDENTITY-HEADER": "nope"})
    assert wrong.status_code == 401 and wrong.json()["statusCode"] == 401


def test_workload_identity_credential(ca_env):
    emu = ca_env
    token_file = os.path.join(emu.p.data_dir, "federated-token")
    assert emu.env["EMULATOR_FEDERATED_TOKEN_FILE"] == token_file
    cred = WorkloadIdentityCredential(tenant_id=emu.env["AZURE_TENANT"], client_id=emu.env["AZURE_CLIENT_ID"],
                                      token_file_path=token_file, authority=emu.base, disable_instance_discovery=True)
    token = cred.get_token(emu.base + "/.default")
    assert emu.arm("GET", emu.account_path("none"), token=token.token).status_code == 404
    post = [e for e in emu.journal(kind="identity") if e["method"] == "POST"][-1]
    assert post["body"]["client_assertion"] == "REDACTED"


def test_plain_requests_without_ca_fail(emu):
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(emu.base + "/_emulator/health", verify=certifi.where(), timeout=5)


@pytest.mark.parametrize("status", [400, 401])
def test_token_request_fault_quoting_the_posted_form(ca_env, status):
    """Issue 14 item 6: an identity endpoint whose error quotes the request. A fault on the token POST answers 400/401
    with an AAD-shaped body whose `error_description` holds text the test chose (here the form, secret included);
    azure-identity carries that description into its exception, which is what a client must keep out of its output."""
    emu = ca_env
    secret = emu.env["AZURE_SECRET"]
    quoted = "grant_type=client_credentials&client_id=%s&client_secret=%s" % (emu.env["AZURE_CLIENT_ID"], secret)
    body = {"error": "invalid_request", "error_description": "AADSTS90014: Malformed request: %s" % quoted,
            "error_codes": [90014]}
    fault = emu.control("POST", "faults", json={"method": "POST", "path": "/oauth2/v2\\.0/token$", "status": status,
                                                "body": body})
    assert fault.status_code == 201, fault.text
    raw = emu.http.post("%s/%s/oauth2/v2.0/token" % (emu.base, emu.env["AZURE_TENANT"]),
                        data={"grant_type": "client_credentials", "client_id": emu.env["AZURE_CLIENT_ID"], "client_secret": secret})
    assert raw.status_code == status and raw.headers["Content-Type"] == "application/json; charset=utf-8"
    assert raw.json() == body and secret in raw.json()["error_description"]
    emu.control("POST", "faults", json={"method": "POST", "path": "/oauth2/v2\\.0/token$", "status": status, "body": body})
    cred = ClientSecretCredential(emu.env["AZURE_TENANT"], emu.env["AZURE_CLIENT_ID"], secret, authority=emu.base,
                                  disable_instance_discovery=True)
    with pytest.raises(ClientAuthenticationError) as caught:
        cred.get_token(emu.base + "/.default")
    assert secret in str(caught.value), "azure-identity quotes error_description: the secret reaches the exception"
    posts = [e for e in emu.journal(kind="identity") if e["method"] == "POST"]
    assert [e["status"] for e in posts[-2:]] == [status, status] and all(e["fault"] for e in posts[-2:])
    assert all(e["body"]["client_secret"] == "REDACTED" for e in posts[-2:]), "the journal never holds the secret"
    fresh = ClientSecretCredential(emu.env["AZURE_TENANT"], emu.env["AZURE_CLIENT_ID"], secret, authority=emu.base,
                                   disable_instance_discovery=True)  # msal remembers a 400 for its own app instance
    assert fresh.get_token(emu.base + "/.default").token, "each fault answered once; the next request gets a token"
