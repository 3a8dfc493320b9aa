/* bench_review — the store's review workflow on a real SQLite file (docs/workflow.md).
 *
 * usage: bench_review [DIR] [--items N] [--keep]
 * In a fresh folder under DIR (default /tmp; removed afterwards) it ingests N items (default
 * 20000) in batches of 100, every second one hidden (so each of those opens a case in "pending",
 * gets a notice of the automated hide and its audit entries). Then, for each hidden item, one
 * call at a time as a reviewer and an appeals person would make them: claim the next case
 * (sl_store_queue_claim, n = 1), read the item's version (sl_store_item_version), remove it with
 * a note (sl_store_decide), appeal with the decision's notice token (sl_store_appeal) and uphold
 * the appeal by another person (sl_store_appeal_decide). Each step's time is summed over the
 * items and printed as operations/s. Then it signs a checkpoint of the whole audit log and runs
 * sl_store_audit_verify over the store with that key (entries/s), and prints the log's size
 * and the database's size per item (the file and its WAL, if any, after the store is closed).
 *
 * Baselines in the same run: the same ingest with every item allowed (no case, notice or
 * audit entry beyond item.ingest: the cheapest path), and, over the same log through SQLite, a
 * plain SELECT count(*) and a read of every row. Every write is one transaction committed with
 * synchronous=FULL, i.e. one fsync of the WAL: each single-item step pays one. The
 * workflow's results are checked (each step must succeed, verify must say ok), never the
 * timings. --keep leaves the workflow's database in place (its folder is printed) to inspect. */
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "sangloc/audit.h"
#include "sangloc/store.h"

#define BATCH 100

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char text[] = "Bài viết phân tích rất kỹ, nhưng tôi nghĩ tác giả nên nói thêm về "
                           "chi phí của chính sách này cho người dân ở nông thôn.";
static const char verdict_fmt[] =
    "{\"id\":\"%s\",\"action\":\"%s\",\"score\":%.2f,\"categories\":{\"insult\":%.2f,"
    "\"threat\":0,\"hate\":0,\"personal_data\":0,\"confidential\":0,\"hoax\":0,\"spam\":0},"
    "\"hits\":[],\"versions\":{\"sangloc\":\"0.1.0\",\"policy\":\"default@2026.11-2\","
    "\"model\":\"vi-comments-2026.11\",\"banks\":[]},\"us\":41}";
static const char channel[] = "news/2026/11/30/chinh-sach";
static const sl_store_rule_ref rule = {"insult.words", "insult",
                                       "Không xúc phạm người khác bằng lời lẽ thô tục."};

typedef struct batch {
    char ids[BATCH][24];
    char authors[BATCH][24];
    char verdicts[BATCH][400];
    sl_store_item items[BATCH];
    sl_ingest_result res[BATCH];
} batch;

/* Items first..first+n-1: with `hide`, every odd one is hidden, else all are allowed. */
static void fill(batch *b, size_t n, long first, bool hide)
{
    for (size_t i = 0; i < n; i++) {
        long k = first + (long)i;
        sl_store_action a = hide && k % 2 ? SL_STORE_HIDE : SL_STORE_ALLOW;
        double score = a == SL_STORE_ALLOW ? 0.05 : 0.5 + (double)(k % 50) / 100.0;
        snprintf(b->ids[i], sizeof b->ids[i], "c%ld", k);
        snprintf(b->authors[i], sizeof b->authors[i], "reader-%ld", k % 997);
        int vlen = snprintf(b->verdicts[i], sizeof b->verdicts[i], verdict_fmt, b->ids[i],
                            sl_store_action_name(a), score, score);
        b->items[i] = (sl_store_item){
            .id = b->ids[i],
            .id_len = strlen(b->ids[i]),
            .channel = channel,
            .channel_len = sizeof channel - 1,
            .kind = "comment",
            .kind_len = 7,
            .author = b->authors[i],
            .author_len = strlen(b->authors[i]),
            .text = text,
            .text_len = sizeof text - 1,
            .created_at = "2026-11-30T07:00:00Z",
            .created_at_len = 20,
            .verdict_json = b->verdicts[i],
            .verdict_len = (size_t)vlen,
            .action = a,
            .score = score,
            .policy_version = "default@2026.11-2",
            .policy_version_len = 17,
            .hide_rule = a == SL_STORE_HIDE ? &rule : NULL,
        };
    }
}

static int fail(const char *what, const sl_error *err)
{
    fprintf(stderr, "bench_review: %s: %s\n", what, err->message);
    return 1;
}

typedef struct paths {
    char dir[PATH_MAX], db[PATH_MAX + 16], key[PATH_MAX + 16];
} paths;

static void remove_all(const paths *p)
{
    char f[PATH_MAX + 32];
    const char *sfx[] = {"", "-wal", "-shm", ".audit.key"};
    for (int i = 0; i < 4; i++) {
        snprintf(f, sizeof f, "%s%s", p->db, sfx[i]);
        unlink(f);
    }
    unlink(p->key);
    rmdir(p->dir);
}

static long long file_size(const char *db)
{
    long long total = 0;
    char f[PATH_MAX + 32];
    const char *sfx[] = {"", "-wal"};
    for (int i = 0; i < 2; i++) {
        struct stat st;
        snprintf(f, sizeof f, "%s%s", db, sfx[i]);
        if (!stat(f, &st)) total += (long long)st.st_size;
    }
    return total;
}

static int open_store(const char *parent, const char *name, paths *p, sl_store **st)
{
    snprintf(p->dir, sizeof p->dir, "%s/bench_review_%s_XXXXXX", parent, name);
    if (!mkdtemp(p->dir)) {
        perror("bench_review: mkdtemp");
        return 1;
    }
    snprintf(p->db, sizeof p->db, "%s/sangloc.db", p->dir);
    snprintf(p->key, sizeof p->key, "%s/pseudonym.key", p->dir);
    sl_store_options o = {.key_file = p->key};
    sl_error err = {0};
    if (sl_store_open(p->db, &o, st, &err)) return fail("open", &err);
    return 0;
}

/* Ingests n items in batches of BATCH; returns the seconds spent in sl_store_ingest, or < 0.
 * The appeal token of each hidden item's notice is not needed (the decision makes a new one). */
static double ingest(sl_store *st, batch *b, long n, bool hide, int64_t actor)
{
    double spent = 0;
    sl_error err = {0};
    for (long done = 0; done < n; done += BATCH) {
        size_t k = n - done < BATCH ? (size_t)(n - done) : BATCH;
        fill(b, k, done, hide);
        double t0 = now();
        if (sl_store_ingest(st, "default", actor, b->items, k, b->res, &err)) {
            fail("ingest", &err);
            return -1;
        }
        spent += now() - t0;
    }
    return spent;
}

static int64_t token(sl_store *st, const char *name, sl_role role)
{
    char secret[SL_TOKEN_SECRET_SIZE];
    sl_token_info info;
    sl_error err = {0};
    if (sl_store_token_create(st, name, role, "default", secret, &info, &err)) {
        fail("token", &err);
        return 0;
    }
    return info.id;
}

enum { CLAIM, VERSION, DECIDE, APPEAL, APPEAL_DECIDE, NSTEPS };
static const char *const step_names[NSTEPS] = {"claim (queue_claim n=1)", "read version",
                                               "decide (remove, note)", "appeal (notice token)",
                                               "appeal decide (other)"};

/* One hidden item through the workflow; adds each step's seconds to spent[]. */
static int review_one(sl_store *st, int64_t reviewer, int64_t appeals, double spent[NSTEPS])
{
    static const char note[] = "Lời lẽ thô tục nhắm vào người khác: gỡ theo điều insult.words.";
    static const char appeal_text[] = "Tôi chỉ trích chính sách, không xúc phạm ai; xin xem lại.";
    static const char reason[] = "Câu thứ hai vẫn là lời xúc phạm cá nhân: giữ quyết định.";
    sl_error err = {0};
    sl_store_refusal why = SL_REFUSE_NONE;
    sl_queue_entry e;
    size_t got = 0;
    double t0 = now();
    if (sl_store_queue_claim(st, "default", SL_QUEUE_PENDING, reviewer, 1, 3600, &e, &got, &err))
        return fail("claim", &err);
    spent[CLAIM] += now() - t0;
    if (got != 1) {
        fprintf(stderr, "bench_review: the pending queue ran out early\n");
        return 1;
    }
    int64_t version = 0;
    t0 = now();
    if (sl_store_item_version(st, "default", e.channel, strlen(e.channel), e.id, strlen(e.id),
                              &version, &err))
        return fail("version", &err);
    spent[VERSION] += now() - t0;
    sl_store_decision_in in = {.channel = e.channel,
                               .channel_len = strlen(e.channel),
                               .id = e.id,
                               .id_len = strlen(e.id),
                               .version = version,
                               .outcome = SL_STORE_REMOVE,
                               .rule = rule,
                               .note = note,
                               .note_len = sizeof note - 1,
                               .engine_version = "{\"sangloc\":\"0.1.0\"}"};
    sl_store_decision_out d;
    t0 = now();
    if (sl_store_decide(st, "default", reviewer, &in, &d, &why, &err)) return fail("decide", &err);
    spent[DECIDE] += now() - t0;
    sl_store_appeal_out a;
    t0 = now();
    if (sl_store_appeal(st, d.notice.appeal_token, strlen(d.notice.appeal_token), appeal_text,
                        sizeof appeal_text - 1, &a, &why, &err))
        return fail("appeal", &err);
    spent[APPEAL] += now() - t0;
    sl_store_appeal_decision_out ad;
    t0 = now();
    if (sl_store_appeal_decide(st, "default", appeals, a.appeal, SL_STORE_UPHOLD, reason,
                               sizeof reason - 1, &ad, &why, &err))
        return fail("appeal decide", &err);
    spent[APPEAL_DECIDE] += now() - t0;
    return 0;
}

/* Signs a checkpoint of the whole log with a fresh key and stores it; *v gets the key. */
static int checkpoint(sl_store *st, int64_t size, sl_note_verifier *v)
{
    uint8_t pk[SL_NOTE_PUBKEY_LEN], sk[SL_NOTE_SECRET_LEN];
    crypto_sign_keypair(pk, sk);
    sl_note_signer signer;
    sl_error err = {0};
    if (sl_note_signer_init(&signer, "sangloc/bench.example", 21, sk, &err))
        return fail("signer", &err);
    sodium_memzero(sk, sizeof sk);
    sl_merkle_hash *leaves = NULL;
    if (sl_store_audit_leaves(st, 0, size, &leaves, &err)) return fail("leaves", &err);
    sl_checkpoint c = {.origin = "sangloc/bench.example", .origin_len = 21, .size = (uint64_t)size};
    sl_merkle_root((const sl_merkle_hash *)leaves, c.size, c.root);
    free(leaves);
    char note[SL_CHECKPOINT_NOTE_SIZE], key[SL_VERIFIER_KEY_SIZE];
    size_t len = 0;
    if (sl_checkpoint_sign(&signer, &c, note, &len, &err)) return fail("sign", &err);
    sl_note_verifier_format(&signer.verifier, key);
    *v = signer.verifier;
    sl_note_signer_wipe(&signer);
    if (sl_store_audit_checkpoint_add(st, size, c.root, note, len, key, &err))
        return fail("checkpoint", &err);
    return 0;
}

/* The fastest of 5 runs of sql through a read-only connection of its own: each row's columns
 * are read (their bytes summed into *bytes), so a scan costs what reading the rows costs. */
static int time_sql(const char *db, const char *sql, long long *rows, long long *bytes,
                    double *best)
{
    sqlite3 *h = NULL;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench_review: sqlite3_open: %s\n", sqlite3_errmsg(h));
        sqlite3_close(h);
        return 1;
    }
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(h, sql, -1, &s, NULL);
    *best = 1e30;
    for (int i = 0; rc == SQLITE_OK && i < 5; i++) {
        *rows = *bytes = 0;
        double t0 = now();
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            (*rows)++;
            for (int c = 0; c < sqlite3_column_count(s); c++) {
                if (sqlite3_column_type(s, c) == SQLITE_INTEGER)
                    *bytes += sqlite3_column_int64(s, c);
                else
                    *bytes += sqlite3_column_bytes(s, c);
            }
        }
        double t = now() - t0;
        if (t < *best) *best = t;
        rc = rc == SQLITE_DONE ? sqlite3_reset(s) : rc;
    }
    if (rc != SQLITE_OK) fprintf(stderr, "bench_review: %s: %s\n", sql, sqlite3_errmsg(h));
    sqlite3_finalize(s);
    sqlite3_close(h);
    return rc != SQLITE_OK;
}

int main(int argc, char **argv)
{
    const char *parent = "/tmp";
    long n = 20000;
    bool keep = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--items") && i + 1 < argc)
            n = atol(argv[++i]);
        else if (!strcmp(argv[i], "--keep"))
            keep = true;
        else if (argv[i][0] != '-')
            parent = argv[i];
        else {
            fprintf(stderr, "usage: bench_review [DIR] [--items N] [--keep]\n");
            return 2;
        }
    }
    if (n < 2) n = 2;
    if (sl_audit_init()) return 1;
    printf("command:");
    for (int i = 0; i < argc; i++) printf(" %s", argv[i]);
    printf("\nmachine: %ld cores online, SQLite %s, files under %s\n",
           sysconf(_SC_NPROCESSORS_ONLN), sqlite3_libversion(), parent);
    batch *b = malloc(sizeof *b);
    if (!b) return 1;

    /* baseline: every item allowed */
    paths bp;
    sl_store *st = NULL;
    if (open_store(parent, "allow", &bp, &st)) return 1;
    int64_t integ = token(st, "integration", SL_ROLE_INTEGRATION);
    double base = ingest(st, b, n, false, integ);
    int64_t base_entries = 0;
    sl_error err = {0};
    if (base < 0 || !integ || sl_store_audit_size(st, &base_entries, &err)) return 1;
    sl_store_close(st);
    long long base_bytes = file_size(bp.db);
    remove_all(&bp);
    printf("\nbaseline: ingest %ld items, all allowed, batches of %d: %.2f s, %.0f items/s; "
           "%" PRId64 " audit entries, %.0f bytes/item\n",
           n, BATCH, base, n / base, base_entries, (double)base_bytes / (double)n);

    /* the workflow */
    paths p;
    if (open_store(parent, "review", &p, &st)) return 1;
    integ = token(st, "integration", SL_ROLE_INTEGRATION);
    int64_t reviewer = token(st, "Lê Văn Cường", SL_ROLE_REVIEWER);
    int64_t appeals = token(st, "Phạm Thu Hà", SL_ROLE_APPEALS);
    if (!integ || !reviewer || !appeals) return 1;
    double ing = ingest(st, b, n, true, integ);
    if (ing < 0) return 1;
    int64_t after_ingest = 0;
    if (sl_store_audit_size(st, &after_ingest, &err)) return fail("audit size", &err);
    long hidden = n / 2;
    printf("\nworkflow: ingest %ld items, %ld hidden, batches of %d: %.2f s, %.0f items/s "
           "(%.2fx the baseline's time); %" PRId64 " audit entries\n",
           n, hidden, BATCH, ing, n / ing, ing / base, after_ingest);
    double spent[NSTEPS] = {0};
    for (long i = 0; i < hidden; i++)
        if (review_one(st, reviewer, appeals, spent)) return 1;
    printf("per hidden item, one call at a time (%ld of each):\n", hidden);
    double total = 0;
    for (int s = 0; s < NSTEPS; s++) {
        printf("  %-26s %8.0f ops/s  %7.3f ms/op\n", step_names[s], hidden / spent[s],
               spent[s] * 1e3 / hidden);
        total += spent[s];
    }
    printf("  %-26s %8.0f items/s %7.3f ms/item\n", "all five steps", hidden / total,
           total * 1e3 / hidden);

    int64_t entries = 0;
    if (sl_store_audit_size(st, &entries, &err)) return fail("audit size", &err);
    sl_note_verifier key;
    if (checkpoint(st, entries, &key)) return 1;
    sl_audit_verify_options vo = {.key = &key};
    sl_audit_report rep;
    double t0 = now();
    if (sl_store_audit_verify(st, &vo, &rep, &err)) return fail("verify", &err);
    double ver = now() - t0;
    if (!rep.ok) {
        fprintf(stderr, "bench_review: verify: %s\n", rep.problem);
        return 1;
    }
    printf("\naudit log: %" PRId64 " entries: %" PRId64 " at ingest, %.1f per hidden item in "
           "the five steps\n",
           entries, after_ingest, (double)(entries - after_ingest) / (double)hidden);
    printf("sl_store_audit_verify: %" PRId64 " entries, %" PRId64 " checkpoint: %.2f s, "
           "%.0f entries/s\n",
           rep.entries, rep.checkpoints, ver, (double)rep.entries / ver);
    sl_store_close(st);
    long long rows = 0, sum = 0, nent = 0, ebytes = 0;
    double cnt = 0, scan = 0;
    if (time_sql(p.db, "SELECT count(*) FROM audit_log", &rows, &sum, &cnt) ||
        time_sql(p.db, "SELECT seq, entry, leaf FROM audit_log ORDER BY seq", &nent, &ebytes,
                 &scan))
        return 1;
    printf("baseline: SELECT count(*) FROM audit_log: %lld in %.3f ms (verify takes %.0fx as "
           "long)\n",
           sum, cnt * 1e3, ver / cnt);
    printf("baseline: SELECT seq, entry, leaf ... ORDER BY seq, every row read: %lld rows in "
           "%.1f ms, %.0f rows/s (verify takes %.0fx as long)\n",
           nent, scan * 1e3, (double)nent / scan, ver / scan);
    long long bytes = file_size(p.db);
    printf("database: %.1f MB, %.0f bytes/item (baseline %.0f bytes/item)\n", bytes / 1e6,
           (double)bytes / (double)n, (double)base_bytes / (double)n);
    if (keep)
        printf("kept: %s\n", p.db);
    else
        remove_all(&p);
    free(b);
    return 0;
}
