// An HTTP/1.1 load generator for bench/router-overhead, in C so that its own timing adds no noise: no
// garbage collector, one thread, epoll, and a timerfd at nanosecond resolution for the send schedule.
//
// Open loop (--rate R): requests are sent at fixed intervals whatever the server does, and each latency is
// measured from the request's scheduled send time, so a stalled server is charged for every request it
// delayed (no coordinated omission). A due request takes an idle keep-alive connection or opens a new one.
// Closed loop (--connections N, no --rate): N connections each send their next request as soon as the
// previous answer is complete (a throughput test, like wrk).
//
//   cc -O2 -o loadgen loadgen.c -lm
//   loadgen --port 8080 --path /v1/chat/completions --body-file body.json --header 'authorization: Bearer k'
//           (--rate 500 | --connections 64) --duration 10 [--warmup 1] [--host 127.0.0.1] [--warm 16] [--dump FILE]
//           [--unique MARK]
// --unique MARK: every request's body differs: the first MARK in the body file is overwritten, per request, by the
// request's sequence number zero-padded to MARK's length (each connection writes its own copy of the request).
//
// Prints one JSON object: counts, achieved rate, and latency / first-body-byte percentiles in milliseconds.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 4096
#define BUF_SIZE 65536

enum phase { HEADERS, BODY_LENGTH, CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, TRAILERS };

struct conn {
  int fd;
  int busy;       // a request is outstanding
  int connected;  // the TCP connect completed
  int64_t scheduled_ns;
  int64_t first_byte_ns;
  // response parsing
  enum phase phase;
  char head[8192];
  size_t head_len;
  int status;
  int64_t remaining;  // body bytes left (content-length or current chunk)
  char line[64];      // chunk-size or trailer line being read
  size_t line_len;
  int close_after;
  // request writing
  size_t written;
  char *own;  // --unique: this connection's copy of the request
};

static struct conn conns[MAX_CONNS];
static int nconns;
static int idle[MAX_CONNS];
static int nidle;
static int epfd;
static struct sockaddr_in addr;
static char *request;
static size_t request_len;
static size_t unique_at, unique_len;  // --unique: where the sequence number goes in `request` (unique_len 0: off)
static uint64_t unique_seq;
static double *latencies, *ttfbs;
static size_t nlat, nttfb, cap;
static long sent, ok, non2xx, errors, dropped;
static long status_counts[600];  // answers by status code, to say what the non-2xx were
static int64_t measure_from_ns, measure_until_ns, start_ns;
static FILE *dump;  // --dump FILE: one line per measured request, "<ms since start> <latency ms> <status>"


static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what) {
  perror(what);
  exit(2);
}

static void record(double *xs, size_t *n, double v) {
  if (*n < cap) xs[(*n)++] = v;
}

static int open_conn(void) {
  if (nconns >= MAX_CONNS) return -1;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  int i = nconns++;
  memset(&conns[i], 0, sizeof conns[i]);
  conns[i].fd = fd;
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0 && errno != EINPROGRESS) die("connect");
  struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP, .data.u32 = (uint32_t)i};
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
  return i;
}

static void reopen(int i) {
  // The server closed a keep-alive connection: replace it in the same slot.
  epoll_ctl(epfd, EPOLL_CTL_DEL, conns[i].fd, NULL);
  close(conns[i].fd);
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  char *own = conns[i].own;  // the slot keeps its request buffer
  memset(&conns[i], 0, sizeof conns[i]);
  conns[i].fd = fd;
  conns[i].own = own;
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0 && errno != EINPROGRESS) die("connect");
  struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP, .data.u32 = (uint32_t)i};
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
}

static void try_write(int i) {
  struct conn *c = &conns[i];
  const char *req = c->own ? c->own : request;
  while (c->written < request_len) {
    ssize_t n = write(c->fd, req + c->written, request_len - c->written);
    if (n < 0) {
      if (errno == EAGAIN) return;
      return;  // the read side reports the failure
    }
    c->written += (size_t)n;
  }
}

static void start_request(int i, int64_t scheduled) {
  struct conn *c = &conns[i];
  c->busy = 1;
  c->scheduled_ns = scheduled;
  c->first_byte_ns = 0;
  c->phase = HEADERS;
  c->head_len = 0;
  c->status = 0;
  c->remaining = 0;
  c->line_len = 0;
  c->close_after = 0;
  c->written = 0;
  if (unique_len) {
    if (!c->own && !(c->own = malloc(request_len))) die("malloc");
    memcpy(c->own, request, request_len);
    char digits[32];
    snprintf(digits, sizeof digits, "%0*llu", (int)unique_len, (unsigned long long)unique_seq++);
    memcpy(c->own + unique_at, digits + strlen(digits) - unique_len, unique_len);
  }
  sent++;
  if (c->connected) try_write(i);
}

static void finish(int i, int success) {
  struct conn *c = &conns[i];
  int64_t t = now_ns();
  int counted = c->scheduled_ns >= measure_from_ns;
  if (counted && dump) fprintf(dump, "%.3f %.4f %d\n", (double)(c->scheduled_ns - start_ns) / 1e6, (double)(t - c->scheduled_ns) / 1e6, success ? c->status : 0);
  if (counted) {
    if (success && c->status > 0 && c->status < 600) status_counts[c->status]++;
    if (!success) errors++;
    else if (c->status < 200 || c->status > 299) non2xx++;
    else {
      ok++;
      record(latencies, &nlat, (double)(t - c->scheduled_ns) / 1e6);
      if (c->first_byte_ns) record(ttfbs, &nttfb, (double)(c->first_byte_ns - c->scheduled_ns) / 1e6);
    }
  }
  c->busy = 0;
  if (!success || c->close_after) reopen(i);
}

static const char *find_header(const char *head, const char *name) {
  size_t n = strlen(name);
  for (const char *p = strstr(head, "\r\n"); p; p = strstr(p + 2, "\r\n")) {
    if (strncasecmp(p + 2, name, n) == 0 && p[2 + n] == ':') {
      const char *v = p + 3 + n;
      while (*v == ' ') v++;
      return v;
    }
  }
  return NULL;
}

/** Consumes body bytes; returns 1 when the response is complete. */
static int consume_body(struct conn *c, const char *p, size_t n) {
  size_t k = 0;
  while (k < n) {
    switch (c->phase) {
      case BODY_LENGTH: {
        size_t take = (size_t)c->remaining < n - k ? (size_t)c->remaining : n - k;
        c->remaining -= (int64_t)take;
        k += take;
        if (c->remaining == 0) return 1;
        break;
      }
      case CHUNK_SIZE:
      case TRAILERS: {
        char ch = p[k++];
        if (ch != '\n') {
          if (c->line_len < sizeof c->line - 1) c->line[c->line_len++] = ch;
          break;
        }
        c->line[c->line_len] = 0;
        if (c->line_len && c->line[c->line_len - 1] == '\r') c->line[--c->line_len] = 0;
        if (c->phase == TRAILERS) {
          if (c->line_len == 0) return 1;
          c->line_len = 0;
          break;
        }
        c->remaining = strtoll(c->line, NULL, 16);
        c->line_len = 0;
        c->phase = c->remaining == 0 ? TRAILERS : CHUNK_DATA;
        break;
      }
      case CHUNK_DATA: {
        size_t take = (size_t)c->remaining < n - k ? (size_t)c->remaining : n - k;
        c->remaining -= (int64_t)take;
        k += take;
        if (c->remaining == 0) {
          c->phase = CHUNK_DATA_END;
          c->line_len = 0;
        }
        break;
      }
      case CHUNK_DATA_END:
        if (p[k++] == '\n') c->phase = CHUNK_SIZE;
        break;
      case HEADERS:
        return 0;
    }
  }
  return c->phase == BODY_LENGTH && c->remaining == 0;
}

/** Reads what is there; returns 1 when a response completed, -1 on a failure, 0 otherwise. */
static int on_readable(int i) {
  struct conn *c = &conns[i];
  char buf[BUF_SIZE];
  for (;;) {
    ssize_t n = read(c->fd, buf, sizeof buf);
    if (n == 0) return -1;
    if (n < 0) return errno == EAGAIN ? 0 : -1;
    if (!c->busy) return -1;  // bytes nobody asked for
    const char *p = buf;
    size_t len = (size_t)n;
    if (c->phase == HEADERS) {
      size_t room = sizeof c->head - 1 - c->head_len;
      size_t take = len < room ? len : room;
      memcpy(c->head + c->head_len, p, take);
      size_t before = c->head_len;
      c->head_len += take;
      c->head[c->head_len] = 0;
      char *end = strstr(c->head, "\r\n\r\n");
      if (!end) {
        if (c->head_len >= sizeof c->head - 1) return -1;
        continue;
      }
      size_t head_bytes = (size_t)(end + 4 - c->head);
      end[2] = 0;
      c->status = atoi(c->head + 9);
      const char *te = find_header(c->head, "transfer-encoding");
      const char *cl = find_header(c->head, "content-length");
      const char *conn_h = find_header(c->head, "connection");
      c->close_after = conn_h && strncasecmp(conn_h, "close", 5) == 0;
      if (te && strncasecmp(te, "chunked", 7) == 0) c->phase = CHUNK_SIZE;
      else {
        c->phase = BODY_LENGTH;
        c->remaining = cl ? strtoll(cl, NULL, 10) : 0;
      }
      p += head_bytes - before;
      len -= head_bytes - before;
      if (c->phase == BODY_LENGTH && c->remaining == 0) return 1;
    }
    if (len && !c->first_byte_ns) {
      // The first byte of the body (for a chunked body, its first chunk-size line is close enough:
      // a server writes the size and the data together).
      c->first_byte_ns = now_ns();
    }
    if (consume_body(c, p, len)) return 1;
  }
}

static void usage(void) {
  fprintf(stderr, "usage: loadgen --port P --path /x --body-file F [--header 'k: v']... (--rate R | --connections N) --duration S [--host H] [--warmup S] [--warm N] [--dump FILE] [--unique MARK]\n");
  exit(2);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void print_stats(const char *name, double *xs, size_t n) {
  qsort(xs, n, sizeof *xs, cmp_double);
  double sum = 0;
  for (size_t i = 0; i < n; i++) sum += xs[i];
#define PCT(p) (n ? xs[(size_t)((p) / 100.0 * (double)(n - 1) + 0.5)] : 0)
  printf("\"%s\":{\"n\":%zu,\"mean\":%.4f,\"p50\":%.4f,\"p90\":%.4f,\"p99\":%.4f,\"p999\":%.4f,\"max\":%.4f}", name, n, n ? sum / (double)n : 0, PCT(50),
         PCT(90), PCT(99), PCT(99.9), n ? xs[n - 1] : 0);
#undef PCT
}

int main(int argc, char **argv) {
  const char *host = "127.0.0.1", *path = NULL, *body_file = NULL, *unique = NULL;
  int port = 0, closed = 0, warm = 16;
  double rate = 0, duration = 10, warmup = 0;
  char headers[8192] = "";
  for (int i = 1; i < argc; i++) {
    if (i + 1 >= argc) usage();
    const char *a = argv[i], *v = argv[++i];
    if (!strcmp(a, "--host")) host = v;
    else if (!strcmp(a, "--port")) port = atoi(v);
    else if (!strcmp(a, "--path")) path = v;
    else if (!strcmp(a, "--body-file")) body_file = v;
    else if (!strcmp(a, "--rate")) rate = atof(v);
    else if (!strcmp(a, "--connections")) closed = atoi(v);
    else if (!strcmp(a, "--duration")) duration = atof(v);
    else if (!strcmp(a, "--warmup")) warmup = atof(v);
    else if (!strcmp(a, "--warm")) warm = atoi(v);
    else if (!strcmp(a, "--unique")) unique = v;
    else if (!strcmp(a, "--dump")) {
      dump = fopen(v, "w");
      if (!dump) die(v);
    }
    else if (!strcmp(a, "--header")) {
      if (strlen(headers) + strlen(v) + 3 >= sizeof headers) usage();
      strcat(headers, v);
      strcat(headers, "\r\n");
    } else usage();
  }
  if (!port || !path || !body_file || (rate <= 0) == (closed <= 0) || closed > MAX_CONNS) usage();

  FILE *f = fopen(body_file, "rb");
  if (!f) die(body_file);
  fseek(f, 0, SEEK_END);
  long body_len = ftell(f);
  fseek(f, 0, SEEK_SET);
  request = malloc((size_t)body_len + 16384);
  int head = snprintf(request, 16384, "POST %s HTTP/1.1\r\nhost: %s:%d\r\ncontent-length: %ld\r\n%s\r\n", path, host, port, body_len, headers);
  if (fread(request + head, 1, (size_t)body_len, f) != (size_t)body_len) die("fread");
  fclose(f);
  request_len = (size_t)head + (size_t)body_len;
  if (unique) {
    request[request_len] = 0;
    const char *mark = strstr(request + head, unique);
    unique_len = strlen(unique);
    if (!mark || !unique_len || unique_len > 20) usage();
    unique_at = (size_t)(mark - request);
  }

  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)port);
  if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) usage();
  epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) die("epoll_create1");

  cap = rate > 0 ? (size_t)(rate * (duration + warmup) * 1.1) + 1024 : 20000000;
  latencies = malloc(cap * sizeof *latencies);
  ttfbs = malloc(cap * sizeof *ttfbs);

  int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (tfd < 0) die("timerfd_create");
  struct epoll_event tev = {.events = EPOLLIN, .data.u32 = UINT32_MAX};
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, tfd, &tev) < 0) die("epoll_ctl timer");

  // Connections opened up front, so that connect time is not measured.
  int preopen = closed ? closed : warm;
  for (int i = 0; i < preopen; i++) open_conn();
  struct epoll_event events[256];
  int64_t deadline = now_ns() + 5000000000LL;
  int ready = 0;
  while (ready < preopen && now_ns() < deadline) {
    int n = epoll_wait(epfd, events, 256, 100);
    for (int k = 0; k < n; k++) {
      uint32_t i = events[k].data.u32;
      if (i == UINT32_MAX || conns[i].connected) continue;
      if (events[k].events & EPOLLOUT) {
        int err = 0;
        socklen_t l = sizeof err;
        getsockopt(conns[i].fd, SOL_SOCKET, SO_ERROR, &err, &l);
        if (err) {
          errno = err;
          die("connect");
        }
        conns[i].connected = 1;
        ready++;
        struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.u32 = i};
        epoll_ctl(epfd, EPOLL_CTL_MOD, conns[i].fd, &ev);
      }
    }
  }
  if (ready < preopen) {
    fprintf(stderr, "loadgen: could not open %d connections\n", preopen);
    return 2;
  }
  for (int i = 0; i < preopen; i++) idle[nidle++] = i;

  int64_t start = start_ns = now_ns() + 1000000;
  measure_from_ns = start + (int64_t)(warmup * 1e9);
  measure_until_ns = measure_from_ns + (int64_t)(duration * 1e9);
  int64_t interval = rate > 0 ? (int64_t)(1e9 / rate) : 0;
  long next = 0;
  long total = rate > 0 ? (long)(rate * (duration + warmup)) : 0;

  if (closed) {
    nidle = 0;
    for (int i = 0; i < closed; i++) start_request(i, start);
  } else {
    struct itimerspec its = {.it_value = {.tv_sec = start / 1000000000LL, .tv_nsec = start % 1000000000LL}};
    timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
  }

  int outstanding;
  for (;;) {
    outstanding = 0;
    for (int i = 0; i < nconns; i++) outstanding += conns[i].busy;
    int64_t t = now_ns();
    if (closed ? t >= measure_until_ns : (next >= total && outstanding == 0)) break;
    if (t > measure_until_ns + 30000000000LL) break;  // 30 s for stragglers
    int n = epoll_wait(epfd, events, 256, closed ? (int)((measure_until_ns - t) / 1000000 + 1) : 1000);
    if (n < 0 && errno != EINTR) die("epoll_wait");
    for (int k = 0; k < n; k++) {
      uint32_t i = events[k].data.u32;
      if (i == UINT32_MAX) {
        uint64_t expirations;
        if (read(tfd, &expirations, sizeof expirations) < 0 && errno != EAGAIN) die("timerfd read");
        int64_t now = now_ns();
        while (next < total && start + next * interval <= now) {
          int64_t scheduled = start + next * interval;
          next++;
          int ci = nidle ? idle[--nidle] : open_conn();
          if (ci < 0) {
            dropped++;
            continue;
          }
          start_request(ci, scheduled);
        }
        if (next < total) {
          int64_t at = start + next * interval;
          struct itimerspec its = {.it_value = {.tv_sec = at / 1000000000LL, .tv_nsec = at % 1000000000LL}};
          timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
        }
        continue;
      }
      struct conn *c = &conns[i];
      if (!c->connected && (events[k].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
        int err = 0;
        socklen_t l = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l);
        if (err) {
          if (c->busy) finish((int)i, 0);
          continue;
        }
        c->connected = 1;
        struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.u32 = i};
        epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
        if (c->busy) try_write((int)i);
      }
      if (c->busy && c->written < request_len) try_write((int)i);
      if (events[k].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        int r = on_readable((int)i);
        if (r == 0) continue;
        int was_busy = c->busy;
        if (r < 0 && !was_busy) {
          reopen((int)i);  // an idle keep-alive connection closed by the server
          continue;
        }
        finish((int)i, r > 0);
        if (closed && now_ns() < measure_until_ns) start_request((int)i, now_ns());
        else if (!closed) idle[nidle++] = (int)i;
      }
    }
  }

  double measured_s = closed ? duration : (double)(measure_until_ns - measure_from_ns) / 1e9;
  if (closed) {
    // Throughput counts every completed request in the window (none is charged to a warm-up).
    printf("{\"mode\":\"closed\",\"connections\":%d,", closed);
  } else {
    printf("{\"mode\":\"open\",\"rate\":%.1f,", rate);
  }
  printf("\"seconds\":%.3f,\"sent\":%ld,\"ok\":%ld,\"non2xx\":%ld,\"errors\":%ld,\"dropped\":%ld,\"rps\":%.1f,\"connections_opened\":%d,", measured_s, sent, ok,
         non2xx, errors, dropped, (double)ok / measured_s, nconns);
  printf("\"statuses\":{");
  for (int st = 0, first = 1; st < 600; st++) {
    if (!status_counts[st]) continue;
    printf("%s\"%d\":%ld", first ? "" : ",", st, status_counts[st]);
    first = 0;
  }
  printf("},");
  print_stats("latency_ms", latencies, nlat);
  printf(",");
  print_stats("ttfb_ms", ttfbs, nttfb);
  printf("}\n");
  if (dump) fclose(dump);
  return 0;
}
