// GuardSandbox
