/*
 * An LD_PRELOAD shim that times libcrypto's EVP_PKEY_sign on 256-bit keys
 * (ECDSA P-256) in whatever process calls it, and at exit prints two figures
 * to standard error:
 *   - the time inside EVP_PKEY_sign (libcrypto's own work), and
 *   - the time between one call's return and the next call's entry on the
 *     same thread (the caller's own work per signature: for `ikebench speed`
 *     the framework, the openssl provider and the timing loop).
 * Medians are printed beside means: a preempted call lands in the tail.
 *
 * Build and run (docs/performance.md, "ECDSA P-256 sign: the caller's work
 * between two signatures"):
 *   cc -O2 -shared -fPIC -o evp_sign_gap.so evp_sign_gap.c -ldl -lcrypto
 *   cc -O2 -o evp_sign_loop evp_sign_loop.c -lcrypto -lpthread
 *   chrt -f 10 taskset -c 1 env LD_PRELOAD=./evp_sign_gap.so \
 *     .build/release/ikebench speed --rsa-bits 1024 --group 2 --provider openssl --seconds 1
 *   chrt -f 10 taskset -c 1 env LD_PRELOAD=./evp_sign_gap.so ./evp_sign_loop 1
 * Only P-256 signing calls with an output buffer are timed (RSA-1024 and P-384
 * signatures in the same run are not). Each timed call adds two clock reads,
 * the same in both processes: the C loop's gap is that cost plus its loop.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef int (*sign_function)(EVP_PKEY_CTX *, unsigned char *, size_t *, const unsigned char *, size_t);

#define MAX_SAMPLES 4000000
static sign_function real_sign;
static __thread double previous_return;
static __thread int have_previous;
static double inside_total, between_total;
static long inside_count, between_count;
static float *inside_samples, *between_samples;

static double nanoseconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

int EVP_PKEY_sign(EVP_PKEY_CTX *ctx, unsigned char *sig, size_t *siglen, const unsigned char *tbs, size_t tbslen) {
    if (!real_sign) real_sign = (sign_function)dlsym(RTLD_NEXT, "EVP_PKEY_sign");
    EVP_PKEY *key = EVP_PKEY_CTX_get0_pkey(ctx);
    if (!key || EVP_PKEY_get_bits(key) != 256 || sig == NULL) {
        have_previous = 0;
        return real_sign(ctx, sig, siglen, tbs, tbslen);
    }
    double entry = nanoseconds();
    int result = real_sign(ctx, sig, siglen, tbs, tbslen);
    double exit_ = nanoseconds();
    if (!inside_samples) {
        inside_samples = malloc(sizeof(float) * MAX_SAMPLES);
        between_samples = malloc(sizeof(float) * MAX_SAMPLES);
        if (!inside_samples || !between_samples) abort();
    }
    if (inside_count < MAX_SAMPLES) inside_samples[inside_count] = (float)(exit_ - entry);
    inside_total += exit_ - entry;
    inside_count++;
    /* A gap over 100 µs is the end of one measurement and the start of another, not a signature's overhead. */
    if (have_previous && entry - previous_return < 100000) {
        if (between_count < MAX_SAMPLES) between_samples[between_count] = (float)(entry - previous_return);
        between_total += entry - previous_return;
        between_count++;
    }
    previous_return = exit_;
    have_previous = 1;
    return result;
}

static int ascending(const void *a, const void *b) {
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? -1 : x > y;
}

static double median(float *samples, long count) {
    long n = count < MAX_SAMPLES ? count : MAX_SAMPLES;
    if (n == 0) return 0;
    qsort(samples, n, sizeof(float), ascending);
    return samples[n / 2];
}

__attribute__((destructor)) static void report(void) {
    if (inside_count == 0) return;
    fprintf(stderr,
        "evp_sign_gap: %ld P-256 EVP_PKEY_sign calls: inside mean %.0f ns, median %.0f ns; "
        "between calls (the caller's work), %ld gaps: mean %.0f ns, median %.0f ns\n",
        inside_count, inside_total / inside_count, median(inside_samples, inside_count), between_count,
        between_count ? between_total / between_count : 0, median(between_samples, between_count));
}
