"""Cloud metadata (`/metadata/endpoints`): what clients read to find the login endpoint and the token audience."""


def cloud_metadata(base, audience, api_version):
    """`/metadata/endpoints` in the shape of the api-version asked for: before 2019-05-01 the flat endpoint
    object; 2019-05-01 up to 2022-09-01 a list of clouds; from 2022-09-01 one cloud (name, suffixes, ...),
    which `az cloud register` reads. Suffixes use the reserved `.invalid` domain: nothing is served there."""
    if api_version < "2019-05-01":
        return {"galleryEndpoint": base, "graphEndpoint": base, "portalEndpoint": base, "resourceManager": base,
                "authentication": {"loginEndpoint": base, "audiences": [audience]}}
    suffix = "emulator.invalid"
    cloud = {"name": "AzureEmulator", "portal": base, "resourceManager": base, "gallery": base, "graph": base,
             "graphAudience": base, "batch": base, "media": base, "sqlManagement": base, "activeDirectoryDataLake": base,
             "microsoftGraphResourceId": base, "vmImageAliasDoc": "https://aliases." + suffix + "/vm-image-aliases.json",
             "authentication": {"loginEndpoint": base, "audiences": [audience], "tenant": "common", "identityProvider": "AAD"},
             "suffixes": {"acrLoginServer": "acr." + suffix, "keyVaultDns": "vault." + suffix, "storage": "storage." + suffix,
                          "sqlServerHostname": "sql." + suffix, "azureDataLakeStoreFileSystem": "datalake." + suffix,
                          "azureDataLakeAnalyticsCatalogAndJob": "datalakeanalytics." + suffix,
                          "mhsmDns": "managedhsm." + suffix, "attestationEndpoint": "attest." + suffix,
                          "synapseAnalytics": "synapse." + suffix, "storageSyncEndpointSuffix": "storagesync." + suffix}}
    return cloud if api_version >= "2022-09-01" else [cloud]
