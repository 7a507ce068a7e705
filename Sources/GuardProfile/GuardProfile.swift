// GuardProfile
