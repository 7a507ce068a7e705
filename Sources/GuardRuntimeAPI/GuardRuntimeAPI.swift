// GuardRuntimeAPI
