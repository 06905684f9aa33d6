"""Python libraries on the host that runs the modules: every missing one named at once, with the pip line that fixes it,
on real interpreters that lack them; and a task whose token is in the warm cache never imports azure-identity."""
import json
import os
import subprocess
import sys

ARGS = {'name': 'mma-lib', 'resource_group': 'it-rg', 'location': 'eastus', 'sku': {'name': 'S1', 'capacity': 1}}
REQUESTS_AND_ITS_DEPENDENCIES = ('requests', 'urllib3', 'idna', 'certifi', 'charset_normalizer')


def python_without_libraries(root, packages=()):
    """The python of a new venv (no pip, no site packages) that can import only ``packages`` of this test's Python."""
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(root / 'venv')], check=True, timeout=120)
    python = str(root / 'venv' / 'bin' / 'python')
    if packages:
        shelf = root / 'shelf'
        shelf.mkdir()
        for name in packages:
            module = __import__(name)
            (shelf / name).symlink_to(os.path.dirname(module.__file__))
        site = subprocess.run([python, '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], capture_output=True,
                              text=True, check=True).stdout.strip()
        with open(os.path.join(site, 'shelf.pth'), 'w', encoding='utf-8') as handle:
            handle.write(str(shelf) + '\n')
    return python


def run_task(ansible, tmp_path, python, module='account', args=None, extra=None):
    """One task of ``module`` on ``python`` (ansible_python_interpreter); its result."""
    play = tmp_path / 'play.yml'
    task = {'name': 'task', 'azureml.model_management.%s' % module: args or ARGS}
    play.write_text(json.dumps([{'hosts': 'localhost', 'gather_facts': False, 'connection': 'local', 'tasks': [task]}]))
    process, records = ansible.playbook_results(str(play), '-e', 'ansible_python_interpreter=%s' % python, extra=extra)
    assert len(records) == 1, process.stdout + process.stderr
    return dict(records[0]['result'], failed=records[0]['status'] == 'failed')


def test_a_python_without_requests_and_azure_identity_names_both_in_one_message(ansible, emulator, tmp_path):
    """Before, the task named requests; once requests was installed, the next run named azure-identity."""
    python = python_without_libraries(tmp_path)
    result = run_task(ansible, tmp_path, python)
    assert result['failed'] is True
    assert result['msg'].startswith("Failed to import the required Python libraries (requests, azure-identity) on ")
    assert "Install them into that Python: %s -m pip install 'requests>=2.28' 'azure-identity>=1.15'" % python in result['msg']
    assert emulator.journal(None) == []


def test_with_requests_installed_azure_identity_is_named(ansible, emulator, tmp_path):
    python = python_without_libraries(tmp_path, REQUESTS_AND_ITS_DEPENDENCIES)
    result = run_task(ansible, tmp_path, python)
    assert result['failed'] is True
    assert result['msg'].startswith("Failed to import the required Python library (azure-identity) on ")
    assert "Install it into that Python: %s -m pip install 'azure-identity>=1.15'" % python in result['msg']
    assert emulator.journal(None) == []


def hide_packages(root, *dotted_names):
    """A directory that, first on PYTHONPATH, makes ``import <name>`` fail for each name, as a broken install would."""
    for dotted in dotted_names:
        package = root.joinpath(*dotted.split('.'))
        package.mkdir(parents=True)
        (package / '__init__.py').write_text('raise ImportError("No module named %r (hidden for a test)")\n' % dotted)
    return os.pathsep.join(filter(None, [str(root), os.environ.get('PYTHONPATH')]))


def test_an_azure_identity_that_cannot_be_imported_is_named_with_the_reason(ansible, emulator, tmp_path):
    """Installed (found where it should be) but failing on import: named when the token is needed, with why."""
    result = ansible.module('account', ARGS, extra={'PYTHONPATH': hide_packages(tmp_path / 'hidden', 'azure.identity')})
    assert result['failed'] is True and result['error']['code'] == 'MissingLibrary'
    assert result['msg'].startswith('Failed to import the required Python library (azure-identity) on ')
    assert "(ImportError: No module named 'azure.identity' (hidden for a test))" in result['msg']
    assert emulator.journal(kind='arm') == [] and emulator.journal(kind='identity') == []


def test_a_task_whose_token_is_in_the_warm_cache_never_imports_azure_identity_or_msal(ansible, emulator, tmp_path):
    """The cached-token path, on a Python where importing azure-identity, azure-core, msal, msal-extensions or cryptography
    fails: the task still works, so it imported none of them. A task that needs a new token on that Python fails."""
    emulator.put_account('mma-lib')
    cache = {'ANSIBLE_AZURE_TOKEN_CACHE': 'allow_unencrypted', 'ANSIBLE_AZURE_TOKEN_CACHE_DIR': str(tmp_path / 'job' / 'azure')}
    assert not ansible.module('account', ARGS, extra=cache)['failed']  # the first task fetches a token and caches it
    emulator.clear_journal()
    hidden = hide_packages(tmp_path / 'hidden', 'azure.identity', 'azure.core', 'msal', 'msal_extensions', 'cryptography')
    warm = ansible.module('account', ARGS, extra=dict(cache, PYTHONPATH=hidden))
    assert not warm['failed'], warm.get('msg')
    assert warm.get('changed') is False and 'warnings' not in warm
    assert [(e['method'], e['status']) for e in emulator.journal(None)] == [('GET', 200)]
    os.remove(os.path.join(cache['ANSIBLE_AZURE_TOKEN_CACHE_DIR'], 'azureml.model_management.nocae'))
    cold = ansible.module('account', ARGS, extra=dict(cache, PYTHONPATH=hidden))
    assert cold['failed'] is True and cold['error']['code'] == 'MissingLibrary'
