"""Run the ``ansible-test integration`` targets (tests/integration/targets/) against a fresh emulator.

    python tests/tools/ansible_test_integration.py COLLECTION_TARBALL PYTHON_VERSION [ansible-test args...]

The targets carry the alias ``cloud/azure``: ansible-test's azure cloud plugin reads
tests/integration/cloud-config-azure.ini and hands every key of its ``[default]`` section to the targets, as
environment variables and as lower-case variables (``resource_group``, ...). That is the one way in: ansible-test
filters the environment it runs playbooks in (PATH, HOME and a few more), so the emulator's env file has to go
through that file. This script writes it from the emulator's env file (the emulator's URL as
AZURE_CLOUD_ENVIRONMENT, its CA as REQUESTS_CA_BUNDLE) into the built collection installed in a temporary
``ansible_collections/azureml/model_management`` (ansible-test wants that path; outside a git checkout it sees every
file), then runs ``ansible-test integration --local`` with the current Python environment, which has requests and
azure-identity. Against Azure, write the same file by hand (AZURE_CLIENT_ID, AZURE_SECRET, AZURE_SUBSCRIPTION_ID,
AZURE_TENANT, RESOURCE_GROUP, RESOURCE_GROUP_SECONDARY) and run ansible-test yourself.
"""
import configparser
import os
import shutil
import subprocess
import sys
import tempfile

from with_emulator import start, stop  # pylint: disable=import-error

GROUPS = ('ansible-test-rg', 'ansible-test-rg-2')
PASSED_KEYS = ('AZURE_CLIENT_ID', 'AZURE_SECRET', 'AZURE_SUBSCRIPTION_ID', 'AZURE_TENANT', 'AZURE_CLOUD_ENVIRONMENT',
               'REQUESTS_CA_BUNDLE')


def write_cloud_config(path, env, groups):
    """cloud-config-azure.ini: the emulator's settings, the two resource groups ansible-test's azure plugin requires."""
    config = configparser.RawConfigParser()
    config.optionxform = str  # keep the names' case (the plugin upper-cases them anyway)
    values = dict((key, env[key]) for key in PASSED_KEYS)
    values.update(RESOURCE_GROUP=groups[0], RESOURCE_GROUP_SECONDARY=groups[1])
    # ansible-test reads it with interpolation on: a literal % must be %%
    config['default'] = dict((key, value.replace('%', '%%')) for key, value in values.items())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds the emulator's client secret
    with os.fdopen(fd, 'w') as handle:
        config.write(handle)


def run_and_check(command, collection, extra):
    """ansible-test's status, or 1 when a target that should have run did not (a skipped target must not pass)."""
    targets_dir = os.path.join(collection, 'tests', 'integration', 'targets')
    targets = sorted(name for name in os.listdir(targets_dir) if not name.startswith('.'))
    expected = [name for name in extra if name in targets] or targets
    process = subprocess.Popen(command, cwd=collection, stdout=subprocess.PIPE, text=True)  # pylint: disable=consider-using-with
    ran = set()
    for line in process.stdout:
        sys.stdout.write(line)
        if line.startswith('Running ') and line.rstrip().endswith(' integration test role'):
            ran.add(line.split()[1])
    status = process.wait()
    missing = [name for name in expected if name not in ran]
    if missing and not status:
        print('ansible-test did not run: %s' % ', '.join(missing), file=sys.stderr)
        return 1
    return status


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    tarball, python_version, extra = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3:]
    bin_dir = os.path.dirname(sys.executable)
    work = tempfile.mkdtemp(prefix='azureml-integration.')
    try:
        root = os.path.join(work, 'collections')
        subprocess.run([os.path.join(bin_dir, 'ansible-galaxy'), 'collection', 'install', '--force', '-p', root, tarball],
                       check=True, stdout=subprocess.DEVNULL, env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=root))
        collection = os.path.join(root, 'ansible_collections', 'azureml', 'model_management')
        log_path = os.path.join(work, 'emulator', 'emulator.log')
        os.makedirs(os.path.dirname(log_path))
        with open(log_path, 'ab') as log:
            process, env = start(os.path.dirname(log_path), GROUPS, log=log, extra_args=['--in-memory'])
        try:
            write_cloud_config(os.path.join(collection, 'tests', 'integration', 'cloud-config-azure.ini'), env, GROUPS)
            command = [os.path.join(bin_dir, 'ansible-test'), 'integration', '--local', '--python', python_version,
                       '--color', 'no'] + extra
            status = run_and_check(command, collection, extra)
        finally:
            stop(process)
        if status:
            print('the emulator\'s log: %s (kept)' % log_path, file=sys.stderr)
            work = None
        return status
    finally:
        if work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
