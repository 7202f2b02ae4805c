/*
 * udp_floor: what the kernel's UDP path alone costs a responder per datagram
 * on this machine, over loopback, for IKE-sized datagrams — the floor under
 * `ikebench serve`'s CPU per SA that no user-space design removes.
 *
 * Three measurements, each as the measuring thread's own CPU time
 * (CLOCK_THREAD_CPUTIME_ID: user + system) divided by the datagrams it moved:
 *   recv   another thread has queued N datagrams on the socket; the responder
 *          drains them with recvmmsg (BATCH per call; 1 = recvmsg-like).
 *   send   the responder sends N datagrams with sendmmsg (BATCH per call) to
 *          a socket another thread drains; over loopback the sender's call
 *          also carries the datagram through the loopback device up to the
 *          receiving socket, as serve's replies do.
 *   turn   request/reply with WINDOW requests outstanding from a client
 *          thread: the responder blocks in epoll_wait, reads what is there
 *          (recvmmsg), answers each (sendmmsg, one call per batch): the
 *          path with its wake-ups, as an event loop runs it.
 * Per SA, with IN datagrams read and OUT sent (IKEv1 Main Mode + DELETE: 4
 * and 3; IKEv2 IKE_SA_INIT + IKE_AUTH + INFORMATIONAL: 3 and 3):
 * recv × IN + send × OUT.
 *
 * Usage: udp_floor [SIZE] [BATCH] [N] [WINDOW]   (defaults 400 16 200000 8)
 * Build: cc -O2 -o udp_floor Benchmarks/UDPFloor/udp_floor.c -lpthread
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXBATCH 64

static int size = 400, batch = 16, window = 8;
static long total = 200000;

static double thread_cpu(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int udp_socket(struct sockaddr_in *bound) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0) { perror("socket"); exit(1); }
    int buf = 8 << 20;
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    setsockopt(s, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (bind(s, (struct sockaddr *)&a, sizeof a) < 0) { perror("bind"); exit(1); }
    socklen_t l = sizeof *bound;
    getsockname(s, (struct sockaddr *)bound, &l);
    return s;
}

/* Up to n datagrams of `size` bytes to `to` (or, with to NULL, to the address in each header). */
struct vec {
    struct mmsghdr m[MAXBATCH];
    struct iovec io[MAXBATCH];
    struct sockaddr_in peer[MAXBATCH];
    unsigned char data[MAXBATCH][65536];
};

static void vec_init(struct vec *v, int n, int len, const struct sockaddr_in *to) {
    for (int i = 0; i < n; i++) {
        v->io[i].iov_base = v->data[i];
        v->io[i].iov_len = len;
        memset(&v->m[i].msg_hdr, 0, sizeof v->m[i].msg_hdr);
        v->m[i].msg_hdr.msg_iov = &v->io[i];
        v->m[i].msg_hdr.msg_iovlen = 1;
        if (to) v->peer[i] = *to;
        v->m[i].msg_hdr.msg_name = &v->peer[i];
        v->m[i].msg_hdr.msg_namelen = sizeof v->peer[i];
    }
}

static int send_all(int s, struct vec *v, int n) {
    int sent = 0;
    while (sent < n) {
        int r = sendmmsg(s, v->m + sent, n - sent, 0);
        if (r < 0) { if (errno == EINTR) continue; perror("sendmmsg"); exit(1); }
        sent += r;
    }
    return sent;
}

/* recv: fill the socket in chunks it can hold, drain each chunk timed. */
static double measure_recv(void) {
    struct sockaddr_in ra, sa;
    int r = udp_socket(&ra), s = udp_socket(&sa);
    static struct vec out, in;
    vec_init(&out, MAXBATCH, size, &ra);
    double cpu = 0;
    long got = 0;
    const int chunk = 1024;
    while (got < total) {
        for (int k = 0; k < chunk; k += MAXBATCH) send_all(s, &out, MAXBATCH);
        long want = chunk;
        double t0 = thread_cpu();
        while (want > 0) {
            vec_init(&in, batch, 65536, NULL);
            int n = recvmmsg(r, in.m, batch, MSG_DONTWAIT, NULL);
            if (n < 0) { if (errno == EAGAIN) break; perror("recvmmsg"); exit(1); }
            want -= n; got += n;
        }
        cpu += thread_cpu() - t0;
    }
    close(r); close(s);
    return cpu / got;
}

static volatile int draining = 1;
static void *drain(void *arg) {
    int s = *(int *)arg;
    static struct vec in;
    while (draining) {
        vec_init(&in, MAXBATCH, 65536, NULL);
        struct timespec to = { 0, 50 * 1000 * 1000 };
        recvmmsg(s, in.m, MAXBATCH, MSG_WAITFORONE, &to);
    }
    return NULL;
}

/* send: sendmmsg BATCH at a time to a socket drained by another thread. */
static double measure_send(void) {
    struct sockaddr_in sa, da;
    int s = udp_socket(&sa), d = udp_socket(&da);
    struct timeval tv = { 0, 50000 };
    setsockopt(d, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    pthread_t t;
    draining = 1;
    pthread_create(&t, NULL, drain, &d);
    static struct vec out;
    vec_init(&out, batch, size, &da);
    double t0 = thread_cpu();
    long sent = 0;
    while (sent < total) sent += send_all(s, &out, batch);
    double cpu = thread_cpu() - t0;
    draining = 0;
    pthread_join(t, NULL);
    close(s); close(d);
    return cpu / sent;
}

/* turn: a client keeps WINDOW requests outstanding; the responder answers from an epoll loop. */
static struct sockaddr_in turn_addr;
static volatile long turn_done = 0;
static void *client(void *arg) {
    (void)arg;
    struct sockaddr_in ca;
    int c = udp_socket(&ca);
    struct timeval tv = { 0, 200000 };
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    static struct vec out, in;
    vec_init(&out, MAXBATCH, size, &turn_addr);
    send_all(c, &out, window);
    long answered = 0;
    while (answered < total) {
        vec_init(&in, MAXBATCH, 65536, NULL);
        int n = recvmmsg(c, in.m, MAXBATCH, MSG_WAITFORONE, NULL);
        if (n <= 0) { send_all(c, &out, window); continue; }  /* a datagram lost: refill the window */
        answered += n;
        send_all(c, &out, n);
    }
    turn_done = 1;
    close(c);
    return NULL;
}

static double measure_turn(void) {
    int r = udp_socket(&turn_addr);
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN, .data.fd = r };
    epoll_ctl(ep, EPOLL_CTL_ADD, r, &ev);
    pthread_t t;
    turn_done = 0;
    pthread_create(&t, NULL, client, NULL);
    static struct vec in, out;
    double t0 = thread_cpu();
    long handled = 0;
    while (!turn_done) {
        struct epoll_event got;
        if (epoll_wait(ep, &got, 1, 100) <= 0) continue;
        for (;;) {
            vec_init(&in, batch, 65536, NULL);
            int n = recvmmsg(r, in.m, batch, MSG_DONTWAIT, NULL);
            if (n <= 0) break;
            vec_init(&out, n, size, NULL);
            for (int i = 0; i < n; i++) out.peer[i] = in.peer[i];
            send_all(r, &out, n);
            handled += n;
        }
    }
    double cpu = thread_cpu() - t0;
    pthread_join(t, NULL);
    close(r); close(ep);
    return cpu / handled;
}

int main(int argc, char **argv) {
    if (argc > 1) size = atoi(argv[1]);
    if (argc > 2) batch = atoi(argv[2]);
    if (argc > 3) total = atol(argv[3]);
    if (argc > 4) window = atoi(argv[4]);
    if (size < 1 || size > 65000 || batch < 1 || batch > MAXBATCH || total < 1000 || window < 1 || window > MAXBATCH) {
        fprintf(stderr, "usage: udp_floor [SIZE 1..65000] [BATCH 1..%d] [N >= 1000] [WINDOW 1..%d]\n", MAXBATCH, MAXBATCH);
        return 2;
    }
    double rv = measure_recv(), sd = measure_send(), tn = measure_turn();
    printf("udp_floor: %d-byte datagrams over loopback, %d per recvmmsg/sendmmsg call, %ld datagrams per measurement\n", size, batch, total);
    printf("recv  %.2f us CPU per datagram (recvmmsg of queued datagrams)\n", rv * 1e6);
    printf("send  %.2f us CPU per datagram (sendmmsg, through loopback to the receiving socket)\n", sd * 1e6);
    printf("turn  %.2f us CPU per datagram answered (epoll_wait + recvmmsg + sendmmsg, %d outstanding, wake-ups included)\n", tn * 1e6, window);
    printf("per SA: IKEv1 Main Mode + DELETE (4 in, 3 out) %.1f us; IKEv2 (3 in, 3 out) %.1f us; from the turn loop, 4 in + 3 out ~ %.1f us\n",
           (4 * rv + 3 * sd) * 1e6, (3 * rv + 3 * sd) * 1e6, tn * 3.5e6);
    return 0;
}
