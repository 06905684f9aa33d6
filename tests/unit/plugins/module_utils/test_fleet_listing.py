# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A resource group's listing through the real ArmClient (fake session): only a 404 on the first page means "missing"."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.azureml.model_management.plugins.module_utils import account_service as svc
from ansible_collections.azureml.model_management.plugins.module_utils import fleet_listing as fl
from ansible_collections.azureml.model_management.plugins.module_utils.account_model import accounts_path
from ansible_collections.azureml.model_management.plugins.module_utils.arm import ArmError
from ansible_collections.azureml.model_management.tests.unit.fakes import API, ENDPOINT, SUB, FakeResponse, account, arm_client, ok


PROPERTIES = settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
GROUP_GONE = FakeResponse(404, {"error": {"code": "ResourceGroupNotFound", "message": "Resource group 'rg' could not be found."}})


def pages(count, per_page=2):
    """``count`` list pages of the accounts of rg, each linking to the next."""
    answers = []
    for index in range(count):
        link = ENDPOINT + accounts_path(SUB, "rg") + "?api-version=%s&$skiptoken=%d" % (API, index + 1)
        answers.append(ok({"value": [account("a%d-%d" % (index, n)) for n in range(per_page)], "nextLink": link}))
    return answers


def test_a_404_resource_group_not_found_on_the_first_page_is_a_missing_group():
    client, session, _time, _tokens = arm_client(GROUP_GONE)
    listing = fl.list_group(client, SUB, "rg")
    assert listing.missing and listing.error is None and not listing.accounts and len(session.sent) == 1


def test_a_404_resource_group_not_found_after_pages_were_read_is_an_error_of_the_listing():
    """Issue 20.1: page 3 answered 404 ResourceGroupNotFound; the group was listed as empty and purged around."""
    client, session, _time, _tokens = arm_client(*pages(2) + [GROUP_GONE])
    listing = fl.list_group(client, SUB, "rg")
    assert not listing.missing and not listing.accounts and len(session.sent) == 3
    assert listing.error.code == "ResourceGroupNotFound"
    assert "on page 3 of the list, after 2 pages were read" in listing.error.message, listing.error.message


@given(read=st.integers(min_value=0, max_value=4), status=st.sampled_from([404, 403, 500]))
@PROPERTIES
def test_only_a_first_page_404_lists_as_missing_any_later_failure_is_an_error(read, status):
    code = "ResourceGroupNotFound" if status == 404 else "Other"
    failure = FakeResponse(status, {"error": {"code": code, "message": "no"}})
    client, _session, _time, _tokens = arm_client(*pages(read) + [failure] * 7, max_retries=0)
    listing = fl.list_group(client, SUB, "rg")
    assert listing.missing is (read == 0 and status == 404)
    assert (listing.error is None) is listing.missing
    assert not listing.accounts


def test_account_info_lists_a_group_that_vanishes_part_way_as_an_error_not_as_empty():
    client, _session, _time, _tokens = arm_client(*pages(1) + [GROUP_GONE])
    with pytest.raises(ArmError) as info:
        svc.get_accounts(client, SUB, "rg")
    assert info.value.code == "ResourceGroupNotFound" and "on page 2 of the list, after 1 page was read" in info.value.message
    client, _session, _time, _tokens = arm_client(GROUP_GONE)
    assert svc.get_accounts(client, SUB, "rg") == []


def test_a_listed_etag_that_cannot_go_into_a_header_makes_the_listing_an_error_naming_the_account():
    bad = account("a1", etag='"e\u20ac"')
    client, _session, _time, _tokens = arm_client(ok({"value": [account("a0"), bad]}))
    listing = fl.list_group(client, SUB, "rg")
    assert listing.error.code == "InvalidResponse" and not listing.accounts
    assert "the list of the accounts of resource group rg" in listing.error.message and bad["id"] in listing.error.message
    assert "If-Match" in listing.error.message, listing.error.message
