"""Helpers for the conformance suite: run the emulator as a subprocess, read its env file, talk HTTPS to it.

A module with a unique name (not conftest) so test files can import it without clashing with other conftest.py files.
"""

import os
import shlex
import signal
import subprocess
import sys
import time

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
RUN_PY = os.path.join(os.path.dirname(HERE), "emulator", "run.py")
API = "2017-09-01-preview"
RG_API = "2021-04-01"
NS = "Microsoft.MachineLearningModelManagement"
EXTRA_SUB = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"


def read_env(path):
    """Parse the `export K=V` lines the emulator writes."""
    values = {}
    with open(path) as handle:
        for line in handle:
            line = line.strip()
            if line.startswith("export "):
                key, _sep, value = line[len("export "):].partition("=")
                values[key] = shlex.split(value)[0] if value else ""
    return values


class EmulatorProcess:
    """One emulator subprocess and the values from its DATA_DIR/env."""

    def __init__(self, data_dir, *args, in_memory=True):
        self.data_dir = str(data_dir)
        os.makedirs(self.data_dir, exist_ok=True)
        self.log_path = os.path.join(self.data_dir, "emulator.log")
        env_path = os.path.join(self.data_dir, "env")
        if os.path.exists(env_path):
            os.remove(env_path)
        cmd = [sys.executable, RUN_PY, "--data-dir", self.data_dir, "--port", "0"] + (["--in-memory"] if in_memory else []) + list(args)
        self._log = open(self.log_path, "ab")  # pylint: disable=consider-using-with
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT)  # pylint: disable=consider-using-with
        deadline = time.monotonic() + 30
        while not os.path.exists(env_path):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("emulator did not start; log:\n" + self.log())
            time.sleep(0.05)
        self.env = read_env(env_path)
        self.base = self.env["EMULATOR_URL"]
        self.ca = self.env["REQUESTS_CA_BUNDLE"]
        self.sub = self.env["AZURE_SUBSCRIPTION_ID"]

    def log(self):
        with open(self.log_path, "rb") as handle:
            return handle.read().decode("utf-8", "replace")

    def stop(self, sig=signal.SIGTERM, timeout=15):
        """Stop with a signal; return the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        return self.proc.returncode


class Client:
    """HTTP helpers bound to one running emulator (plain requests + the emulator's CA)."""

    def __init__(self, process):
        self.p = process
        self.base = process.base
        self.sub = process.sub
        self.env = process.env
        self.http = requests.Session()
        self.http.trust_env = False  # else a REQUESTS_CA_BUNDLE in the environment overrides session.verify
        self.http.verify = process.ca
        self.token = None

    # -- identity
    def get_token(self, scope=None, secret=None):
        resp = self.http.post("%s/%s/oauth2/v2.0/token" % (self.base, self.env["AZURE_TENANT"]), data={
            "grant_type": "client_credentials", "client_id": self.env["AZURE_CLIENT_ID"],
            "client_secret": secret or self.env["AZURE_SECRET"], "scope": scope or self.base + "/.default"})
        assert resp.status_code == 200, resp.text
        return resp.json()["access_token"]

    def login(self):
        self.token = self.get_token()
        return self.token

    # -- paths
    def account_path(self, name, rg="demo-rg", sub=None):
        return "/subscriptions/%s/resourceGroups/%s/providers/%s/accounts/%s" % (sub or self.sub, rg, NS, name)

    def url(self, path, api=API):
        if path.startswith("https://"):
            return path
        sep = "&" if "?" in path else "?"
        return self.base + path + ("%sapi-version=%s" % (sep, api) if api else "")

    # -- requests
    def arm(self, method, path, api=API, token=True, headers=None, **kwargs):
        hdrs = dict(headers or {})
        if token is True:
            hdrs.setdefault("Authorization", "Bearer " + (self.token or self.login()))
        elif token:
            hdrs["Authorization"] = "Bearer " + token
        return self.http.request(method, self.url(path, api), headers=hdrs, **kwargs)

    def put_account(self, name, rg="demo-rg", body=None, **kwargs):
        body = body if body is not None else {"location": "eastus", "sku": {"name": "S1", "capacity": 1}}
        return self.arm("PUT", self.account_path(name, rg), json=body, **kwargs)

    def control(self, method, path, **kwargs):
        return self.http.request(method, self.base + "/_emulator/" + path.lstrip("/"), **kwargs)

    def journal(self, **params):
        return self.control("GET", "requests", params=params).json()["requests"]
