/* tests/worker/mock_kafka.c — a Kafka cluster for the worker tests: librdkafka's mock cluster
 * (no broker can be installed here), reached by real worker processes over loopback.
 *
 *   mock_kafka [--brokers N] [--topic NAME:PARTITIONS]... [--posts N] [--poison-every K]
 *              [--prefix P] [--texts FILE]
 *   mock_kafka --print N [--poison-every K] [--prefix P]   (the same posts as JSON lines on
 *                                                           stdout, no cluster: for baselines)
 *
 * Prints "bootstrap HOST:PORT,..." once the cluster listens, creates the topics (the first one
 * receives the posts), produces N posts and prints "produced TOTAL poison P", then takes
 * commands on standard input, one a line, each answered by one line (or several, ending with
 * "end ..."):
 *   produce N               N more posts             -> produced TOTAL poison P
 *   down ID | up ID         a broker goes down / up  -> ok
 *   committed GROUP TOPIC   the group's committed offsets and the topic's end offsets, summed
 *                           over its partitions      -> committed C end E
 *   count TOPIC             records in the topic     -> count N
 *   offsets TOPIC           its start and end offsets, summed over its partitions (the mock
 *                           keeps about 5 MB a partition: older records go) -> offsets LO HI
 *   dlq TOPIC               one line per record: "dlq ERROR BYTE PARTITION:OFFSET" (headers
 *                           of the worker's dead letters) -> ... end N
 *   quit
 * Post i is {"id":"pI","channel":"PwebC","kind":"comment","author":"uA","text":...}, some of the
 * texts toxic; every K-th record is poison instead, in turn: bad JSON, invalid UTF-8, a NUL
 * byte, an id longer than the store takes, a missing field. --texts FILE takes the posts' texts
 * from the "text" members of a JSON-lines file (for benchmarks) instead of a built-in few. */
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOPICS 8

static struct {
    char name[128];
    int partitions;
} topics[MAX_TOPICS];
static int ntopics;
static rd_kafka_t *rk;
static rd_kafka_mock_cluster_t *mc;
static const char *bootstrap;
static long long produced, poison, poison_every;
static const char *prefix = ""; /* of the channels: tests sharing one store stay apart */

static const char *texts[] = {
    "bài viết rất hữu ích, cảm ơn tác giả",
    "mình không đồng ý với quan điểm này, nhưng bài viết được",
    "đồ ngu mày im đi",
    "hôm nay trời đẹp quá, đi chơi thôi",
    "mày là thằng chó, tao sẽ giết mày",
    "chính sách này cần xem xét lại, chi phí quá cao",
    "số CCCD của nó 001203004567 nhà ở 12 Lý Thường Kiệt",
    "good article, thanks for sharing",
    "cảm ơn bạn đã chia sẻ thông tin",
    "bài này viết dở quá, tác giả nên tìm hiểu kỹ hơn",
};

/* --texts FILE: texts taken from JSON lines with a "text" member, kept as raw JSON strings */
static char **ftexts;
static size_t nftexts;

static void die(const char *what)
{
    fprintf(stderr, "mock_kafka: %s\n", what);
    exit(2);
}

static int partitions_of(const char *topic)
{
    for (int i = 0; i < ntopics; i++)
        if (!strcmp(topics[i].name, topic)) return topics[i].partitions;
    return -1;
}

static void load_texts(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) die("cannot open the texts");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        char *t = strstr(line, "\"text\"");
        if (!t || !(t = strchr(t + 6, '"'))) continue;
        char *e = t + 1;
        while (*e && *e != '"') e += *e == '\\' && e[1] ? 2 : 1;
        if (*e != '"' || e - t > 8000) continue;
        char **v = realloc(ftexts, (nftexts + 1) * sizeof *v);
        if (!v) die("out of memory");
        ftexts = v;
        ftexts[nftexts++] = strndup(t, (size_t)(e - t + 1));
    }
    free(line);
    fclose(f);
    if (!nftexts) die("no texts in the file");
}

/* Record i (0-based) into buf; returns its length. */
static size_t post(long long i, char *buf, size_t size, int *is_poison)
{
    *is_poison = poison_every > 0 && i % poison_every == poison_every - 1;
    if (!*is_poison) {
        const char *t = texts[(size_t)i % (sizeof texts / sizeof texts[0])];
        if (nftexts)
            return (size_t)snprintf(buf, size,
                                    "{\"id\":\"p%lld\",\"channel\":\"%sweb%lld\",\"kind\":"
                                    "\"comment\",\"author\":\"u%lld\",\"text\":%s}",
                                    i, prefix, i % 3, i % 97, ftexts[(size_t)i % nftexts]);
        return (size_t)snprintf(buf, size,
                                "{\"id\":\"p%lld\",\"channel\":\"%sweb%lld\",\"kind\":\"comment\","
                                "\"author\":\"u%lld\",\"text\":\"%s\"}",
                                i, prefix, i % 3, i % 97, t);
    }
    switch ((i / poison_every) % 5) {
    case 0:
        return (size_t)snprintf(buf, size,
                                "{\"id\":\"p%lld\",\"channel\":\"web\",\"kind\":\"comment\","
                                "\"author\":\"u1\",\"text\":\"unterminated",
                                i);
    case 1:
        return (size_t)snprintf(buf, size,
                                "{\"id\":\"p%lld\",\"channel\":\"web\",\"kind\":\"comment\","
                                "\"author\":\"u1\",\"text\":\"bad \xC3\x28 byte\"}",
                                i);
    case 2: {
        size_t n = (size_t)snprintf(buf, size,
                                    "{\"id\":\"p%lld\",\"channel\":\"web\",\"kind\":\"comment\","
                                    "\"author\":\"u1\",\"text\":\"a#b\"}",
                                    i);
        *strchr(buf, '#') = '\0';
        return n;
    }
    case 3: {
        char id[301];
        memset(id, 'x', 300);
        id[300] = '\0';
        return (size_t)snprintf(buf, size,
                                "{\"id\":\"%s%lld\",\"channel\":\"web\",\"kind\":\"comment\","
                                "\"author\":\"u1\",\"text\":\"long id\"}",
                                id, i);
    }
    default:
        return (size_t)snprintf(buf, size,
                                "{\"id\":\"p%lld\",\"channel\":\"web\",\"kind\":\"comment\","
                                "\"text\":\"no author\"}",
                                i);
    }
}

static void produce(long long n)
{
    static char buf[16384];
    char key[64];
    for (long long k = 0; k < n; k++, produced++) {
        int bad = 0;
        size_t len = post(produced, buf, sizeof buf, &bad);
        poison += bad;
        int kl = snprintf(key, sizeof key, "p%lld", produced);
        for (;;) {
            rd_kafka_resp_err_t e = rd_kafka_producev(
                rk, RD_KAFKA_V_TOPIC(topics[0].name), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                RD_KAFKA_V_KEY(key, (size_t)kl), RD_KAFKA_V_VALUE(buf, len), RD_KAFKA_V_END);
            if (!e) break;
            if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) die(rd_kafka_err2str(e));
            rd_kafka_poll(rk, 50);
        }
    }
    while (rd_kafka_flush(rk, 10000) == RD_KAFKA_RESP_ERR__TIMED_OUT)
        fprintf(stderr, "mock_kafka: still flushing\n");
    printf("produced %lld poison %lld\n", produced, poison);
    fflush(stdout);
}

static rd_kafka_t *reader(const char *group)
{
    char e[256];
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    if (rd_kafka_conf_set(c, "bootstrap.servers", bootstrap, e, sizeof e) ||
        rd_kafka_conf_set(c, "group.id", group, e, sizeof e) ||
        rd_kafka_conf_set(c, "enable.auto.commit", "false", e, sizeof e) ||
        rd_kafka_conf_set(c, "enable.partition.eof", "true", e, sizeof e))
        die(e);
    rd_kafka_t *r = rd_kafka_new(RD_KAFKA_CONSUMER, c, e, sizeof e);
    if (!r) die(e);
    return r;
}

static void offsets(const char *topic)
{
    int np = partitions_of(topic);
    if (np < 0) {
        printf("error unknown topic\n");
        return;
    }
    rd_kafka_t *r = reader("mock-reader");
    long long los = 0, his = 0;
    for (int p = 0; p < np; p++) {
        int64_t lo = 0, hi = 0;
        if (rd_kafka_query_watermark_offsets(r, topic, p, &lo, &hi, 10000)) die("watermarks");
        los += lo;
        his += hi;
    }
    printf("offsets %lld %lld\n", los, his);
    rd_kafka_destroy(r);
}

static void committed(const char *group, const char *topic)
{
    int np = partitions_of(topic);
    if (np < 0) {
        printf("error unknown topic\n");
        return;
    }
    rd_kafka_t *r = reader(group);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(np);
    for (int p = 0; p < np; p++) rd_kafka_topic_partition_list_add(l, topic, p);
    rd_kafka_resp_err_t e = rd_kafka_committed(r, l, 10000);
    long long sum = 0, end = 0;
    for (int p = 0; p < np && !e; p++) {
        if (l->elems[p].offset > 0) sum += l->elems[p].offset;
        int64_t lo = 0, hi = 0;
        e = rd_kafka_query_watermark_offsets(r, topic, p, &lo, &hi, 10000);
        end += hi;
    }
    if (e)
        printf("error %s\n", rd_kafka_err2name(e));
    else
        printf("committed %lld end %lld\n", sum, end);
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_destroy(r);
}

/* Reads the whole topic; with dlq, prints the dead-letter headers of each record. */
static void scan(const char *topic, int dlq)
{
    int np = partitions_of(topic);
    if (np < 0) {
        printf("error unknown topic\n");
        return;
    }
    rd_kafka_t *r = reader("mock-reader");
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(np);
    int64_t end[256] = {0}; /* a partition is read when its next offset reaches its end */
    int left = 0;
    if (np > 256) die("too many partitions");
    for (int p = 0; p < np; p++) {
        int64_t lo = 0, hi = 0;
        if (rd_kafka_query_watermark_offsets(r, topic, p, &lo, &hi, 10000)) die("watermarks");
        end[p] = hi;
        if (hi > lo) {
            rd_kafka_topic_partition_list_add(l, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
            left++;
        }
    }
    rd_kafka_assign(r, l);
    long long n = 0;
    while (left > 0) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(r, 10000);
        if (!m) die("reading the topic timed out");
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            /* not the end: reading stops at the offsets taken above */
        } else if (m->err) {
            fprintf(stderr, "mock_kafka: %s\n", rd_kafka_message_errstr(m));
        } else {
            n++;
            rd_kafka_headers_t *h = NULL;
            if (dlq) {
                static const char *names[4] = {"sangloc-error", "sangloc-byte", "sangloc-partition",
                                               "sangloc-offset"};
                const void *v[4] = {0};
                size_t vl[4] = {0};
                if (!rd_kafka_message_headers(m, &h))
                    for (int k = 0; k < 4; k++)
                        rd_kafka_header_get_last(h, names[k], &v[k], &vl[k]);
                for (int k = 0; k < 4; k++)
                    if (!v[k]) {
                        v[k] = "-";
                        vl[k] = 1;
                    }
                printf("dlq %.*s %.*s %.*s:%.*s\n", (int)vl[0], (const char *)v[0], (int)vl[1],
                       (const char *)v[1], (int)vl[2], (const char *)v[2], (int)vl[3],
                       (const char *)v[3]);
            }
        }
        if (!m->err && m->partition >= 0 && m->partition < np && m->offset + 1 == end[m->partition])
            left--;
        rd_kafka_message_destroy(m);
    }
    printf(dlq ? "end %lld\n" : "count %lld\n", n);
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_consumer_close(r);
    rd_kafka_destroy(r);
}

int main(int argc, char **argv)
{
    int nbrokers = 3, print_only = 0;
    long long nposts = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--brokers") && i + 1 < argc) {
            nbrokers = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--posts") && i + 1 < argc) {
            nposts = atoll(argv[++i]);
        } else if (!strcmp(argv[i], "--texts") && i + 1 < argc) {
            load_texts(argv[++i]);
        } else if (!strcmp(argv[i], "--print") && i + 1 < argc) {
            nposts = atoll(argv[++i]);
            print_only = 1;
        } else if (!strcmp(argv[i], "--prefix") && i + 1 < argc) {
            prefix = argv[++i];
        } else if (!strcmp(argv[i], "--poison-every") && i + 1 < argc) {
            poison_every = atoll(argv[++i]);
        } else if (!strcmp(argv[i], "--topic") && i + 1 < argc && ntopics < MAX_TOPICS) {
            const char *t = argv[++i], *colon = strrchr(t, ':');
            size_t n = colon ? (size_t)(colon - t) : strlen(t);
            if (n >= sizeof topics[0].name) die("topic name too long");
            memcpy(topics[ntopics].name, t, n);
            topics[ntopics].name[n] = '\0';
            topics[ntopics].partitions = colon ? atoi(colon + 1) : 1;
            ntopics++;
        } else {
            fprintf(stderr, "usage: mock_kafka [--brokers N] [--topic NAME:PARTITIONS]... "
                            "[--posts N] [--poison-every K] [--prefix P]\n");
            return 2;
        }
    }
    if (print_only) {
        static char buf[16384];
        for (long long i = 0; i < nposts; i++) {
            int bad = 0;
            size_t len = post(i, buf, sizeof buf, &bad);
            fwrite(buf, 1, len, stdout);
            putchar('\n');
        }
        return fflush(stdout) ? 2 : 0;
    }
    if (!ntopics) die("give at least one --topic");
    char e[256], nb[16];
    snprintf(nb, sizeof nb, "%d", nbrokers);
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    if (rd_kafka_conf_set(c, "test.mock.num.brokers", nb, e, sizeof e) ||
        rd_kafka_conf_set(c, "linger.ms", "5", e, sizeof e) ||
        rd_kafka_conf_set(c, "queue.buffering.max.messages", "1000000", e, sizeof e))
        die(e);
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, e, sizeof e);
    if (!rk) die(e);
    mc = rd_kafka_handle_mock_cluster(rk);
    if (!mc) die("no mock cluster");
    bootstrap = rd_kafka_mock_cluster_bootstraps(mc);
    for (int i = 0; i < ntopics; i++)
        if (rd_kafka_mock_topic_create(mc, topics[i].name, topics[i].partitions, 1))
            die("cannot create a topic");
    printf("bootstrap %s\n", bootstrap);
    fflush(stdout);
    produce(nposts);
    char line[512];
    while (fgets(line, sizeof line, stdin)) {
        char a[200] = "", b[200] = "";
        char cmd[32] = "";
        int nf = sscanf(line, "%31s %199s %199s", cmd, a, b);
        if (nf < 1) continue;
        if (!strcmp(cmd, "quit")) break;
        if (!strcmp(cmd, "produce") && nf >= 2) {
            produce(atoll(a));
        } else if ((!strcmp(cmd, "down") || !strcmp(cmd, "up")) && nf >= 2) {
            rd_kafka_resp_err_t r = cmd[0] == 'd' ? rd_kafka_mock_broker_set_down(mc, atoi(a))
                                                  : rd_kafka_mock_broker_set_up(mc, atoi(a));
            printf(r ? "error %s\n" : "ok\n", rd_kafka_err2name(r));
        } else if (!strcmp(cmd, "committed") && nf >= 3) {
            committed(a, b);
        } else if (!strcmp(cmd, "offsets") && nf >= 2) {
            offsets(a);
        } else if (!strcmp(cmd, "count") && nf >= 2) {
            scan(a, 0);
        } else if (!strcmp(cmd, "dlq") && nf >= 2) {
            scan(a, 1);
        } else {
            printf("error unknown command\n");
        }
        fflush(stdout);
    }
    rd_kafka_destroy(rk);
    return 0;
}
