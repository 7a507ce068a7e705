/* ModSecurity 3 + OWASP CRS anchor for `guard inspect`: runs every request of a
 * REQUESTS.txt file (see make_events.py) through libmodsecurity with the CRS at a given
 * paranoia level, prints "block" or "clean" per request on stdout and the timing on stderr.
 *
 * cc -O2 -o modsec_bench modsec_bench.c -lmodsecurity
 * ./modsec_bench REQUESTS.txt PARANOIA_LEVEL > verdicts.txt
 */
#include <modsecurity/modsecurity.h>
#include <modsecurity/rules_set.h>
#include <modsecurity/transaction.h>
#include <modsecurity/intervention.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void quiet(void *data, const void *msg) { (void)data; (void)msg; }

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: %s REQUESTS.txt PL\n", argv[0]); return 2; }
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 2; }
    int pl = atoi(argv[2]);
    double t0 = now();
    ModSecurity *ms = msc_init();
    msc_set_connector_info(ms, "guard-bench");
    msc_set_log_cb(ms, quiet);
    RulesSet *rules = msc_create_rules_set();
    const char *err = NULL;
    char conf[4096];
    snprintf(conf, sizeof conf,
        "SecRuleEngine On\n"
        "SecRequestBodyAccess On\n"
        "SecRequestBodyLimit 13107200\n"
        "SecRequestBodyNoFilesLimit 13107200\n"
        "SecRequestBodyLimitAction ProcessPartial\n"
        "SecRequestBodyJsonDepthLimit 512\n"
        "SecRule REQUEST_HEADERS:Content-Type \"^application/json\" \"id:200001,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON\"\n"
        "SecRule REQUEST_HEADERS:Content-Type \"^(?:application(?:/soap\\+|/)|text/)xml\" \"id:200000,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=XML\"\n"
        "SecAuditEngine Off\n"
        "Include /etc/modsecurity/crs/crs-setup.conf\n"
        "SecAction \"id:900000,phase:1,nolog,pass,t:none,setvar:tx.paranoia_level=%d\"\n"
        "Include /usr/share/modsecurity-crs/rules/REQUEST-*.conf\n", pl);
    if (msc_rules_add(rules, conf, &err) < 0) { fprintf(stderr, "rules: %s\n", err); return 2; }
    double t1 = now();

    char line[1 << 16];
    char method[16] = "GET", *uri = NULL;
    Transaction *t = NULL;
    long n = 0, blocked = 0;
    while (fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        if (len && line[len - 1] == '\n') line[--len] = 0;
        if (line[0] == 'M') {
            snprintf(method, sizeof method, "%s", line + 2);
            t = msc_new_transaction(ms, rules, NULL);
            msc_process_connection(t, "203.0.113.7", 40000, "10.0.0.1", 443);
        } else if (line[0] == 'U') {
            free(uri);
            uri = strdup(line + 2);
            msc_process_uri(t, uri, method, "1.1");
        } else if (line[0] == 'H') {
            char *tab = strchr(line + 2, '\t');
            if (!tab) continue;
            *tab = 0;
            msc_add_request_header(t, (const unsigned char *)line + 2, (const unsigned char *)tab + 1);
        } else if (line[0] == 'B') {
            long blen = atol(line + 2);
            msc_process_request_headers(t);
            char *body = malloc(blen + 1);
            if (fread(body, 1, blen + 1, f) != (size_t)blen + 1) { free(body); break; }
            msc_append_request_body(t, (const unsigned char *)body, blen);
            free(body);
            msc_process_request_body(t);
        } else if (line[0] == 'E') {
            ModSecurityIntervention it;
            memset(&it, 0, sizeof it);
            it.status = 200;
            int hit = msc_intervention(t, &it) && (it.status == 403 || it.disruptive);
            free(it.url);
            free(it.log);
            msc_process_logging(t);
            msc_transaction_cleanup(t);
            t = NULL;
            n++;
            blocked += hit;
            puts(hit ? "block" : "clean");
        }
    }
    double t2 = now();
    fprintf(stderr, "modsecurity %s + CRS 3.3.4 PL%d: %ld requests, %ld blocked, rules load %.3f s, %.3f s scanning, %.0f requests/s (%.0f incl. load)\n",
            msc_who_am_i(ms), pl, n, blocked, t1 - t0, t2 - t1, n / (t2 - t1), n / (t2 - t0));
    msc_rules_cleanup(rules);
    msc_cleanup(ms);
    return 0;
}
