/* A webhook receiver for tests/server/webhooks.sh: an HTTP server on a free loopback port that
 * records every request and answers 500 to the first K of them (and 503 while DIR/down exists).
 *   webhook_receiver DIR [K]
 * Writes its port to DIR/port once it listens. For request N (from 1) it writes DIR/N.body (the
 * body as received), DIR/N.head (the method and path, then one "Name: value" line a header) and
 * then appends "N STATUS" to DIR/log: a line in the log means both files are whole. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

static const char *dir;
static long fail_first, count;

static FILE *open_in_dir(const char *name, const char *mode)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return fopen(path, mode);
}

static void on_request(struct evhttp_request *req, void *arg)
{
    (void)arg;
    char name[64];
    long n = ++count;
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t len = evbuffer_get_length(in);
    snprintf(name, sizeof name, "%ld.body", n);
    FILE *f = open_in_dir(name, "wb");
    if (!f) exit(3);
    if (len) fwrite(evbuffer_pullup(in, -1), 1, len, f);
    fclose(f);
    snprintf(name, sizeof name, "%ld.head", n);
    if (!(f = open_in_dir(name, "w"))) exit(3);
    fprintf(f, "%s %s\n", evhttp_request_get_command(req) == EVHTTP_REQ_POST ? "POST" : "OTHER",
            evhttp_request_get_uri(req));
    struct evkeyvalq *h = evhttp_request_get_input_headers(req);
    for (struct evkeyval *kv = h->tqh_first; kv; kv = kv->next.tqe_next)
        fprintf(f, "%s: %s\n", kv->key, kv->value);
    fclose(f);
    struct stat st;
    char down[4096];
    snprintf(down, sizeof down, "%s/down", dir);
    int status = stat(down, &st) == 0 ? 503 : n <= fail_first ? 500 : 200;
    if (!(f = open_in_dir("log", "a"))) exit(3);
    fprintf(f, "%ld %d\n", n, status);
    fclose(f);
    evhttp_send_reply(req, status, status == 200 ? "OK" : "Failing on purpose", NULL);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: webhook_receiver DIR [FAIL_FIRST]\n");
        return 2;
    }
    dir = argv[1];
    fail_first = argc > 2 ? atol(argv[2]) : 0;
    struct event_base *base = event_base_new();
    struct evhttp *http = base ? evhttp_new(base) : NULL;
    struct evhttp_bound_socket *sock =
        http ? evhttp_bind_socket_with_handle(http, "127.0.0.1", 0) : NULL;
    if (!sock) return 3;
    evhttp_set_gencb(http, on_request, NULL);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(evhttp_bound_socket_get_fd(sock), (struct sockaddr *)&ss, &sl)) return 3;
    FILE *f = open_in_dir("port.tmp", "w");
    if (!f) return 3;
    fprintf(f, "%u\n", (unsigned)ntohs(((struct sockaddr_in *)&ss)->sin_port));
    fclose(f);
    char a[4096], b[4096];
    snprintf(a, sizeof a, "%s/port.tmp", dir);
    snprintf(b, sizeof b, "%s/port", dir);
    if (rename(a, b)) return 3;
    event_base_dispatch(base);
    return 0;
}
