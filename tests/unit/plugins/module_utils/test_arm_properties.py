# -*- coding: utf-8 -*-
# Copyright: azureml.model_management contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property-based: whatever Resource Manager answers (status, headers, body, links), the client and the account
service raise only the collection's own errors (ArmError, AccountError) — never a traceback — and never send the
bearer token anywhere but the endpoint."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.azureml.model_management.plugins.module_utils import account_model as m
from ansible_collections.azureml.model_management.plugins.module_utils import account_service as svc
from ansible_collections.azureml.model_management.plugins.module_utils.arm import ArmClient, ArmError
from ansible_collections.azureml.model_management.tests.unit.fakes import API, ENDPOINT, SUB, FakeClock, FakeResponse, FakeSession, FakeTokens


PROPERTIES = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                                 st.dictionaries(st.text(max_size=10), inner, max_size=4)),
                           max_leaves=12)
links = st.one_of(
    st.text(max_size=40),
    st.builds(lambda tail: ENDPOINT + "/" + tail, st.text(max_size=30)),
    st.sampled_from(["https://evil.test/x", ENDPOINT + ":8443/x", "//management.example.test/x", "http://management.example.test/x",
                     "https://management.example.test:1\\@management.example.test/x", "https://u@management.example.test/x",
                     ENDPOINT + "/x\ty", "https://[::1", "javascript:alert(1)", ENDPOINT + "/x?api-version=1"]),
    json_values,
)
account_like = st.fixed_dictionaries({}, optional={
    "id": json_values, "name": json_values, "location": json_values, "etag": json_values, "tags": json_values,
    "sku": st.one_of(json_values, st.fixed_dictionaries({}, optional={"name": json_values, "capacity": json_values})),
    "properties": st.one_of(json_values, st.fixed_dictionaries({}, optional={
        "description": json_values, "provisioningState": st.one_of(json_values, st.sampled_from(
            ["Succeeded", "Failed", "Canceled", "Creating", "Deleting", "Updating"]))})),
})
bodies = st.one_of(account_like, json_values.map(json.dumps), st.text(max_size=50), st.just("<html>hi</html>"),
                   st.builds(lambda v, link: {"value": v, "nextLink": link}, json_values, links),
                   st.builds(lambda link: {"status": "InProgress"} if link is None else {"status": link}, json_values))
header_values = st.one_of(st.text(max_size=30), links.filter(lambda x: isinstance(x, str)),
                          st.sampled_from(["nan", "inf", "-1", "1e400", "Wed, 21 Oct 2015 07:28:00 GMT", "0"]))
headers = st.dictionaries(st.sampled_from(["Retry-After", "Location", "Azure-AsyncOperation", "Content-Type", "Date",
                                           "x-ms-request-id"]), header_values, max_size=4)
statuses = st.sampled_from([200] * 8 + [201, 202, 204, 203, 301, 302, 307, 400, 401, 404, 409, 412, 429, 500, 503])
answers = st.lists(st.tuples(statuses, bodies, headers), min_size=1, max_size=8)
pages = st.builds(lambda v, link: {"value": v, "nextLink": link}, st.one_of(json_values, st.lists(json_values, max_size=3)),
                  st.one_of(st.none(), links))
page_answers = st.lists(st.tuples(statuses, st.one_of(pages, bodies), headers), min_size=1, max_size=8)


def reply(status, body, hdrs):
    text = body if isinstance(body, str) else json.dumps(body)
    return FakeResponse(status, None, hdrs, text=text)


def client_for(answers_list):
    replies = [reply(*a) for a in answers_list] + [FakeResponse(200, {"value": []})] * 40
    session = FakeSession(*replies)
    fake_time = FakeClock(1000.0)
    client = ArmClient(ENDPOINT, FakeTokens(), API, sleep=fake_time.sleep, clock=fake_time.clock, random=lambda: 0.5,
                       session=session, retry_budget=60)
    return client, session


def token_only_to_the_endpoint(session):
    for sent in session.sent:
        assert sent["url"].startswith(ENDPOINT + "/"), sent["url"]


@PROPERTIES
@given(page_answers)
def test_list_all_raises_only_arm_errors(answer_list):
    client, session = client_for(answer_list)
    try:
        items = client.list_all("/subscriptions/%s/providers/%s" % (SUB, m.RESOURCE_TYPE))
        assert isinstance(items, list) and all(isinstance(i, dict) for i in items)
    except ArmError:
        pass
    token_only_to_the_endpoint(session)


@PROPERTIES
@given(answers, st.sampled_from(["GET", "PUT", "PATCH", "DELETE"]))
def test_request_and_wait_raise_only_arm_errors(answer_list, method):
    client, session = client_for(answer_list)
    path = m.account_path(SUB, "rg", "mma")
    try:
        response = client.request(method, path, body={} if method in ("PUT", "PATCH") else None)
        client.wait(response, 30, resource_path=path, deleting=method == "DELETE")
    except ArmError:
        pass
    token_only_to_the_endpoint(session)


@PROPERTIES
@given(answers, st.sampled_from(["present", "absent", "info"]), st.booleans())
def test_the_account_service_raises_only_its_own_errors(answer_list, state, check_mode):
    client, session = client_for(answer_list)
    desired = m.desired_from_params(dict(location="eastus", sku={"name": "S1", "capacity": 1}, tags={"a": "1"}, description="d"))
    try:
        if state == "present":
            changed, account, diff = svc.ensure_present(client, m.AccountId(SUB, "rg", "mma"), desired, svc.RunOptions(check_mode, True, 30))
            assert isinstance(changed, bool) and isinstance(account, dict) and set(diff) == {"before", "after"}
        elif state == "absent":
            changed, _account, _diff = svc.ensure_absent(client, m.AccountId(SUB, "rg", "mma"), svc.RunOptions(check_mode, True, 30))
            assert isinstance(changed, bool)
        else:
            assert isinstance(svc.get_accounts(client, SUB, "rg", tag_filters=["a"]), list)
    except (ArmError, m.AccountError):
        pass
    token_only_to_the_endpoint(session)
    if check_mode:
        assert all(sent["method"] == "GET" for sent in session.sent)
