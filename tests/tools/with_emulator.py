"""Start the emulator with the resource groups you name, then run a command against it (or wait).

    python tests/tools/with_emulator.py [--data-dir DIR] [--port N] [--resource-group NAME ...]
                                        [--subscription ID ...] [--emulator-arg ARG ...] [-- COMMAND [ARGS...]]

Azure does not create resource groups on demand, and neither does the emulator: the groups named here exist from
the start, in the emulator's default subscription (its ``--resource-group``) and, through Resource Manager as
``az group create`` would, in every subscription named with ``--subscription`` (without ``--resource-group`` the
emulator creates its own default, ``demo-rg``, in the default subscription only).

With a COMMAND (``make demo``): the emulator's log goes to DIR/emulator.log, whose path is printed once on
stderr, so the command's own output stays as it prints it; DIR/env's ``export`` lines are added to the command's
environment; the emulator is stopped afterwards and the exit status is the command's.
Without one (``make emulator``): the emulator runs in the foreground and logs each request to the terminal, which
is what it is there for; in another shell, ``. DIR/env``. Ctrl-C (or SIGTERM) stops it.

``start()``, ``stop()`` and ``read_env_file()`` are also what tests/integration/test_doc_examples.py uses.
"""
import argparse
import json
import os
import shlex
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.path.join(os.path.dirname(HERE), 'emulator', 'run.py')
GROUP_API_VERSION = '2021-04-01'
GROUP_LOCATION = 'eastus'  # where the emulator's own --resource-group groups live


def read_env_file(path):
    """Parse the emulator's ``export NAME=value`` lines (values are shell-quoted)."""
    values = {}
    with open(path, encoding='utf-8') as handle:
        for line in handle:
            words = shlex.split(line, comments=True)
            if len(words) == 2 and words[0] == 'export' and '=' in words[1]:
                name, value = words[1].split('=', 1)
                values[name] = value
    return values


def wait_for_env(path, process, timeout):
    """Wait until the emulator has written its env file; fail early if it died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path):
            return read_env_file(path)
        if process.poll() is not None:
            raise RuntimeError('the emulator exited with status %s before it was ready' % process.returncode)
        time.sleep(0.05)
    stop(process)
    raise RuntimeError('the emulator was not ready after %s seconds' % timeout)


def _call(env, method, url, data=None, headers=None):
    """One HTTPS request to the emulator, trusting its CA; the parsed JSON answer."""
    context = ssl.create_default_context(cafile=env['REQUESTS_CA_BUNDLE'])
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    with urllib.request.urlopen(request, context=context, timeout=30) as answer:  # nosec: the emulator's own URL
        return json.loads(answer.read() or b'null')


def create_groups(env, subscriptions, groups):
    """PUT each resource group into each subscription through Resource Manager, with the env file's service principal."""
    if not subscriptions or not groups:
        return
    form = urllib.parse.urlencode({'grant_type': 'client_credentials', 'client_id': env['AZURE_CLIENT_ID'],
                                   'client_secret': env['AZURE_SECRET'], 'scope': env['EMULATOR_URL'] + '/.default'})
    token = _call(env, 'POST', '%s/%s/oauth2/v2.0/token' % (env['EMULATOR_URL'], env['AZURE_TENANT']), form.encode(),
                  {'Content-Type': 'application/x-www-form-urlencoded'})['access_token']
    body = json.dumps({'location': GROUP_LOCATION}).encode()
    for subscription in subscriptions:
        for group in groups:
            _call(env, 'PUT', '%s/subscriptions/%s/resourcegroups/%s?api-version=%s' % (
                env['EMULATOR_URL'], urllib.parse.quote(subscription), urllib.parse.quote(group), GROUP_API_VERSION),
                body, {'Authorization': 'Bearer ' + token, 'Content-Type': 'application/json'})


def start(data_dir, groups=(), subscriptions=(), port=0, extra_args=(), log=None, ready_timeout=30.0):
    """Start the emulator and create ``groups`` in the default and every named subscription: (process, env values).

    ``log``: an open binary file for the emulator's stderr (its log), or None to inherit this process's stderr.
    """
    os.makedirs(data_dir, exist_ok=True)
    env_file = os.path.join(data_dir, 'env')
    if os.path.exists(env_file):
        os.remove(env_file)  # a stale file from an emulator that did not stop cleanly
    command = [sys.executable, EMULATOR, '--data-dir', data_dir, '--port', str(port)]
    command += ['--resource-group=%s' % group for group in groups]
    command += ['--subscription=%s' % subscription for subscription in subscriptions]
    process = subprocess.Popen(command + list(extra_args), stdout=log, stderr=log)  # pylint: disable=consider-using-with
    try:
        env = wait_for_env(env_file, process, ready_timeout)
        create_groups(env, [s for s in subscriptions if s.lower() != env['AZURE_SUBSCRIPTION_ID'].lower()], groups)
    except BaseException:
        stop(process)
        raise
    return process, env


def stop(process, timeout=15):
    """SIGTERM (the emulator then removes its env files), SIGKILL if it does not stop in time."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def foreground(process):
    """Wait for the emulator; Ctrl-C reaches it too (same process group), SIGTERM is passed on."""
    signal.signal(signal.SIGTERM, lambda _signum, _frame: process.send_signal(signal.SIGTERM))
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:
            continue  # the emulator got the same SIGINT and is stopping


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--data-dir', help='emulator state directory (default: a new temporary one)')
    parser.add_argument('--port', type=int, default=0, help='TCP port (default 0: a free one)')
    parser.add_argument('--resource-group', action='append', default=[], dest='groups',
                        help='resource group created at start, in every subscription (repeatable)')
    parser.add_argument('--subscription', action='append', default=[], dest='subscriptions',
                        help='extra subscription the emulator knows (repeatable)')
    parser.add_argument('--emulator-arg', action='append', default=[], help='extra argument for the emulator')
    parser.add_argument('--ready-timeout', type=float, default=30.0)
    parser.add_argument('command', nargs=argparse.REMAINDER)
    options = parser.parse_args()
    command = options.command[1:] if options.command[:1] == ['--'] else options.command
    groups = [group for word in options.groups for group in word.split()]
    subscriptions = [sub for word in options.subscriptions for sub in word.split()]
    data_dir = os.path.abspath(options.data_dir or tempfile.mkdtemp(prefix='azureml-emulator-'))

    if not command:
        try:
            process, _env = start(data_dir, groups, subscriptions, options.port, options.emulator_arg,
                                  ready_timeout=options.ready_timeout)
        except RuntimeError as error:
            return str(error)
        return foreground(process)

    os.makedirs(data_dir, exist_ok=True)
    log_path = os.path.join(data_dir, 'emulator.log')
    with open(log_path, 'ab') as log:
        try:
            process, env = start(data_dir, groups, subscriptions, options.port, options.emulator_arg, log,
                                 options.ready_timeout)
        except RuntimeError as error:
            return '%s; its log: %s' % (error, log_path)
        print('emulator at %s; its log: %s' % (env['EMULATOR_URL'], log_path), file=sys.stderr, flush=True)
        try:
            return subprocess.call(command, env=dict(os.environ, **env))
        finally:
            stop(process)


if __name__ == '__main__':
    sys.exit(main())
