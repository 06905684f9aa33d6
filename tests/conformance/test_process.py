"""The process: env file, restart persistence, clean stop on signals, and concurrency."""

import os
import random
import signal
import stat
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from emu_support import NS, Client


def test_env_file_and_secrets(start_emulator, tmp_path):
    proc = start_emulator(data_dir=tmp_path / "d1")
    env = proc.env
    assert set(env) >= {"EMULATOR_URL", "AZURE_CLOUD_ENVIRONMENT", "AZURE_SUBSCRIPTION_ID", "AZURE_CLIENT_ID", "AZURE_SECRET",
                        "AZURE_TENANT", "REQUESTS_CA_BUNDLE"}
    assert "IDENTITY_ENDPOINT" not in env and "IDENTITY_HEADER" not in env
    assert env["EMULATOR_URL"] == env["AZURE_CLOUD_ENVIRONMENT"]
    assert env["EMULATOR_URL"].startswith("https://127.0.0.1:")
    assert env["REQUESTS_CA_BUNDLE"] == str(tmp_path / "d1" / "ca.pem")
    with open(os.path.join(proc.data_dir, "env")) as handle:
        text = handle.read()
    assert "export AZURE_SECRET='%s'" % env["AZURE_SECRET"] in text, "the secret contains '~' and is shell-quoted"
    for name in ("identity.json", "ca-key.pem", "server-key.pem", "env"):
        assert stat.S_IMODE(os.stat(os.path.join(proc.data_dir, name)).st_mode) == 0o600, name
    assert os.path.exists(os.path.join(proc.data_dir, "msi.env"))
    assert os.path.exists(os.path.join(proc.data_dir, "federated-token"))


def test_restart_persists_state_and_identity(start_emulator, tmp_path):
    data_dir = tmp_path / "persist"
    first = start_emulator(data_dir=data_dir, in_memory=False)
    client = Client(first)
    assert client.put_account("survivor", body={"location": "eastus", "sku": {"name": "S2", "capacity": 2}}).status_code == 201
    with open(first.ca, "rb") as handle:
        ca_before = handle.read()
    assert first.stop() == 0
    assert not os.path.exists(os.path.join(first.data_dir, "env")), "env is removed on stop"
    port = first.base.rsplit(":", 1)[1]
    second = start_emulator("--port", port, data_dir=data_dir, in_memory=False)
    assert second.base == first.base
    with open(second.ca, "rb") as handle:
        assert handle.read() == ca_before, "the CA is reused"
    for key in ("AZURE_SECRET", "AZURE_CLIENT_ID", "AZURE_TENANT", "AZURE_SUBSCRIPTION_ID"):
        assert second.env[key] == first.env[key]
    client2 = Client(second)
    got = client2.arm("GET", client2.account_path("survivor"))
    assert got.status_code == 200 and got.json()["sku"] == {"name": "S2", "capacity": 2}
    assert client2.arm("GET", client.account_path("x"), token=client.token).status_code == 404, "tokens survive a restart"
    third_port_client = Client(start_emulator(data_dir=tmp_path / "elsewhere"))
    resp = third_port_client.arm("GET", third_port_client.account_path("x"), token=client.token)
    assert resp.status_code == 401 and resp.json()["error"]["code"] == "InvalidAuthenticationToken"


def test_in_memory_does_not_persist(start_emulator, tmp_path):
    data_dir = tmp_path / "mem"
    first = start_emulator(data_dir=data_dir)
    assert Client(first).put_account("gone").status_code == 201
    assert first.stop() == 0
    second = start_emulator(data_dir=data_dir)
    assert Client(second).arm("GET", Client(second).account_path("gone")).status_code == 404


def test_sigterm_and_sigint_exit_zero(start_emulator, tmp_path):
    for sig in (signal.SIGTERM, signal.SIGINT):
        proc = start_emulator(data_dir=tmp_path / ("sig%d" % sig))
        assert proc.stop(sig) == 0
        assert not os.path.exists(os.path.join(proc.data_dir, "env"))
        assert "stopped" in proc.log()


def test_start_options(start_emulator, tmp_path):
    proc = start_emulator("--page-size", "5", "--async", "--token-lifetime", "120", "--resource-group", "alpha",
                          "--resource-group", "beta", data_dir=tmp_path / "opts")
    client = Client(proc)
    cfg = client.control("GET", "config").json()
    assert (cfg["page_size"], cfg["async"], cfg["token_lifetime"]) == (5, True, 120)
    groups = client.arm("GET", "/subscriptions/%s/resourcegroups" % client.sub, api="2021-04-01").json()["value"]
    assert [(g["name"], g["location"]) for g in groups] == [("alpha", "eastus"), ("beta", "eastus")]
    resp = client.put_account("a", rg="alpha")
    assert resp.status_code == 201 and resp.json()["properties"]["provisioningState"] == "Creating"


def test_50_concurrent_creates(emu):
    names = ["c%02d" % i for i in range(50)]
    barrier = threading.Barrier(50)

    def create(name):
        barrier.wait()
        return emu.put_account(name).status_code

    with ThreadPoolExecutor(50) as pool:
        statuses = list(pool.map(create, names))
    assert statuses == [201] * 50
    listed = emu.arm("GET", "/subscriptions/%s/resourceGroups/demo-rg/providers/%s/accounts" % (emu.sub, NS)).json()["value"]
    assert sorted(a["name"] for a in listed) == names


def test_50_concurrent_patchers_lose_nothing(emu):
    """Each writer adds its own tag with GET + PATCH If-Match, retrying on 412: all 50 tags must survive."""
    emu.put_account("shared")
    barrier = threading.Barrier(50)

    def add_tag(index):
        barrier.wait()
        attempts = 0
        while True:
            attempts += 1
            current = emu.arm("GET", emu.account_path("shared")).json()
            tags = dict(current["tags"], **{"writer%02d" % index: str(index)})
            resp = emu.arm("PATCH", emu.account_path("shared"), json={"tags": tags}, headers={"If-Match": current["etag"]})
            if resp.status_code == 200:
                return attempts
            assert resp.status_code == 412, resp.text
            time.sleep(random.uniform(0, 0.05 * attempts))

    with ThreadPoolExecutor(50) as pool:
        attempts = list(pool.map(add_tag, range(50)))
    tags = emu.arm("GET", emu.account_path("shared")).json()["tags"]
    assert tags == {"writer%02d" % i: str(i) for i in range(50)}
    assert max(attempts) > 1, "writers really did collide"


def test_concurrent_duplicate_create_only_one_wins(emu):
    barrier = threading.Barrier(20)

    def create(_index):
        barrier.wait()
        return emu.put_account("dup", headers={"If-None-Match": "*"}).status_code

    with ThreadPoolExecutor(20) as pool:
        statuses = sorted(pool.map(create, range(20)))
    assert statuses == [201] + [412] * 19
