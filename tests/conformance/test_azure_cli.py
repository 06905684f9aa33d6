"""A scripted Azure CLI session against the emulator: cloud registration with endpoint discovery, service-principal
login, resource groups, generic resources by parts and by id, `az rest`.

Runs when the CLI is installed (`make test-cli` puts it into .venv-cli and sets AZ_CLI); skipped otherwise. The CLI
gets a private config directory, telemetry, survey and extension installs off, its version cache pre-filled (else
it fetches the latest version from Microsoft's storage at start), and an HTTPS proxy that only records: the test
fails if the CLI tried to reach anything but the emulator.
"""

import datetime
import json
import os
import shutil
import socket
import subprocess
import threading

import pytest

from emu_support import NS

AZ = os.environ.get("AZ_CLI") or shutil.which("az")
TYPE = NS + "/accounts"
pytestmark = pytest.mark.skipif(not AZ, reason="Azure CLI not installed (make test-cli installs it into .venv-cli)")


class RecordingProxy:
    """Accepts proxy connections, records their first line (e.g. 'CONNECT host:443'), answers nothing useful."""

    def __init__(self):
        self.seen = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = "http://127.0.0.1:%d" % self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    self.seen.append(conn.recv(4096).split(b"\r\n")[0].decode("latin-1"))
                    conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    pass

    def close(self):
        self.sock.close()


@pytest.fixture
def az(emu, tmp_path):
    config_dir = tmp_path / "azure"
    config_dir.mkdir()
    proxy = RecordingProxy()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "ARM_"))}
    env.update(AZURE_CONFIG_DIR=str(config_dir), REQUESTS_CA_BUNDLE=emu.p.ca, HTTPS_PROXY=proxy.url, HTTP_PROXY=proxy.url,
               NO_PROXY="127.0.0.1,localhost", AZURE_CORE_COLLECT_TELEMETRY="false", AZURE_CORE_SURVEY_MESSAGE="false",
               AZURE_CORE_INSTANCE_DISCOVERY="false", AZURE_EXTENSION_USE_DYNAMIC_INSTALL="no", AZURE_CORE_NO_COLOR="true",
               AZURE_CORE_DISABLE_CONFIRM_PROMPT="true")

    def run(*args, fails=False):
        done = subprocess.run([AZ] + list(args) + ["-o", "json"], capture_output=True, text=True, env=env, timeout=120,
                              check=False)
        if fails:
            assert done.returncode != 0, (args, done.stdout)
            return done.stderr
        assert done.returncode == 0, (args, done.stderr)
        return json.loads(done.stdout) if done.stdout.strip() else None

    run.proxy = proxy
    run.seed_version_cache = lambda version: (config_dir / "versionCheck.json").write_text(json.dumps({
        "versions": {"core": {"local": version}, "azure-cli": {"local": version}},
        "update_time": datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f")}))
    yield run
    proxy.close()


def cli_version():
    done = subprocess.run([os.path.join(os.path.dirname(AZ), "python"), "-c",
                           "import azure.cli.core as c; print(c.__version__)"], capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 else None


def test_cli_session(az, emu):
    az.seed_version_cache(cli_version() or "0")
    sub, base = emu.sub, emu.base
    cloud = az("cloud", "register", "-n", "Emulator", "--endpoint-resource-manager", base)
    assert cloud is None
    az("cloud", "set", "-n", "Emulator")
    endpoints = az("cloud", "show", "-n", "Emulator")["endpoints"]
    assert endpoints["activeDirectory"] == base + "/" and endpoints["activeDirectoryResourceId"] == base + "/"
    logged_in = az("login", "--service-principal", "-u", emu.env["AZURE_CLIENT_ID"], "-p", emu.env["AZURE_SECRET"],
                   "--tenant", emu.env["AZURE_TENANT"])
    assert sub in [s["id"] for s in logged_in]
    az("account", "set", "-s", sub)
    assert az("account", "show")["id"] == sub
    assert "East US 2" in [loc["displayName"] for loc in az("account", "list-locations")]

    # resource groups (the CLI's Microsoft.Resources api-version, 2024-11-01)
    assert az("group", "create", "-n", "cli-rg", "-l", "westus2")["location"] == "westus2"
    assert az("group", "show", "-n", "cli-rg")["properties"]["provisioningState"] == "Succeeded"
    assert "cli-rg" in [g["name"] for g in az("group", "list")]
    assert az("group", "update", "-n", "cli-rg", "--set", "tags.team=ml")["tags"] == {"team": "ml"}
    assert "LocationNotAvailableForResourceGroup" in az("group", "create", "-n", "moon-rg", "-l", "moon-1", fails=True)

    # generic resources by parts (no --api-version: the CLI reads it from the provider) and by id
    parts = ["-g", "cli-rg", "--resource-type", TYPE]
    body = {"location": "eastus", "sku": {"name": "S1", "capacity": 1}, "properties": {"description": "from az"}}
    created = az("resource", "create", "-n", "acct1", *parts, "--is-full-object", "--properties", json.dumps(body))
    account_id = created["id"]
    assert account_id == "/subscriptions/%s/resourceGroups/cli-rg/providers/%s/acct1" % (sub, TYPE)
    assert az("resource", "show", "-n", "acct1", *parts)["properties"]["description"] == "from az"
    assert az("resource", "show", "--ids", account_id)["sku"]["capacity"] == 1
    assert az("resource", "update", "--ids", account_id, "--set", "tags.env=test")["tags"] == {"env": "test"}
    assert az("resource", "update", "-n", "acct1", *parts, "--set", "sku.capacity=2")["sku"]["capacity"] == 2
    assert [r["name"] for r in az("resource", "list", "-g", "cli-rg")] == ["acct1"]
    assert [r["name"] for r in az("resource", "list", "--resource-type", TYPE)] == ["acct1"]
    assert [r["name"] for r in az("resource", "list", "--tag", "env=test")] == ["acct1"]
    moon = dict(body, location="moon-1")
    assert "LocationNotAvailableForResourceType" in az("resource", "create", "-n", "acct2", *parts, "--is-full-object",
                                                       "--properties", json.dumps(moon), fails=True)

    # az rest: a provider read and a PATCH the CLI has no command for
    provider = az("rest", "--method", "get", "--url", "/subscriptions/%s/providers/%s?api-version=2024-11-01" % (sub, NS))
    assert provider["resourceTypes"][0]["resourceType"] == "accounts"
    patched = az("rest", "--method", "patch", "--url", account_id + "?api-version=2017-09-01-preview",
                 "--body", json.dumps({"properties": {"description": "via az rest"}}))
    assert patched["properties"]["description"] == "via az rest"

    az("resource", "delete", "--ids", account_id)
    assert "ResourceNotFound" in az("resource", "show", "--ids", account_id, fails=True)
    az("resource", "create", "-n", "acct3", *parts, "--is-full-object", "--properties", json.dumps(body))
    az("group", "delete", "-n", "cli-rg", "--yes")
    assert az("group", "exists", "-n", "cli-rg") is False

    journal = emu.journal()
    assert emu.arm("GET", emu.account_path("acct3", rg="cli-rg")).status_code == 404, "deleting the group deleted acct3"
    assert all("AZURECLI" in e["headers"].get("User-Agent", "") for e in journal if e["kind"] == "arm"), "every ARM call from az"
    assert any(e["path"].endswith("/providers/%s//accounts/acct1" % NS) for e in journal), "by-parts paths were used"
    assert any(e["method"] == "DELETE" and e["status"] == 202 for e in journal)
    assert az.proxy.seen == [], "the CLI tried to reach something other than the emulator"
