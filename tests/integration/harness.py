"""What the integration tests drive: a running emulator and real ``ansible`` / ``ansible-playbook`` runs.

The emulator is started as its own process (``tests/emulator/run.py``), exactly as a user starts it; the
collection is the one installed from the built artifact (``ANSIBLE_COLLECTIONS_PATH``, set by the Makefile).
Nothing here imports the collection's code: the tests see only what Ansible and the emulator show.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

import requests

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TESTS_DIR, 'tools'))
from with_emulator import read_env_file  # noqa: E402 pylint: disable=wrong-import-position,import-error

EMULATOR_SCRIPT = os.path.join(TESTS_DIR, 'emulator', 'run.py')
BIN_DIR = os.path.dirname(sys.executable)
CALLBACK_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'callback_plugins')
PROVIDER = 'Microsoft.MachineLearningModelManagement'
API_VERSION = '2017-09-01-preview'
ENV_NAMES_TO_DROP = (
    'AZURE_SUBSCRIPTION_ID', 'AZURE_CLIENT_ID', 'AZURE_SECRET', 'AZURE_TENANT', 'AZURE_AD_USER', 'AZURE_PASSWORD',
    'AZURE_CLOUD_ENVIRONMENT', 'AZURE_CLIENT_SECRET', 'AZURE_TENANT_ID', 'AZURE_FEDERATED_TOKEN_FILE', 'AZURE_PROFILE',
    'ANSIBLE_AZURE_AUTH_SOURCE', 'IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'MSI_ENDPOINT', 'MSI_SECRET',
    'ANSIBLE_AZURE_TOKEN_CACHE', 'ANSIBLE_AZURE_TOKEN_CACHE_DIR',  # a user's cache would change every request count
)


class Emulator:
    """A running emulator process plus a small Resource Manager client for test set-up."""

    def __init__(self, data_dir, extra_args=()):
        self.data_dir = data_dir
        env_file = os.path.join(data_dir, 'env')
        with open(os.path.join(data_dir, 'emulator.log'), 'ab') as log:
            self.process = subprocess.Popen(  # pylint: disable=consider-using-with
                [sys.executable, EMULATOR_SCRIPT, '--data-dir', data_dir, '--port', '0',
                 '--resource-group', 'demo-rg', '--resource-group', 'it-rg'] + list(extra_args),
                stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + 30
        while not os.path.exists(env_file):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError('emulator did not start; see %s/emulator.log' % data_dir)
            time.sleep(0.05)
        self.env = read_env_file(env_file)
        self.url = self.env['EMULATOR_URL']
        self.subscription = self.env['AZURE_SUBSCRIPTION_ID']
        self.http = requests.Session()
        self.http.verify = self.env['REQUESTS_CA_BUNDLE']
        self.http.trust_env = False  # else a REQUESTS_CA_BUNDLE in the environment would override verify
        self._token = None

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def extra_env(self, name):
        """Export lines of another file the emulator writes (e.g. msi.env)."""
        return read_env_file(os.path.join(self.data_dir, name))

    # --- control API (not Azure) -------------------------------------------------------------------------
    def control(self, method, path, payload=None):
        response = self.http.request(method, self.url + '/_emulator/' + path, json=payload, timeout=30)
        response.raise_for_status()
        return response.json() if response.content else None

    def reset(self):
        self.control('POST', 'reset')
        self._token = None

    def configure(self, **settings):
        return self.control('PATCH', 'config', settings)

    def fault(self, **spec):
        return self.control('POST', 'faults', spec)

    def journal(self, kind='arm'):
        entries = self.control('GET', 'requests')['requests']
        return [entry for entry in entries if kind is None or entry.get('kind') == kind]

    def calls(self, kind='arm'):
        """The journal reduced to (METHOD, path) pairs: what the request counts are asserted on."""
        return [(entry['method'], entry['path']) for entry in self.journal(kind)]

    def clear_journal(self):
        self.control('DELETE', 'requests')

    # --- Resource Manager, for arranging state before a test ---------------------------------------------
    def token(self):
        if self._token is None:
            response = self.http.post(
                '%s/%s/oauth2/v2.0/token' % (self.url, self.env['AZURE_TENANT']),
                data={'grant_type': 'client_credentials', 'client_id': self.env['AZURE_CLIENT_ID'],
                      'client_secret': self.env['AZURE_SECRET'], 'scope': self.url + '/.default'},
                timeout=30)
            response.raise_for_status()
            self._token = response.json()['access_token']
        return self._token

    def arm(self, method, path, body=None, api_version=API_VERSION):
        return self.http.request(method, self.url + path, params={'api-version': api_version}, json=body,
                                 headers={'Authorization': 'Bearer ' + self.token()}, timeout=30)

    def account_path(self, name, resource_group='it-rg', subscription=None):
        return '/subscriptions/%s/resourceGroups/%s/providers/%s/accounts/%s' % (
            subscription or self.subscription, resource_group, PROVIDER, name)

    def get_account(self, name, resource_group='it-rg'):
        response = self.arm('GET', self.account_path(name, resource_group))
        return response.json() if response.status_code == 200 else None

    def put_account(self, name, resource_group='it-rg', location='eastus', sku=None, tags=None, description=None):
        body = {'location': location, 'sku': sku or {'name': 'S1', 'capacity': 1}, 'tags': tags or {}, 'properties': {}}
        if description is not None:
            body['properties']['description'] = description
        response = self.arm('PUT', self.account_path(name, resource_group), body)
        if response.status_code not in (200, 201):
            raise RuntimeError('arranging account %s failed: %s' % (name, response.text))
        return response.json()


class Ansible:
    """Runs real ``ansible`` and ``ansible-playbook`` commands against the emulator."""

    def __init__(self, emulator, work_dir):
        self.emulator = emulator
        self.work_dir = work_dir
        self.last_process = None

    def environment(self, auth_env=None, drop_auth=False, extra=None):
        env = {key: value for key, value in os.environ.items() if key not in ENV_NAMES_TO_DROP}
        env.update({'ANSIBLE_LOCALHOST_WARNING': 'false', 'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'false',
                    'ANSIBLE_NOCOLOR': '1', 'ANSIBLE_FORCE_COLOR': '0', 'PYTHONWARNINGS': 'ignore'})
        if not drop_auth:
            env.update(self.emulator.env)
        env['REQUESTS_CA_BUNDLE'] = self.emulator.env['REQUESTS_CA_BUNDLE']
        env.update(auth_env or {})
        env.update(extra or {})
        return env

    def module(self, name, args, check=False, diff=False, verbosity=0, **env_options):
        """Run one module ad hoc on localhost and return its result; the process is kept as ``last_process``.

        ``name`` is a module of this collection (``account``) or any fully qualified name.
        """
        result_file = os.path.join(tempfile.mkdtemp(dir=self.work_dir), 'results.jsonl')
        fqcn = name if '.' in name else 'azureml.model_management.' + name
        command = [os.path.join(BIN_DIR, 'ansible'), 'localhost', '-m', fqcn, '-e', 'ansible_python_interpreter=' + sys.executable]
        if args:  # ad hoc, '-a {}' would be taken as raw parameters
            command += ['-a', json.dumps(args)]
        if check:
            command.append('--check')
        if diff:
            command.append('--diff')
        if verbosity:
            command.append('-' + 'v' * verbosity)
        env = self.environment(**env_options)
        env.update(RESULT_FILE=result_file, ANSIBLE_LOAD_CALLBACK_PLUGINS='true', ANSIBLE_CALLBACKS_ENABLED='result_file',
                   ANSIBLE_CALLBACK_PLUGINS=CALLBACK_DIR)
        process = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
        self.last_process = process
        if not os.path.exists(result_file):
            raise AssertionError('no result from ansible:\n%s\n%s' % (process.stdout, process.stderr))
        with open(result_file, encoding='utf-8') as handle:
            records = [json.loads(line) for line in handle]
        if len(records) != 1:
            raise AssertionError('expected one task result, got %d' % len(records))
        result = records[0]['result']
        result.setdefault('failed', records[0]['status'] == 'failed')
        return result

    def playbook_results(self, path, *args, **env_options):
        """Run a playbook; return (process, [one record per task result: task, status, result])."""
        result_file = os.path.join(tempfile.mkdtemp(dir=self.work_dir), 'results.jsonl')
        extra = dict(env_options.pop('extra', None) or {}, RESULT_FILE=result_file, ANSIBLE_LOAD_CALLBACK_PLUGINS='true',
                     ANSIBLE_CALLBACKS_ENABLED='result_file', ANSIBLE_CALLBACK_PLUGINS=CALLBACK_DIR)
        process = self.playbook(path, *args, extra=extra, **env_options)
        if not os.path.exists(result_file):
            return process, []
        with open(result_file, encoding='utf-8') as handle:
            return process, [json.loads(line) for line in handle]

    def playbook(self, path, *args, **env_options):
        command = [os.path.join(BIN_DIR, 'ansible-playbook'), path,
                   '-e', 'ansible_python_interpreter=' + sys.executable] + list(args)
        return subprocess.run(command, env=self.environment(**env_options), capture_output=True, text=True,
                              timeout=600, check=False, cwd=self.work_dir)
