"""Resource providers as Resource Manager lists them (`/providers`, `/providers/{namespace}`, register) and the
subscription's locations.

Tools read these to pick an api-version (`az resource` without `--api-version`) or to offer locations, so the
accounts type lists the configured `account_locations`. Registration is not modelled: every provider is
`Registered` in every subscription and `register` just answers the provider.
"""

from . import errors, locations, provider
from .replies import Reply

RESOURCES_NAMESPACE = "Microsoft.Resources"
# Every GA api-version of Microsoft.Resources (resources, resource groups, providers) up to the current one.
API_VERSIONS = ("2015-11-01", "2016-02-01", "2016-07-01", "2016-09-01", "2017-05-10", "2018-02-01", "2018-05-01",
                "2019-03-01", "2019-05-01", "2019-05-10", "2019-07-01", "2019-08-01", "2019-10-01", "2020-06-01",
                "2020-08-01", "2020-10-01", "2021-01-01", "2021-04-01", "2022-09-01", "2023-07-01", "2024-03-01",
                "2024-07-01", "2024-11-01", "2025-03-01", "2025-04-01")
SUBSCRIPTION_API_VERSIONS = ("2016-06-01", "2018-06-01", "2019-06-01", "2019-11-01", "2020-01-01", "2021-01-01", "2022-12-01")


def _type(name, locs, versions, capabilities=None):
    out = {"resourceType": name, "locations": [locations.display_name(loc) for loc in locs], "apiVersions": list(versions)}
    if capabilities:
        out["capabilities"] = capabilities
    return out


def _doc(emu, sub, namespace):
    if namespace.lower() == provider.NAMESPACE.lower():
        accounts = emu.config.get("account_locations")
        versions = provider.API_VERSIONS
        types = [_type("accounts", accounts, versions, "SupportsTags, SupportsLocation"),
                 _type("operations", [], versions), _type("locations", [], versions),
                 _type("locations/operationStatuses", accounts, versions),
                 _type("locations/operationResults", accounts, versions)]
        name = provider.NAMESPACE
    elif namespace.lower() == RESOURCES_NAMESPACE.lower():
        newest_first = tuple(reversed(API_VERSIONS))
        types = [_type("resourceGroups", locations.REGIONS, newest_first, "SupportsTags, SupportsLocation"),
                 _type("resources", [], newest_first), _type("providers", [], newest_first),
                 _type("subscriptions", [], tuple(reversed(SUBSCRIPTION_API_VERSIONS))),
                 _type("operationresults", [], newest_first)]
        name = RESOURCES_NAMESPACE
    else:
        raise errors.arm(404, "InvalidResourceNamespace", "The resource namespace '%s' is invalid." % namespace)
    return {"id": "/subscriptions/%s/providers/%s" % (sub, name), "namespace": name, "registrationState": "Registered",
            "registrationPolicy": "RegistrationRequired", "resourceTypes": types}


def list_providers(emu, call):
    sub = call.sub.lower()
    return Reply(200, {"value": [_doc(emu, sub, provider.NAMESPACE), _doc(emu, sub, RESOURCES_NAMESPACE)]})


def get_provider(emu, call):
    """GET and POST .../register answer the same document."""
    return Reply(200, _doc(emu, call.sub.lower(), call.params["namespace"]))


def list_locations(_emu, call):
    """GET /subscriptions/{sub}/locations (`az account list-locations`)."""
    sub = call.sub.lower()
    return Reply(200, {"value": [{"id": "/subscriptions/%s/locations/%s" % (sub, name), "name": name, "displayName": display,
                                  "regionalDisplayName": display, "metadata": {"regionType": "Physical"}}
                                 for name, display in locations.REGIONS.items()]})
