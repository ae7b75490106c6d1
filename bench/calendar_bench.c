/* build: cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -Wall -Wextra -Werror -Isrc -o build/bench/calendar_bench bench/calendar_bench.c build/libzhifa.a
 *
 * calendar_bench.c — one million zf_calendar_add_workdays calls over random
 * dates 2019–2026 (N random in 0..60), against the target of one second.
 * Inputs are drawn before the clock starts so only the arithmetic is timed;
 * a checksum of the results keeps the compiler from dropping the loop.
 * Exit status 1 when the target is missed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/calendar.h"

#define CALLS 1000000
#define TARGET_SECONDS 1.0

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
    zf_calendar *cal = NULL;
    zf_err err = ZF_ERR_INIT;
    zf_date *dates = malloc(CALLS * sizeof *dates), lo = ZF_YMD(2019, 1, 1),
            span = ZF_YMD(2026, 12, 31) - ZF_YMD(2019, 1, 1) + 1;
    uint8_t *ns = malloc(CALLS);
    uint64_t x = 88172645463325252ull, sum = 0;
    double t0, t1, secs;
    int failures = 0;

    if (!dates || !ns || zf_calendar_new_builtin(&cal, &err) != 0) {
        fprintf(stderr, "calendar_bench: setup failed: %s\n", err.message);
        return 2;
    }
    for (int i = 0; i < CALLS; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        dates[i] = lo + (zf_date)((x >> 8) % (uint64_t)span);
        ns[i] = (uint8_t)((x >> 40) % 61);
    }
    t0 = now();
    for (int i = 0; i < CALLS; i++) {
        zf_date out;
        if (zf_calendar_add_workdays(&out, cal, dates[i], ns[i], NULL) != 0)
            failures++;
        else
            sum += (uint64_t)out;
    }
    t1 = now();
    secs = t1 - t0;
    printf("calendar_bench: %d add-workdays in %.6f s (%.1f ns each), checksum %llu\n", CALLS,
           secs, secs * 1e9 / CALLS, (unsigned long long)sum);
    printf("calendar_bench: %.6f of the %.1f s target (%s)\n", secs / TARGET_SECONDS,
           TARGET_SECONDS, secs <= TARGET_SECONDS ? "ok" : "TOO SLOW");
    zf_calendar_free(cal);
    free(dates);
    free(ns);
    if (failures) {
        fprintf(stderr, "calendar_bench: %d calls failed\n", failures);
        return 2;
    }
    return secs <= TARGET_SECONDS ? 0 : 1;
}
