/* `sangloc audit`: the store's tamper-evident audit log (docs/audit.md).
 *   verify      recomputes the log's tree and checks it against its signed checkpoints, an
 *               auditor's saved checkpoint and the derived tables (sl_store_audit_verify)
 *   checkpoint  signs a checkpoint of the log as it is now, keeps it in the store, prints it
 *   key         prints the verifier key string of a signing key file
 * The signing key file lives outside the database, like the pseudonym key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "cli/commands.h"
#include "cli/output.h"
#include "sangloc/audit.h"
#include "sangloc/store.h"

static void help(FILE *out)
{
    fprintf(out,
            "usage: sangloc audit verify --db PATH [--checkpoint FILE] [--key KEY]\n"
            "       sangloc audit checkpoint --db PATH --audit-key FILE [--name NAME]\n"
            "       sangloc audit key --audit-key FILE [--name NAME]\n"
            "\n"
            "verify recomputes every entry's hash and the tree of the audit log in database\n"
            "PATH, checks every signed checkpoint (its signature, its root, that it is\n"
            "consistent with the next), that the log extends the checkpoint kept in FILE (a\n"
            "note saved earlier from GET /v1/audit/checkpoint), and that the tables agree with\n"
            "the entries about them. KEY is the verifier key string (NAME+HASH+KEY, as `audit\n"
            "key` prints it) or a file holding it; without it each checkpoint is checked with\n"
            "the key recorded beside it. It prints \"ok: N entries, M checkpoints, root R\", or\n"
            "the first entry or checkpoint that does not match.\n"
            "checkpoint signs the log's current size and root with the Ed25519 key in FILE\n"
            "(created, mode 0600, when missing), stores the note and prints it.\n"
            "key prints the verifier key string of the key in FILE (created when missing).\n"
            "NAME is the deployment name: the origin is \"sangloc/NAME\" (default: the host\n"
            "name), as `sangloc serve --audit-name` uses.\n"
            "\n"
            "Exit status: 0 fine, 1 the log does not verify, 2 usage error or store failure.\n");
}

typedef struct opts {
    const char *db, *checkpoint, *key, *audit_key, *name;
} opts;

static int parse_opts(int argc, char **argv, opts *o, const char *cmd)
{
    *o = (opts){0};
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            help(stdout);
            return 0;
        }
        const char **slot = !strcmp(a, "--db")           ? &o->db
                            : !strcmp(a, "--checkpoint") ? &o->checkpoint
                            : !strcmp(a, "--key")        ? &o->key
                            : !strcmp(a, "--audit-key")  ? &o->audit_key
                            : !strcmp(a, "--name")       ? &o->name
                                                         : NULL;
        if (!slot)
            return sl__cli_usage_error(
                cmd, help, a[0] == '-' ? "unknown option '%s'" : "unexpected argument '%s'", a);
        if (i + 1 >= argc) return sl__cli_usage_error(cmd, help, "option '%s' needs a value", a);
        *slot = argv[++i];
    }
    return -1;
}

/* Reads a small file whole (at most max bytes) into buf; false with a message otherwise. */
static bool read_small(const char *cmd, const char *path, char *buf, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        sl__cli_error(cmd, path, 0, "cannot open");
        return false;
    }
    *len = fread(buf, 1, max + 1, f);
    bool ok = !ferror(f) && *len <= max;
    fclose(f);
    if (!ok) sl__cli_error(cmd, path, 0, "cannot read, or larger than %zu bytes", max);
    return ok;
}

/* --key: the verifier key string, or a file holding it on its first line. */
static bool load_verifier(const char *cmd, const char *arg, sl_note_verifier *v)
{
    char buf[SL_VERIFIER_KEY_SIZE + 2];
    const char *s = arg;
    size_t len = strlen(arg);
    struct stat st;
    if (!strchr(arg, '+') && stat(arg, &st) == 0) {
        if (!read_small(cmd, arg, buf, sizeof buf - 1, &len)) return false;
        while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r')) len--;
        s = buf;
    }
    sl_error err = {0};
    if (sl_note_verifier_parse(s, len, v, &err)) {
        sl__cli_error(cmd, NULL, 0, "--key: %s (byte %zu)", err.message, err.byte);
        return false;
    }
    return true;
}

static sl_store *open_existing(const char *cmd, const char *db)
{
    const char *path = strncmp(db, "sqlite:", 7) ? db : db + 7;
    struct stat st;
    if (!strstr(db, "://") && stat(path, &st) != 0) {
        sl__cli_error(cmd, db, 0, "no such database");
        return NULL;
    }
    sl_store *s = NULL;
    sl_error err = {0};
    if (sl_store_open(db, NULL, &s, &err)) sl__cli_error(cmd, db, 0, "%s", err.message);
    return s;
}

static void print_b64(const sl_merkle_hash h)
{
    char b64[sodium_base64_ENCODED_LEN(SL_MERKLE_HASH_LEN, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof b64, h, SL_MERKLE_HASH_LEN, sodium_base64_VARIANT_ORIGINAL);
    fputs(b64, stdout);
}

static int cmd_verify(const opts *o, const char *cmd)
{
    if (!o->db) return sl__cli_usage_error(cmd, help, "--db PATH is required");
    if (o->audit_key || o->name)
        return sl__cli_usage_error(cmd, help, "verify takes --db, --checkpoint and --key");
    sl_note_verifier key;
    if (o->key && !load_verifier(cmd, o->key, &key)) return 2;
    static char note[SL_NOTE_MAX + 1];
    size_t note_len = 0;
    if (o->checkpoint && !read_small(cmd, o->checkpoint, note, SL_NOTE_MAX, &note_len)) return 2;
    sl_store *s = open_existing(cmd, o->db);
    if (!s) return 2;
    sl_audit_verify_options vo = {.key = o->key ? &key : NULL,
                                  .checkpoint = o->checkpoint ? note : NULL,
                                  .checkpoint_len = note_len};
    sl_audit_report r;
    sl_error err = {0};
    sl_status st = sl_store_audit_verify(s, &vo, &r, &err);
    sl_store_close(s);
    if (st) {
        sl__cli_error(cmd, o->db, 0, "%s", err.message);
        return 2;
    }
    if (!r.ok) {
        printf("FAIL: %s\n", r.problem);
        return 1;
    }
    printf("ok: %lld entries, %lld checkpoints, root ", (long long)r.entries,
           (long long)r.checkpoints);
    print_b64(r.root);
    putchar('\n');
    if (!o->key && r.checkpoints)
        fprintf(stderr,
                "sangloc %s: signatures were checked with the keys recorded in the "
                "database; give --key to check them against a key you hold\n",
                cmd);
    return 0;
}

/* The signer of --audit-key FILE named after --name (or the host name). */
static bool load_signer(const char *cmd, const opts *o, sl_note_signer *signer)
{
    if (!o->audit_key) {
        sl__cli_usage_error(cmd, help, "--audit-key FILE is required");
        return false;
    }
    char origin[SL_NOTE_NAME_MAX + 1];
    uint8_t secret[SL_NOTE_SECRET_LEN];
    sl_error err = {0};
    sl_status st = sl_audit_origin(o->name, origin, &err);
    if (!st) st = sl_audit_key_load(o->audit_key, secret, &err);
    if (!st) st = sl_note_signer_init(signer, origin, strlen(origin), secret, &err);
    sodium_memzero(secret, sizeof secret);
    if (st) sl__cli_error(cmd, NULL, 0, "%s", err.message);
    return st == SL_OK;
}

static int cmd_key(const opts *o, const char *cmd)
{
    if (o->db || o->key || o->checkpoint)
        return sl__cli_usage_error(cmd, help, "key takes --audit-key and --name");
    sl_note_signer signer;
    if (!load_signer(cmd, o, &signer)) return 2;
    char key[SL_VERIFIER_KEY_SIZE];
    sl_note_verifier_format(&signer.verifier, key);
    sl_note_signer_wipe(&signer);
    printf("%s\n", key);
    return 0;
}

static int cmd_checkpoint(const opts *o, const char *cmd)
{
    if (!o->db) return sl__cli_usage_error(cmd, help, "--db PATH is required");
    if (o->key || o->checkpoint)
        return sl__cli_usage_error(cmd, help, "checkpoint takes --db, --audit-key and --name");
    sl_note_signer signer;
    if (!load_signer(cmd, o, &signer)) return 2;
    sl_store *s = open_existing(cmd, o->db);
    if (!s) {
        sl_note_signer_wipe(&signer);
        return 2;
    }
    sl_checkpoint c = {.origin_len = signer.verifier.name_len};
    memcpy(c.origin, signer.verifier.name, c.origin_len + 1);
    char note[SL_CHECKPOINT_NOTE_SIZE], key[SL_VERIFIER_KEY_SIZE];
    size_t len = 0;
    int64_t size = 0;
    sl_merkle_hash *leaves = NULL;
    sl_error err = {0};
    sl_status st = sl_store_audit_size(s, &size, &err);
    if (!st) st = sl_store_audit_leaves(s, 0, size, &leaves, &err);
    if (!st) {
        c.size = (uint64_t)size;
        sl_merkle_root((const sl_merkle_hash *)leaves, c.size, c.root);
        st = sl_checkpoint_sign(&signer, &c, note, &len, &err);
    }
    sl_note_verifier_format(&signer.verifier, key);
    if (!st) st = sl_store_audit_checkpoint_add(s, size, c.root, note, len, key, &err);
    free(leaves);
    sl_note_signer_wipe(&signer);
    sl_store_close(s);
    if (st) {
        sl__cli_error(cmd, o->db, 0, "%s", err.message);
        return 2;
    }
    fwrite(note, 1, len, stdout);
    return 0;
}

int sl_cmd_audit(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        help(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *c = argv[1];
    if (strcmp(c, "verify") && strcmp(c, "checkpoint") && strcmp(c, "key"))
        return sl__cli_usage_error("audit", help, "unknown action '%s'", c);
    char cmd[32]; /* "audit ACTION", the name errors go under */
    snprintf(cmd, sizeof cmd, "audit %s", c);
    opts o;
    int rc = parse_opts(argc, argv, &o, cmd);
    if (rc >= 0) return rc;
    if (sl_audit_init()) {
        sl__cli_error(cmd, NULL, 0, "libsodium failed to initialize");
        return 2;
    }
    return !strcmp(c, "verify")       ? cmd_verify(&o, cmd)
           : !strcmp(c, "checkpoint") ? cmd_checkpoint(&o, cmd)
                                      : cmd_key(&o, cmd);
}
