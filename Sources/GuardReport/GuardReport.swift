// GuardReport
