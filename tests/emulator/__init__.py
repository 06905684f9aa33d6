"""A local emulator of Azure Resource Manager for Microsoft.MachineLearningModelManagement.

It plays "Azure's side" for the collection's tests: identity endpoints, Resource Manager rules,
the provider's seven operations and a control API for tests. It shares no code with plugins/.
"""
