// GuardInspect
