"""The identity side: service-principal secrets, token issuance (AAD v2 client credentials, App Service
managed identity, workload identity federation) and the bearer-token checks Resource Manager applies.

Tokens are random opaque strings kept in SQLite with principal, audience and expiry: the emulator is the
only party that needs to understand them, and opaque tokens keep clients from depending on JWT claims. Every ARM
request checks its token, so the rows already read are kept in memory too (`TokenCache`); expiring or revoking
tokens empties that copy.
"""

import hmac
import json
import os
import secrets
import threading
import time
import uuid

from . import errors
from .replies import Reply, dotnet_time, utc_now

IDENTITY_FILE = "identity.json"
FEDERATED_TOKEN_FILE = "federated-token"
DEFAULT_SUBSCRIPTION = "6f1b3c2e-8a4d-4e5f-9b0a-1c2d3e4f5a6b"
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
MSI_API_VERSIONS = ("2019-08-01",)


def _write_private(path, text):
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(tmp, path)


def load_or_create_secrets(data_dir):
    """Identity material generated once and kept in DATA_DIR/identity.json (mode 0600)."""
    path = os.path.join(data_dir, IDENTITY_FILE)
    values = {}
    if os.path.exists(path):
        with open(path) as handle:
            values = json.load(handle)
    wanted = {
        "tenant_id": lambda: str(uuid.uuid4()),
        "subscription_id": lambda: DEFAULT_SUBSCRIPTION,
        "client_id": lambda: str(uuid.uuid4()),
        # '~' as in real AAD secrets, so scripts must quote them
        "client_secret": lambda: "emu~" + secrets.token_urlsafe(24) + ".x",
        "msi_header": lambda: secrets.token_hex(16),
        "msi_client_id": lambda: str(uuid.uuid4()),
        "federated_token": lambda: "emu-federated." + secrets.token_urlsafe(32),
    }
    changed = False
    for key, make in wanted.items():
        if not values.get(key):
            values[key] = make()
            changed = True
    if changed or (os.stat(path).st_mode & 0o077):
        _write_private(path, json.dumps(values, indent=2) + "\n")
    _write_private(os.path.join(data_dir, FEDERATED_TOKEN_FILE), values["federated_token"] + "\n")
    return values


def same_audience(left, right):
    return left.rstrip("/").lower() == right.rstrip("/").lower()


class TokenCache:
    """Token rows already read from SQLite. A row read while the tokens changed (`forget`) is not kept: each change
    starts a new generation, and a row is only stored under the generation it was read in."""

    def __init__(self):
        self._lock = threading.Lock()
        self._rows = {}
        self._generation = 0

    def get(self, token):
        """(row or None, generation to pass to `keep`)."""
        with self._lock:
            return self._rows.get(token), self._generation

    def keep(self, token, row, generation):
        with self._lock:
            if generation == self._generation:
                self._rows[token] = row

    def forget(self):
        with self._lock:
            self._generation += 1
            self._rows = {}


class Identity:
    """Issues and checks tokens. `base` is https://127.0.0.1:PORT; the ARM audience is base + '/'."""

    def __init__(self, values, store, config):
        self.values = values
        self.store = store
        self.config = config
        self.base = None
        self.cache = TokenCache()

    @property
    def tenant(self):
        return self.values["tenant_id"]

    @property
    def audience(self):
        return self.base + "/"

    # ---- tokens -------------------------------------------------------------------------------
    def issue(self, principal, kind, audience):
        token = "emu." + secrets.token_urlsafe(32)
        lifetime = self.config.get("token_lifetime")
        now = time.time()
        with self.store.write() as conn:
            conn.execute("INSERT INTO tokens (token, principal, kind, audience, issued_at, expires_at) VALUES (?,?,?,?,?,?)",
                         (token, principal, kind, audience, now, now + lifetime))
        return token, lifetime, now + lifetime

    def expire_all(self):
        now = time.time()
        with self.store.write() as conn:
            expired = conn.execute("UPDATE tokens SET expires_at = ? WHERE expires_at > ?", (now - 1, now - 1)).rowcount
        self.cache.forget()  # after the commit: a row read before it cannot be kept after it
        return expired

    def _unauthorized(self, code, message, description):
        header = 'Bearer authorization_uri="%s/%s", error="invalid_token", error_description="%s"' % (
            self.base, self.tenant, description)
        return errors.arm(401, code, message, headers={"WWW-Authenticate": header})

    def authenticate(self, authorization):
        """Check an ARM request's Authorization header; return the token row or raise a 401 ApiError."""
        if not authorization:
            raise self._unauthorized("AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.",
                                     "The authentication failed because of missing 'Authorization' header.")
        scheme, _sep, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise self._unauthorized("AuthenticationFailed",
                                     "Authentication failed. The 'Authorization' header is provided in an invalid format.",
                                     "The authentication failed because of invalid 'Authorization' header format.")
        row, generation = self.cache.get(token)
        if row is None:
            row = self.store.connection().execute("SELECT * FROM tokens WHERE token = ?", (token,)).fetchone()
            if row is not None:
                row = dict(row)
                self.cache.keep(token, row, generation)
        if row is None:
            raise self._unauthorized("InvalidAuthenticationToken", "The access token is invalid.",
                                     "The access token is invalid.")
        if not same_audience(row["audience"], self.audience):
            raise self._unauthorized(
                "InvalidAuthenticationTokenAudience",
                "The access token has been obtained for wrong audience or resource '%s'. It should exactly match with one "
                "of the allowed audiences '%s','%s'." % (row["audience"], self.audience, self.base),
                "The access token has been obtained from wrong audience or resource.")
        now = time.time()
        if row["expires_at"] <= now:
            message = "The access token expiry UTC time '%s' is earlier than current UTC time '%s'." % (
                dotnet_time(row["expires_at"]), dotnet_time(now))
            raise self._unauthorized("ExpiredAuthenticationToken", message, message)
        return row

    # ---- AAD v2 endpoints -----------------------------------------------------------------------
    def _aad_error(self, status, error, code, description):
        trace, corr = str(uuid.uuid4()), str(uuid.uuid4())
        stamp = utc_now().strftime("%Y-%m-%d %H:%M:%SZ")
        text = "AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s" % (code, description, trace, corr, stamp)
        return Reply(status, {"error": error, "error_description": text, "error_codes": [code], "timestamp": stamp,
                              "trace_id": trace, "correlation_id": corr,
                              "error_uri": "%s/error?code=%d" % (self.base, code)})

    def _unknown_tenant(self, tenant):
        return self._aad_error(400, "invalid_request", 90002,
                               "Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing "
                               "into the correct cloud." % tenant)

    def openid_configuration(self, tenant, v2=True):
        if tenant.lower() != self.tenant.lower():
            return self._unknown_tenant(tenant)
        root = "%s/%s" % (self.base, self.tenant)
        oauth = root + ("/oauth2/v2.0" if v2 else "/oauth2")
        return Reply(200, {
            "token_endpoint": oauth + "/token",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": root + ("/discovery/v2.0/keys" if v2 else "/discovery/keys"),
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": root + ("/v2.0" if v2 else "/"),
            "request_uri_parameter_supported": False,
            "userinfo_endpoint": root + "/openid/userinfo",
            "authorization_endpoint": oauth + "/authorize",
            "device_authorization_endpoint": oauth + "/devicecode",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "end_session_endpoint": oauth + "/logout",
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nbf", "tid", "oid"],
            "tenant_region_scope": "NA",
            "cloud_instance_name": "emulator.local",
        })

    def token(self, tenant, form):
        """POST /{tenant}/oauth2/v2.0/token: client credentials with a secret or a federated assertion."""
        if tenant.lower() != self.tenant.lower():
            return self._unknown_tenant(tenant)
        grant = form.get("grant_type")
        if not grant:
            return self._aad_error(400, "invalid_request", 900144,
                                   "The request body must contain the following parameter: 'grant_type'.")
        if grant != "client_credentials":
            return self._aad_error(400, "unsupported_grant_type", 70003,
                                   "The app requested an unsupported grant type '%s'." % grant)
        client_id = form.get("client_id")
        if not client_id:
            return self._aad_error(400, "invalid_request", 900144,
                                   "The request body must contain the following parameter: 'client_id'.")
        if client_id.lower() != self.values["client_id"].lower():
            return self._aad_error(400, "invalid_client", 700016,
                                   "Application with identifier '%s' was not found in the directory '%s'. This can happen if "
                                   "the application has not been installed by the administrator of the tenant."
                                   % (client_id, self.tenant))
        secret = form.get("client_secret")
        assertion = form.get("client_assertion")
        if secret is not None:
            if not hmac.compare_digest(secret.encode(), self.values["client_secret"].encode()):
                return self._aad_error(400, "invalid_client", 7000215,
                                       "Invalid client secret provided. Ensure the secret being sent in the request is the "
                                       "client secret value, not the client secret ID, for a secret added to app '%s'."
                                       % client_id)
            kind = "client_secret"
        elif assertion is not None:
            if form.get("client_assertion_type") != CLIENT_ASSERTION_TYPE:
                return self._aad_error(400, "invalid_request", 900144,
                                       "The request body must contain the following parameter: 'client_assertion_type'.")
            if not hmac.compare_digest(assertion.strip().encode(), self.values["federated_token"].encode()):
                return self._aad_error(400, "invalid_client", 700213,
                                       "No matching federated identity record found for presented assertion.")
            kind = "workload_identity"
        else:
            return self._aad_error(400, "invalid_client", 7000218,
                                   "The request body must contain the following parameter: 'client_assertion' or "
                                   "'client_secret'.")
        scopes = (form.get("scope") or "").split()
        if not scopes:
            return self._aad_error(400, "invalid_request", 900144,
                                   "The request body must contain the following parameter: 'scope'.")
        resources = [s[:-len(".default")] for s in scopes if s.endswith("/.default")]
        if len(resources) != 1:
            return self._aad_error(400, "invalid_scope", 1002012,
                                   "The provided value for scope %s is not valid. Client credential flows must have a scope "
                                   "value with /.default suffixed to the resource identifier (application ID URI)."
                                   % " ".join(scopes))
        token, lifetime, _expires = self.issue("sp:" + self.values["client_id"], kind, resources[0])
        return Reply(200, {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime,
                           "access_token": token})

    # ---- App Service managed identity -------------------------------------------------------
    def msi_token(self, args, header_value):
        if header_value is None:
            return Reply(400, {"statusCode": 400, "message": "The request is missing the required header 'X-IDENTITY-HEADER'."})
        if not hmac.compare_digest(header_value.encode(), self.values["msi_header"].encode()):
            return Reply(401, {"statusCode": 401, "message": "Unauthorized: the 'X-IDENTITY-HEADER' value is invalid."})
        version = args.get("api-version")
        if version not in MSI_API_VERSIONS:
            return Reply(400, {"statusCode": 400, "message": "The api-version '%s' is not supported. Supported: %s."
                               % (version, ", ".join(MSI_API_VERSIONS))})
        resource = args.get("resource")
        if not resource:
            return Reply(400, {"statusCode": 400, "message": "The 'resource' query parameter is required."})
        for key in ("client_id", "principal_id", "object_id", "mi_res_id"):
            if args.get(key) and args.get(key).lower() != self.values["msi_client_id"].lower():
                return Reply(400, {"statusCode": 400, "message": "No managed identity was found for %s '%s'."
                                   % (key, args.get(key))})
        token, _lifetime, expires = self.issue("mi:" + self.values["msi_client_id"], "managed_identity", resource)
        return Reply(200, {"access_token": token, "expires_on": str(int(expires)), "resource": resource,
                           "token_type": "Bearer", "client_id": self.values["msi_client_id"]})
