int guard_sys_placeholder_(void) { return 0; }
