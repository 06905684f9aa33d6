# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which result of a fleet run is which host's: the rules behind the role's per-host results. Pure, no I/O.

Per host, the role runs the fleet module once for the play's hosts, then every host reports its own account's result
(action, changed, diff, error) from the registered run (``host_outcome``), so that AWX's host list, job events and the
recap credit each change, and each failure, to the host whose account it was. A host and a result are the same
account when their ids name the same subscription, resource group and name (compared ignoring case, as Resource
Manager does); host names play no part. Writes that no host stands for (a declared account created: it becomes a host
at the next inventory update) are reported once, apart (``unhosted_outcome``).
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible_collections.azureml.model_management.plugins.module_utils.account_model import AccountId, parse_account_id

RESULT_KEYS = ("name", "resource_group", "id", "action", "busy", "error", "skipped", "withheld", "note", "changes", "provisioning_state")


def host_account_id(account):
    """The ``AccountId`` of a host's ``azureml_account`` (its ``id``, or ``subscription_id``, ``resource_group`` and
    ``name``), or None."""
    if not isinstance(account, Mapping):
        return None
    if isinstance(account.get("id"), str):
        return parse_account_id(account["id"])
    parts = [account.get(field) for field in ("subscription_id", "resource_group", "name")]
    return AccountId(*parts) if all(isinstance(part, str) and part for part in parts) else None


def _canonical(account_id):
    """One string per account: Resource Manager compares subscription, group and name ignoring case."""
    return "/subscriptions/%s/resourcegroups/%s/accounts/%s" % (
        account_id.subscription_id.lower(), account_id.resource_group.lower(), account_id.name.lower())


def find_result(fleet, account_id):
    """The fleet run's result for the account ``account_id``, or None when the run had none.

    Every host looks through the whole run (each host's task is its own process): a cheap comparison first, the id
    parsed only when it names the same account in another spelling."""
    wanted = _canonical(account_id)
    name = account_id.name.lower()
    for result in fleet.get("accounts") or []:
        if not isinstance(result, Mapping) or not isinstance(result.get("id"), str) or not result["id"].lower().endswith("/" + name):
            continue
        found = parse_account_id(result["id"])
        if found is not None and _canonical(found) == wanted:
            return result
    return None


def _words(result):
    if result.get("error"):
        return "%s failed: %s" % (result.get("action"), (result["error"] or {}).get("message"))
    if result.get("skipped"):
        return "%s skipped: %s" % (result.get("action"), result["skipped"])
    if result.get("withheld"):
        return "%s withheld: the run's rules sent no write (see the run's summary)" % result.get("action")
    if result.get("changed"):
        return "%s%s" % (result.get("action"), ": " + ", ".join(result["changes"]) if result.get("changes") else "")
    return "unchanged" if result.get("action") in ("none", None) else result.get("action")


def host_outcome(fleet, account):
    """What one host's task returns: ``changed``, ``failed``, ``msg``, the account's ``diff`` and its result."""
    if not isinstance(fleet, Mapping) or "accounts" not in fleet:
        message = fleet.get("msg") if isinstance(fleet, Mapping) else None
        return dict(changed=False, failed=True, msg="the fleet run planned no account: %s" % (message or "it did not run"))
    account_id = host_account_id(account)
    if account_id is None:
        return dict(changed=False, failed=True,
                    msg="this host's azureml_account has no id (or subscription_id, resource_group and name)")
    run_subscriptions = [s for s in fleet.get("subscriptions") or [fleet.get("subscription_id") or ""] if isinstance(s, str)]
    if account_id.subscription_id.lower() not in [s.lower() for s in run_subscriptions]:
        return dict(changed=False, action="none", msg="left alone: the account is in subscription %s, the run in %s"
                    % (account_id.subscription_id, ", ".join(run_subscriptions)))
    result = find_result(fleet, account_id)
    if result is None:
        return dict(changed=False, action="none", msg="left alone: not declared, and not in the purge scope")
    outcome = dict((key, result[key]) for key in RESULT_KEYS if key in result)
    outcome.update(changed=bool(result.get("changed")), failed=bool(result.get("error")), msg=_words(result))
    if result.get("diff"):
        outcome["diff"] = result["diff"]
    return outcome


def unhosted_outcome(fleet):
    """What the run's task for the accounts that are no host returns: the ones it wrote, skipped or failed.

    ``changed`` stays false: the recap is per host, and no host stands for these accounts. It fails when one of them
    failed, when the run reports ``problems`` of its own (a purge group that could not be listed, writes withheld), or
    when the run failed with no account result to carry the failure (a failure of the run itself)."""
    if not isinstance(fleet, Mapping) or "accounts" not in fleet:
        return dict(changed=False, failed=bool(isinstance(fleet, Mapping) and fleet.get("failed")), accounts=[],
                    msg=fleet.get("msg", "the fleet run did not run") if isinstance(fleet, Mapping) else "the fleet run did not run")
    results = [r for r in fleet["accounts"] if isinstance(r, Mapping) and r.get("in_restrict_to") is False and (
        r.get("changed") or r.get("error") or r.get("skipped"))]
    lines = ["%s (%s): %s" % (r.get("name"), r.get("resource_group"), _words(r)) for r in results]
    failed = any(r.get("error") for r in results)
    problems = [line for line in fleet.get("problems") or () if isinstance(line, str)]
    if problems:  # the run's own failures (a purge group not listed, writes withheld): no host carries them
        failed = True
        lines[:0] = ["the run failed: %s" % line for line in problems]
    elif fleet.get("failed") and not any(r.get("error") for r in fleet["accounts"] if isinstance(r, Mapping)):
        failed = True
        lines.insert(0, "the run failed: %s" % fleet.get("msg"))
    message = "; ".join(lines) if lines else "none: every account written is a host of this play"
    return dict(changed=False, failed=failed, accounts=[dict((k, r[k]) for k in RESULT_KEYS if k in r) for r in results],
                msg="accounts that are no host of this play: %s" % message)


def nothing_declared_problem(accounts, restrict_to, purge, names):
    """The refusal of a run for hosts (``restrict_to``) with nothing declared and no purge, or None.

    Such a run would plan nothing for every host and succeed: what a misplaced variables file looks like (a
    ``group_vars/`` that neither the inventory update nor the playbook reads). A purge of the hosts' accounts with an
    empty declaration is a run of its own, with its own opt-in (``purge_allow_empty``)."""
    if not restrict_to or accounts or purge:
        return None
    return ("%s is empty: nothing is declared for the %d account(s) of %s, so this run would do nothing. Set %s where "
            "the play reads it: group_vars beside the playbook or beside the inventory source (in AWX, also the "
            "inventory's or the job template's variables)" % (names("accounts"), len(restrict_to), names("restrict_to"), names("accounts")))
