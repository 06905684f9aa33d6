"""Where things may live: Azure's regions for resource groups and the provider's locations for accounts.

Resource Manager refuses a location a resource type is not offered in before the provider sees the request,
with a 400 that lists the available regions; the emulator does the same so that a typo fails here as in Azure.
"""

from . import errors

# Azure public-cloud regions that accept resource groups (name -> display name). Regions that are
# "restricted" (france south, germany north, norway west, ...) are absent, as from Azure's own list.
REGIONS = {
    "eastus": "East US", "eastus2": "East US 2", "southcentralus": "South Central US", "westus2": "West US 2",
    "westus3": "West US 3", "australiaeast": "Australia East", "southeastasia": "Southeast Asia",
    "northeurope": "North Europe", "swedencentral": "Sweden Central", "uksouth": "UK South", "westeurope": "West Europe",
    "centralus": "Central US", "southafricanorth": "South Africa North", "centralindia": "Central India",
    "eastasia": "East Asia", "indonesiacentral": "Indonesia Central", "japaneast": "Japan East",
    "japanwest": "Japan West", "koreacentral": "Korea Central", "malaysiawest": "Malaysia West",
    "newzealandnorth": "New Zealand North", "canadacentral": "Canada Central", "francecentral": "France Central",
    "germanywestcentral": "Germany West Central", "italynorth": "Italy North", "norwayeast": "Norway East",
    "polandcentral": "Poland Central", "spaincentral": "Spain Central", "switzerlandnorth": "Switzerland North",
    "mexicocentral": "Mexico Central", "uaenorth": "UAE North", "brazilsouth": "Brazil South",
    "chilecentral": "Chile Central", "israelcentral": "Israel Central", "qatarcentral": "Qatar Central",
    "northcentralus": "North Central US", "westus": "West US", "westcentralus": "West Central US",
    "canadaeast": "Canada East", "ukwest": "UK West", "koreasouth": "Korea South", "southindia": "South India",
    "westindia": "West India", "australiasoutheast": "Australia Southeast", "australiacentral": "Australia Central",
    "australiacentral2": "Australia Central 2", "jioindiawest": "Jio India West",
}


def display_name(name):
    """'eastus2' -> 'East US 2' (the form the providers API lists); unknown names stay as they are."""
    return REGIONS.get(name, name)


def check_group_location(location):
    """A resource group may live in any region of the cloud (Azure's LocationNotAvailableForResourceGroup)."""
    if location not in REGIONS:
        raise errors.arm(400, "LocationNotAvailableForResourceGroup",
                         "The provided location '%s' is not available for resource group. List of available regions is "
                         "'%s'." % (location, ",".join(REGIONS)))


def check_resource_location(location, allowed, resource_type):
    """A resource only where its provider registered the type (Azure's LocationNotAvailableForResourceType)."""
    if location not in allowed:
        raise errors.arm(400, "LocationNotAvailableForResourceType",
                         "The provided location '%s' is not available for resource type '%s'. List of available regions "
                         "for the resource type is '%s'." % (location, resource_type, ",".join(allowed)))


def check_account_location(emu, location):
    """The one call provider.put_account makes: the configured `account_locations` decide."""
    check_resource_location(location, emu.config.get("account_locations"), "Microsoft.MachineLearningModelManagement/accounts")
