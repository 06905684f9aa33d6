"""Every credential source the emulator can serve, as users and AWX provide them."""
import json
import os

import pytest

INFO = 'operations_info'


def cloud_only(emulator):
    """What every run needs besides a credential: the cloud (as a URL) and the CA that signs the emulator."""
    return {'AZURE_CLOUD_ENVIRONMENT': emulator.env['AZURE_CLOUD_ENVIRONMENT'],
            'REQUESTS_CA_BUNDLE': emulator.env['REQUESTS_CA_BUNDLE']}


def assert_works(result):
    assert not result.get('failed'), result.get('msg')
    assert result['operations']


def token_grants(emulator):
    return [entry['body'].get('grant_type') if isinstance(entry['body'], dict) else None
            for entry in emulator.journal(kind='identity') if entry['method'] == 'POST']


def test_awx_environment_variables(ansible, emulator):
    env = dict(cloud_only(emulator), AZURE_SUBSCRIPTION_ID=emulator.subscription, AZURE_CLIENT_ID=emulator.env['AZURE_CLIENT_ID'],
               AZURE_SECRET=emulator.env['AZURE_SECRET'], AZURE_TENANT=emulator.env['AZURE_TENANT'])
    result = ansible.module(INFO, {}, drop_auth=True, auth_env=env)
    assert_works(result)
    assert token_grants(emulator) == ['client_credentials']


def test_azure_identity_variable_names(ansible, emulator):
    env = dict(cloud_only(emulator), AZURE_SUBSCRIPTION_ID=emulator.subscription, AZURE_CLIENT_ID=emulator.env['AZURE_CLIENT_ID'],
               AZURE_CLIENT_SECRET=emulator.env['AZURE_SECRET'], AZURE_TENANT_ID=emulator.env['AZURE_TENANT'])
    result = ansible.module(INFO, {}, drop_auth=True, auth_env=env)
    assert_works(result)


def test_explicit_options(ansible, emulator):
    args = {'subscription_id': emulator.subscription, 'client_id': emulator.env['AZURE_CLIENT_ID'],
            'secret': emulator.env['AZURE_SECRET'], 'tenant': emulator.env['AZURE_TENANT'],
            'cloud_environment': emulator.url}
    result = ansible.module(INFO, args, drop_auth=True, auth_env={'REQUESTS_CA_BUNDLE': emulator.env['REQUESTS_CA_BUNDLE']})
    assert_works(result)


@pytest.mark.parametrize('section, option', [('default', None), ('emulator', 'emulator')])
def test_credentials_profile_file(ansible, emulator, tmp_path, section, option):
    home = tmp_path / 'home'
    (home / '.azure').mkdir(parents=True)
    (home / '.azure' / 'credentials').write_text(
        '[%s]\nsubscription_id=%s\nclient_id=%s\nsecret=%s\ntenant=%s\ncloud_environment=%s\n' % (
            section, emulator.subscription, emulator.env['AZURE_CLIENT_ID'], emulator.env['AZURE_SECRET'],
            emulator.env['AZURE_TENANT'], emulator.url))
    args = {'profile': option} if option else {}
    result = ansible.module(INFO, args, drop_auth=True,
                            auth_env={'HOME': str(home), 'REQUESTS_CA_BUNDLE': emulator.env['REQUESTS_CA_BUNDLE']})
    assert_works(result)


@pytest.mark.parametrize('auth_source', ['msi', 'auto'])
def test_managed_identity(ansible, emulator, auth_source):
    env = dict(cloud_only(emulator), AZURE_SUBSCRIPTION_ID=emulator.subscription, **emulator.extra_env('msi.env'))
    result = ansible.module(INFO, {'auth_source': auth_source}, drop_auth=True, auth_env=env)
    assert_works(result)
    assert token_grants(emulator) == []  # no client-credential exchange: the token came from the MSI endpoint
    assert any('/msi/' in entry['path'] for entry in emulator.journal(kind='identity'))


def test_workload_identity(ansible, emulator):
    env = dict(cloud_only(emulator), AZURE_SUBSCRIPTION_ID=emulator.subscription, AZURE_CLIENT_ID=emulator.env['AZURE_CLIENT_ID'],
               AZURE_TENANT_ID=emulator.env['AZURE_TENANT'],
               AZURE_FEDERATED_TOKEN_FILE=os.path.join(emulator.data_dir, 'federated-token'))
    result = ansible.module(INFO, {'auth_source': 'workload_identity'}, drop_auth=True, auth_env=env)
    assert_works(result)
    assert token_grants(emulator) == ['client_credentials']


def test_auth_source_from_environment_variable(ansible, emulator):
    result = ansible.module(INFO, {}, extra={'ANSIBLE_AZURE_AUTH_SOURCE': 'env'})
    assert_works(result)


def test_wrong_secret_fails_cleanly_without_leaking_it(ansible, emulator):
    wrong = 'Wr0ng-S3cret-Value-4711'
    result = ansible.module(INFO, {}, verbosity=3, auth_env={'AZURE_SECRET': wrong})
    process = ansible.last_process
    assert result['failed'] is True
    assert 'AADSTS7000215' in result['msg']
    everything = process.stdout + process.stderr + repr(result)
    assert wrong not in everything


def test_secrets_and_tokens_never_reach_verbose_output(ansible, emulator):
    secret = emulator.env['AZURE_SECRET']
    args = {'name': 'mma-secret', 'resource_group': 'it-rg', 'location': 'eastus', 'sku': {'name': 'S1', 'capacity': 1},
            'secret': secret, 'client_id': emulator.env['AZURE_CLIENT_ID'], 'tenant': emulator.env['AZURE_TENANT']}
    result = ansible.module('account', args, verbosity=4, diff=True)
    process = ansible.last_process
    assert result['changed'] is True
    everything = process.stdout + process.stderr
    assert secret not in everything
    assert 'Bearer ' not in everything
    assert 'access_token' not in everything


def test_half_set_service_principal_names_the_missing_variable(ansible, emulator):
    """AZURE_CLIENT_ID and AZURE_TENANT without AZURE_SECRET: one line naming AZURE_SECRET, nothing sent anywhere."""
    env = dict(cloud_only(emulator), AZURE_SUBSCRIPTION_ID=emulator.subscription, AZURE_CLIENT_ID=emulator.env['AZURE_CLIENT_ID'],
               AZURE_TENANT=emulator.env['AZURE_TENANT'])
    result = ansible.module(INFO, {}, drop_auth=True, auth_env=env)
    assert result['failed'] is True
    assert result['msg'].endswith('environment: AZURE_CLIENT_ID and AZURE_TENANT given but AZURE_SECRET missing '
                                  '(to sign in another way, set auth_source: cli, msi or workload_identity)'), result['msg']
    assert len(result['msg']) < 200 and emulator.env['AZURE_CLIENT_ID'] not in result['msg']
    assert emulator.journal(kind=None) == []


def msi_client_id(emulator):
    with open(os.path.join(emulator.data_dir, 'identity.json'), encoding='utf-8') as handle:
        return json.load(handle)['msi_client_id']


@pytest.mark.parametrize('which', ['its own', 'another'])
def test_azure_client_id_selects_the_detected_managed_identity(ansible, emulator, which):
    """As DefaultAzureCredential: with IDENTITY_ENDPOINT set, AZURE_CLIENT_ID names a user-assigned identity."""
    client_id = msi_client_id(emulator) if which == 'its own' else '99999999-9999-9999-9999-999999999999'
    env = dict(cloud_only(emulator), AZURE_SUBSCRIPTION_ID=emulator.subscription, AZURE_CLIENT_ID=client_id, **emulator.extra_env('msi.env'))
    result = ansible.module(INFO, {}, drop_auth=True, auth_env=env)
    asked = [entry['query'].get('client_id') for entry in emulator.journal(kind='identity') if '/msi/' in entry['path']]
    assert asked and set(asked) == {client_id}
    if which == 'its own':
        assert_works(result)
    else:
        assert result['failed'] is True and 'No managed identity was found' in result['msg'], result['msg']
