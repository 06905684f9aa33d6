"""``validate_certs: false`` is never silent: every module returns a warning naming the risk (issue 6, defect 8)."""
import pytest


@pytest.mark.parametrize('module, args', [('account', {'name': 'mma-absent', 'resource_group': 'it-rg', 'state': 'absent'}),
                                          ('account_info', {}), ('operations_info', {})],
                         ids=['account', 'account_info', 'operations_info'])
def test_validate_certs_false_warns_about_the_risk(ansible, emulator, module, args):
    result = ansible.module(module, dict(args, validate_certs=False))
    assert result['failed'] is False, result.get('msg')
    warnings = ' '.join(result.get('warnings') or [])
    assert 'validate_certs is false' in warnings and 'not verified' in warnings and 'bearer token' in warnings, result


def test_validate_certs_true_gives_no_warning(ansible, emulator):
    result = ansible.module('operations_info', {})
    assert result['failed'] is False
    shown = ansible.last_process.stdout + ansible.last_process.stderr
    assert 'validate_certs' not in shown and not result.get('warnings')
