/*
 * The reference loop for evp_sign_gap.c: what `openssl speed ecdsap256` does
 * per signature (one EVP_PKEY_CTX initialised once with EVP_PKEY_sign_init,
 * then EVP_PKEY_sign per iteration), on a fresh P-256 key, over a 32-byte
 * input as `ikebench speed` signs. Prints signatures per second of wall time.
 *   ./evp_sign_loop [seconds] [on-thread]
 * on-thread 1 signs on a second thread, as ikebench signs off its main thread.
 */
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double seconds = 2;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void *sign_loop(void *unused) {
    (void)unused;
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *generate = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (!generate || EVP_PKEY_keygen_init(generate) != 1 || EVP_PKEY_CTX_set_group_name(generate, "P-256") != 1
        || EVP_PKEY_generate(generate, &key) != 1) {
        fprintf(stderr, "evp_sign_loop: P-256 key generation failed\n");
        exit(1);
    }
    EVP_PKEY_CTX *context = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    if (!context || EVP_PKEY_sign_init(context) != 1) {
        fprintf(stderr, "evp_sign_loop: EVP_PKEY_sign_init failed\n");
        exit(1);
    }
    unsigned char input[32], signature[80];
    memset(input, 0x5a, sizeof input);
    long count = 0;
    double start = now(), end = start + seconds, t;
    do {
        for (int i = 0; i < 8; i++, count++) {
            size_t length = sizeof signature;
            if (EVP_PKEY_sign(context, signature, &length, input, sizeof input) != 1) {
                fprintf(stderr, "evp_sign_loop: EVP_PKEY_sign failed\n");
                exit(1);
            }
        }
        t = now();
    } while (t < end);
    printf("evp_sign_loop: %.0f signatures/s, %.3f us each\n", count / (t - start), (t - start) / count * 1e6);
    EVP_PKEY_CTX_free(context);
    EVP_PKEY_CTX_free(generate);
    EVP_PKEY_free(key);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc > 1) seconds = atof(argv[1]);
    if (seconds <= 0 || seconds > 600) {
        fprintf(stderr, "usage: evp_sign_loop [seconds in (0, 600]] [on-thread 0|1]\n");
        return 2;
    }
    if (argc > 2 && atoi(argv[2])) {
        pthread_t thread;
        if (pthread_create(&thread, NULL, sign_loop, NULL) != 0) return 1;
        pthread_join(thread, NULL);
    } else {
        sign_loop(NULL);
    }
    return 0;
}
