"""Run ``ansible-test sanity`` here, where containers and ci-files.testing.ansible.com are out of reach.

    python tests/tools/ansible_test_offline.py COLLECTION_TARBALL PYTHON_VERSION [ansible-test args...]

The built collection is installed into a fresh directory outside this checkout: ansible-test insists on
``.../ansible_collections/NS/NAME`` and, inside a git checkout, would test only the files git tracks.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import ansible_test

HERE = os.path.dirname(os.path.abspath(__file__))


def install_get_pip_standin():
    """ansible-test bootstraps pip in each venv it makes with get_pip_<ver>.py, downloaded unless cached.

    The stand-in installs pip from the interpreter's bundled wheel and, unlike ensurepip.bootstrap(),
    keeps this machine's pip configuration (index, CA) in force.
    """
    requirements = os.path.join(os.path.dirname(ansible_test.__file__), '_internal', 'python_requirements.py')
    with open(requirements, encoding='utf-8') as handle:
        match = re.search(r"^\s*pip='([0-9.]+)',", handle.read(), re.MULTILINE)
    if not match:
        sys.exit('cannot tell which pip version ansible-test wants')
    cache = os.path.expanduser('~/.ansible/test/cache')
    os.makedirs(cache, exist_ok=True)
    target = os.path.join(cache, 'get_pip_%s.py' % match.group(1).replace('.', '_'))
    shutil.copyfile(os.path.join(HERE, 'get_pip_standin.py'), target)


def persist_pip_settings():
    """ansible-test hands pip only PATH/HOME/LC_ALL: pip settings given as variables must be in a config file."""
    for variable, key in (('PIP_INDEX_URL', 'index-url'), ('PIP_CERT', 'cert')):
        value = os.environ.get(variable)
        if not value:
            continue
        listed = subprocess.run([sys.executable, '-m', 'pip', 'config', 'list'], capture_output=True, text=True, check=False).stdout
        if '.%s=' % key not in listed:
            subprocess.run([sys.executable, '-m', 'pip', 'config', '--user', 'set', 'global.' + key, value], check=True)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    tarball, python_version, extra = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3:]
    install_get_pip_standin()
    persist_pip_settings()
    bin_dir = os.path.dirname(sys.executable)
    root = tempfile.mkdtemp(prefix='azureml-sanity.')
    try:
        subprocess.run([os.path.join(bin_dir, 'ansible-galaxy'), 'collection', 'install', '--force', '-p', root, tarball],
                       check=True, stdout=subprocess.DEVNULL, env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=root))
        collection = os.path.join(root, 'ansible_collections', 'azureml', 'model_management')
        command = [os.path.join(bin_dir, 'ansible-test'), 'sanity', '--venv', '--python', python_version, '--color', 'no'] + extra
        return subprocess.run(command, cwd=collection, check=False).returncode
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
