# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    """The shared connection and credential options (``azureml.model_management.auth``)."""

    DOCUMENTATION = r"""
options:
  subscription_id:
    description:
      - ID of the Azure subscription, a GUID.
      - When not given, the C(subscription_id) of the selected profile in C(~/.azure/credentials), then the environment
        variable E(AZURE_SUBSCRIPTION_ID) (which AWX sets) are used.
      - Checked before any request is sent.
    type: str
  tenant:
    description:
      - Tenant (directory) ID, for a service principal with O(client_id) and O(secret), or for O(ad_user).
      - Also the tenant for O(auth_source=workload_identity) and O(auth_source=cli).
    type: str
  client_id:
    description:
      - Application (client) ID of a service principal, used with O(secret) and O(tenant).
      - With O(ad_user), the public client to sign in with (default the Azure CLI's C(04b07795-8ddb-461a-bbee-02f9e1bf7b46)).
      - With O(auth_source=msi), the client ID of a user-assigned managed identity.
      - With O(auth_source=workload_identity), overrides E(AZURE_CLIENT_ID).
    type: str
  secret:
    description:
      - Client secret of the service principal O(client_id).
    type: str
  ad_user:
    description:
      - User name of a Microsoft Entra ID account, used with O(password). Accounts with multifactor authentication cannot sign in this way.
    type: str
  password:
    description:
      - Password of O(ad_user).
    type: str
  profile:
    description:
      - Name of a section of C(~/.azure/credentials) to read the credentials from.
      - Defaults to the environment variable E(AZURE_PROFILE), then (only when nothing else is found first) C(default).
      - The file has the azure.azcollection format, for example C([default]) with C(subscription_id), C(client_id), C(secret),
        C(tenant), or C(ad_user) and C(password), and optionally C(cloud_environment).
    type: str
  auth_source:
    description:
      - Where to take the credentials from. When not given, the environment variable E(ANSIBLE_AZURE_AUTH_SOURCE), else V(auto).
      - V(auto) uses the first of, in this order, the options O(client_id)/O(secret)/O(tenant) or O(ad_user)/O(password);
        the profile named by O(profile) or E(AZURE_PROFILE); the environment variables E(AZURE_CLIENT_ID), E(AZURE_SECRET) and
        E(AZURE_TENANT) (or E(AZURE_CLIENT_SECRET) and E(AZURE_TENANT_ID)), or E(AZURE_AD_USER) and E(AZURE_PASSWORD);
        the C([default]) profile of C(~/.azure/credentials); workload identity when E(AZURE_FEDERATED_TOKEN_FILE) is set;
        a managed identity when E(IDENTITY_ENDPOINT) or E(MSI_ENDPOINT) is set (O(client_id), else E(AZURE_CLIENT_ID), selects a
        user-assigned identity); the Azure CLI when C(az) is on the PATH. When none is found, the module fails and lists what it
        looked for.
      - A source set only in part (for example E(AZURE_CLIENT_ID) and E(AZURE_TENANT) without E(AZURE_SECRET)) fails, naming what is
        missing, before any request. So do O(client_id) or O(tenant), or E(AZURE_CLIENT_ID) or E(AZURE_TENANT), when the source
        found would not use them (the C([default]) profile, the Azure CLI), because they name an identity and another one would sign in.
      - V(env) uses only the environment variables above (the names AWX's Microsoft Azure Resource Manager credential sets).
      - V(credential_file) uses only the profile O(profile) (or E(AZURE_PROFILE), or C(default)) of C(~/.azure/credentials).
      - V(cli) uses the account of C(az login). O(subscription_id) or E(AZURE_SUBSCRIPTION_ID) is still required.
      - V(msi) uses the managed identity of the machine (for example an Azure VM, where no environment variable announces it);
        O(client_id) selects a user-assigned identity.
      - V(workload_identity) uses E(AZURE_FEDERATED_TOKEN_FILE) with O(client_id) or E(AZURE_CLIENT_ID), and O(tenant),
        E(AZURE_TENANT_ID) or E(AZURE_TENANT) (as on AKS with workload identity).
    type: str
    choices: [auto, env, credential_file, cli, msi, workload_identity]
  cloud_environment:
    description:
      - The cloud, V(AzureCloud), V(AzureChinaCloud) or V(AzureUSGovernment) (case-insensitive; V(AzurePublicCloud) means V(AzureCloud)).
      - Or the C(https://) URL of any Resource Manager (Azure Stack Hub, a private cloud, an emulator); its identity authority and
        token audience are read from C(<url>/metadata/endpoints?api-version=2015-01-01).
      - When not given, the C(cloud_environment) of the selected profile, then E(AZURE_CLOUD_ENVIRONMENT), then V(AzureCloud).
    type: str
  api_version:
    description:
      - The api-version sent with every request. The provider has only one.
      - Must be a date C(YYYY-MM-DD), optionally followed by C(-preview), C(-alpha) or C(-beta), and nothing else;
        any other value fails before a request is sent.
    type: str
    default: 2017-09-01-preview
  validate_certs:
    description:
      - Whether to verify the TLS certificates of Resource Manager and of the identity endpoints.
      - To trust a private CA, keep V(true) and set E(REQUESTS_CA_BUNDLE) to a PEM bundle instead.
      - V(false) makes every task return a warning, because anyone on the network path could then receive the bearer token.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for each HTTP response, a whole number from 1 to 600. Throttled (429) and failed (500, 502, 503, 504,
        connection errors) requests are retried with backoff for at most about two minutes in total, honouring C(Retry-After);
        a C(Retry-After) longer than that fails the task at once, saying what the server asked.
    type: int
    default: 30
  token_cache:
    description:
      - Reuse tokens and cloud metadata across tasks, so that a task with a warm cache sends no identity or metadata
        request. When not given, the environment variable E(ANSIBLE_AZURE_TOKEN_CACHE), else V(disabled).
      - Tokens are kept by azure-identity's own persistent token cache (msal-extensions), encrypted by the operating system
        (libsecret on Linux, Keychain on macOS, DPAPI on Windows). V(encrypted) fails when the system offers no encrypted
        store, which is the usual case on a headless Linux controller.
      - V(allow_unencrypted) still encrypts when it can, and otherwise keeps the tokens in a plain file of mode C(0600) in
        O(token_cache_dir). Anyone who can read that file as you can use the tokens until they expire (about an hour).
      - The cloud's C(/metadata/endpoints) document and the identity provider's OpenID discovery document (public, not
        secrets) are kept in O(token_cache_dir) for 24 hours.
      - Used for service principals (O(secret) or E(AZURE_SECRET)) and workload identity; other sources get a token per task.
      - A cached token that Resource Manager refuses (revoked, or expired early) is replaced by a new one, once per task.
    type: str
    choices: [disabled, encrypted, allow_unencrypted]
  token_cache_dir:
    description:
      - Directory for the token cache and the metadata cache, required when O(token_cache) is not V(disabled). When not given,
        the environment variable E(ANSIBLE_AZURE_TOKEN_CACHE_DIR).
      - Created with mode C(0700) when missing. The module refuses a directory owned by another user or writable by
        others. An AWX job's private data directory is the natural place.
    type: path
notes:
  - Tokens and secrets are never written to results or messages; secrets read from the environment or from
    C(~/.azure/credentials) are masked in all output.
  - The result of a failure has C(credential_source) (for example C(service principal from environment (AWX names))) when
    authentication or authorization failed. It names the source, never its values.
  - See docs/authentication.md in the collection for AWX, profiles and custom clouds.
requirements:
  - requests
  - azure-identity
"""
