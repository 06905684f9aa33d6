"""ansible-doc renders every module, the role and the filter from the installed collection, with the shared options; user docs name no issue number."""
import os
import re
import subprocess
import sys

import pytest

ANSIBLE_DOC = os.path.join(os.path.dirname(sys.executable), 'ansible-doc')
SHARED = ['subscription_id', 'auth_source', 'cloud_environment', 'validate_certs']


def ansible_doc(*args):
    process = subprocess.run([ANSIBLE_DOC] + list(args), capture_output=True, text=True, timeout=120, check=False)
    assert process.returncode == 0, process.stderr
    return process.stdout


@pytest.mark.parametrize('module, own_options', [
    ('account', ['name', 'resource_group', 'location', 'sku', 'append_tags', 'state', 'wait_timeout']),
    ('account_info', ['name', 'resource_group', 'tags']),
    ('operations_info', []),
    ('accounts', ['accounts', 'purge', 'purge_resource_groups', 'purge_tags', 'purge_allow_empty', 'restrict_to', 'concurrency']),
])
def test_module_documentation_renders(module, own_options):
    text = ansible_doc('azureml.model_management.' + module)
    for option in own_options + SHARED:
        assert option in text
    assert 'EXAMPLES' in text and 'RETURN VALUES' in text
    assert 'check_mode' in text and 'diff_mode' in text


def test_modules_are_listed():
    listing = ansible_doc('-l', 'azureml.model_management')
    for module in ('account', 'accounts', 'account_info', 'operations_info'):
        assert 'azureml.model_management.' + module in listing


def test_role_documentation_renders():
    text = ansible_doc('-t', 'role', 'azureml.model_management.accounts')
    for variable in ('accounts_list', 'accounts_resource_group', 'accounts_purge_tags', 'accounts_purge_allow_empty', 'accounts_concurrency'):
        assert variable in text


def test_inventory_plugin_documentation_renders():
    text = ansible_doc('-t', 'inventory', 'azureml.model_management.accounts')
    for option in ['subscriptions', 'resource_groups', 'include_tags', 'exclude_tags', 'hostname_format', 'keyed_groups',
                   'cache_plugin', 'AZURE_SUBSCRIPTION_ID', 'AZURE_SECRET'] + SHARED:
        assert option in text
    assert 'EXAMPLES' in text


def test_the_filter_documentation_renders():
    assert 'vars_yaml' in ansible_doc('-t', 'filter', 'azureml.model_management.vars_yaml')


def test_user_docs_name_no_issue_number():
    """Users' pages say what is true now: the history of issues goes to docs/dev/ and the changelog."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    pages = [os.path.join(root, 'README.md')] + [os.path.join(root, 'docs', name) for name in os.listdir(os.path.join(root, 'docs'))
                                                 if name.endswith('.md')]
    found = []
    for page in pages:
        with open(page, encoding='utf-8') as handle:
            for number, line in enumerate(handle, 1):
                # another project's issues cited as a source ("terraform-provider-azurerm issues 7026") are not ours
                if re.search(r'\bissues? \d', line, re.I) and not re.search(r'[\w-]+/[\w-]+ issues? \d', line):
                    found.append('%s:%d: %s' % (os.path.relpath(page, root), number, line.strip()[:100]))
    assert not found, '\n'.join(found)
