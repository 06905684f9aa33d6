"""The bearer token never leaves for a foreign host, and no secret or token shows in any output.

Links: Resource Manager's nextLink, ``Azure-AsyncOperation`` and ``Location`` are planted by emulator faults and
point at a real local HTTPS listener (its certificate signed by the emulator's CA, which the modules trust through
REQUESTS_CA_BUNDLE) or a plain-HTTP one. Both record every request and answer as if they were Resource Manager,
so a module that follows a link would get a plausible success. Each refused link must fail the task, name the
link, and bring the listener no ``Authorization`` header.

Output: a task at -vvvv and a playbook through ansible-runner must not show the client secret or any token the
emulator issued (read from its database; the journal redacts them).
"""
import json
import os
import shutil
import ssl
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from harness import BIN_DIR, TESTS_DIR  # pylint: disable=import-error
from matrix import issued_tokens, record, secrets_in, traceback_in  # pylint: disable=import-error

sys.path.insert(0, TESTS_DIR)
from emulator.certs import ensure_certificates  # noqa: E402 pylint: disable=wrong-import-position,import-error

RG = 'it-rg'
ACCOUNTS = '/providers/Microsoft.MachineLearningModelManagement/accounts'
CREATE = {'name': 'mma-sec', 'resource_group': RG, 'location': 'eastus', 'sku': {'name': 'S1', 'capacity': 1}, 'timeout': 5,
          'wait_timeout': 10}


class Recorder(BaseHTTPRequestHandler):
    """Answers every request like a successful Resource Manager call and remembers what it was sent."""

    def _answer(self):
        # Whether a token came, never its value: a failing assertion must not print it.
        self.server.seen.append({'method': self.command, 'path': self.path,
                                 'authorization': self.headers.get('Authorization') is not None})
        body = json.dumps({'value': [{'name': 'planted'}], 'status': 'Succeeded'}).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = _answer

    def log_message(self, *args):  # pylint: disable=arguments-differ
        """Quiet: the test reads ``server.seen``."""


@pytest.fixture(scope='module')
def listeners(emulator_process, tmp_path_factory):
    """(https_port, http_port, seen): two recording listeners on 127.0.0.1; the HTTPS one trusted by the modules."""
    cert_dir = str(tmp_path_factory.mktemp('listener-certs'))
    for name in ('ca.pem', 'ca-key.pem'):
        shutil.copy(os.path.join(emulator_process.data_dir, name), cert_dir)
    _ca, cert, key = ensure_certificates(cert_dir)  # a server certificate for 127.0.0.1 signed by the emulator's CA
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    seen = []
    servers = [ThreadingHTTPServer(('127.0.0.1', 0), Recorder), ThreadingHTTPServer(('127.0.0.1', 0), Recorder)]
    servers[0].socket = context.wrap_socket(servers[0].socket, server_side=True)
    threads = []
    for server in servers:
        server.seen = seen
        server.daemon_threads = True
        threads.append(threading.Thread(target=server.serve_forever, daemon=True))
        threads[-1].start()
    yield servers[0].server_address[1], servers[1].server_address[1], seen
    for server in servers:
        server.shutdown()
        server.server_close()


def hostile_links(emulator, https_port, http_port):
    """Links that must be refused, by name; each ends in a path segment naming its case."""
    arm = emulator.url.split('//', 1)[1]
    return {
        'backslash-userinfo': 'https://127.0.0.1:%d\\@%s/x-backslash' % (https_port, arm),
        'userinfo': 'https://user@%s/subscriptions/%s%s/x-userinfo' % (arm, emulator.subscription, ACCOUNTS),
        'scheme-relative': '//127.0.0.1:%d/x-schemeless' % https_port,
        'plain-http': 'http://127.0.0.1:%d/x-plain' % http_port,
        'other-port': 'https://127.0.0.1:%d/x-otherport' % https_port,
    }


def plant(emulator, vehicle, link):
    """Arrange the state and the fault that hands ``link`` to the module; return (module, args)."""
    if vehicle == 'nextLink':
        emulator.put_account('mma-sec')
        emulator.fault(method='GET', path=ACCOUNTS + '$', status=200, body={'value': [{'name': 'mma-sec'}], 'nextLink': link})
        return 'account_info', {'resource_group': RG, 'timeout': 5}
    if vehicle == 'Azure-AsyncOperation':
        emulator.configure(**{'async': True})
        emulator.fault(method='PUT', path=ACCOUNTS + '/mma-sec$', status=201,
                       headers={'Azure-AsyncOperation': link, 'Retry-After': '0'},
                       body={'name': 'mma-sec', 'properties': {'provisioningState': 'Creating'}})
        return 'account', CREATE
    emulator.put_account('mma-sec')
    emulator.configure(**{'async': True})
    emulator.fault(method='DELETE', path=ACCOUNTS + '/mma-sec$', status=202, headers={'Location': link, 'Retry-After': '0'})
    return 'account', {'name': 'mma-sec', 'resource_group': RG, 'state': 'absent', 'timeout': 5, 'wait_timeout': 10}


CASES = [(vehicle, case) for vehicle in ('nextLink', 'Azure-AsyncOperation', 'Location')
         for case in ('backslash-userinfo', 'userinfo', 'scheme-relative', 'plain-http', 'other-port')]


@pytest.mark.parametrize('vehicle, case', CASES, ids=['%s-%s' % item for item in CASES])
def test_hostile_link_is_refused_without_sending_the_token(ansible, emulator, listeners, vehicle, case):
    https_port, http_port, seen = listeners
    del seen[:]
    link = hostile_links(emulator, https_port, http_port)[case]
    module, args = plant(emulator, vehicle, link)
    emulator.clear_journal()
    result = ansible.module(module, args)
    process = ansible.last_process

    marker = link.rsplit('/', 1)[1]
    followed = [entry for entry in emulator.journal() if entry['path'].endswith('/' + marker)]
    tokens = issued_tokens(emulator)
    leaked = secrets_in(json.dumps(result) + process.stdout + process.stderr, tokens + [emulator.env['AZURE_SECRET']])
    with_token = [request for request in seen if request['authorization']]
    record('security', 'link|%s|%s' % (vehicle, case), order=CASES.index((vehicle, case)), check='%s: %s' % (vehicle, case),
           link=link,
           listener_requests=len(seen), authorization_sent=len(with_token) + len(followed),
           outcome='failed' if result.get('failed') else 'ok', error_code=(result.get('error') or {}).get('code'),
           message=str(result.get('msg'))[:300], secrets_leaked=len(leaked))
    assert with_token == [], 'the token reached the listener: %s' % [request['path'] for request in with_token]
    assert followed == [], 'the link was followed to Resource Manager with the token'
    assert result.get('failed') is True, 'a refused %s must fail the task, got %s' % (vehicle, result)
    assert marker in result['msg'], result['msg']
    assert not traceback_in(result, process) and leaked == []


def all_secrets(emulator):
    values = issued_tokens(emulator) + [emulator.env['AZURE_SECRET']]
    assert len(values) >= 2, 'no token was issued: the check would prove nothing'
    return values


def test_nothing_secret_at_vvvv(ansible, emulator):
    result = ansible.module('account', CREATE, verbosity=4, diff=True)
    process = ansible.last_process
    leaked = secrets_in(process.stdout + process.stderr + json.dumps(result), all_secrets(emulator))
    record('security', 'output|-vvvv', check='ansible -vvvv (stdout, stderr, result)', outcome='ok' if not result.get('failed') else 'failed',
           output_bytes=len(process.stdout) + len(process.stderr), secrets_leaked=len(leaked), order=len(CASES))
    assert result['changed'] is True and not result.get('failed')
    assert 'Authorization' not in process.stdout and 'Bearer ' not in process.stdout
    assert leaked == []


def test_nothing_secret_in_ansible_runner_artifacts(ansible, emulator, tmp_path):
    private = tmp_path / 'runner'
    (private / 'project').mkdir(parents=True)
    (private / 'inventory').mkdir()
    (private / 'inventory' / 'hosts').write_text('localhost ansible_connection=local ansible_python_interpreter=%s\n' % sys.executable)
    (private / 'project' / 'create.yml').write_text(
        '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - azureml.model_management.account: %s\n'
        '    - azureml.model_management.account_info: {resource_group: %s}\n' % (json.dumps(CREATE), RG))
    env = ansible.environment(extra={'ANSIBLE_VERBOSITY': '4'})
    process = subprocess.run([os.path.join(BIN_DIR, 'ansible-runner'), 'run', str(private), '-p', 'create.yml'],
                             env=env, capture_output=True, text=True, timeout=300, check=False)
    # Every artifact file, job events included. One exception, for the client secret only: ansible-runner's own
    # ``command`` file records the environment it launched ansible with (mode 0600), where the caller put the
    # secret; tokens, which only the module ever holds, must not be there either.
    texts, launch_record = [], None
    for folder, _dirs, files in os.walk(str(private / 'artifacts')):
        for name in files:
            with open(os.path.join(folder, name), encoding='utf-8', errors='replace') as handle:
                text = handle.read()
            if name == 'command':
                launch_record = (text, os.stat(os.path.join(folder, name)).st_mode & 0o777)
            else:
                texts.append(text)
    events = [text for text in texts if '"event"' in text]
    tokens = issued_tokens(emulator)
    leaked = secrets_in('\n'.join(texts) + process.stdout + process.stderr, all_secrets(emulator))
    leaked += secrets_in(launch_record[0] if launch_record else '', tokens)
    record('security', 'output|ansible-runner', check='ansible-runner at verbosity 4 (stdout, job events, artifacts)',
           outcome='ok' if process.returncode == 0 else 'failed', artifact_files=len(texts), job_events=len(events),
           secrets_leaked=len(leaked), order=len(CASES) + 1)
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-2000:]
    assert len(events) > 5 and emulator.get_account('mma-sec') is not None
    assert leaked == []
    assert launch_record and launch_record[1] == 0o600, 'the launch record must be readable by its owner only'
