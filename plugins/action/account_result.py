# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""azureml.model_management.account_result: one host's result out of a registered fleet run, on the controller.

No module runs and nothing is sent: the rules (which result is which host's, what the accounts that are no host
get) are ``module_utils/fleet_hosts.py``; this plugin only reads its options and returns what those rules say.
"""

from __future__ import annotations

from ansible.plugins.action import ActionBase

from ansible_collections.azureml.model_management.plugins.module_utils.fleet_hosts import host_outcome, unhosted_outcome

ARGUMENT_SPEC = dict(
    fleet=dict(type="dict"),
    fleet_var=dict(type="str"),
    account=dict(type="dict"),
    unhosted=dict(type="bool", default=False),
)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp  # not used: no module runs
        _validation, args = self.validate_argument_spec(
            ARGUMENT_SPEC, mutually_exclusive=[("account", "unhosted"), ("fleet", "fleet_var")],
            required_one_of=[("account", "unhosted"), ("fleet", "fleet_var")])
        if not args["unhosted"] and not args["account"]:
            return dict(result, failed=True, msg="account_result needs account (this host's azureml_account) or unhosted: true")
        fleet = args["fleet"]
        if args["fleet_var"] is not None:
            # The registered result as it is, not templated: templating a run of 1,000 accounts on each of 1,000 hosts
            # would cost more than the run (its strings are results, never templates).
            if args["fleet_var"] not in (task_vars or {}):
                return dict(result, failed=True, msg="fleet_var: no variable %r (the registered result of the fleet run)" % args["fleet_var"])
            fleet = task_vars[args["fleet_var"]]
        outcome = unhosted_outcome(fleet) if args["unhosted"] else host_outcome(fleet, args["account"])
        result.update(outcome)
        return result
