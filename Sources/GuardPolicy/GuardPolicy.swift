// GuardPolicy
