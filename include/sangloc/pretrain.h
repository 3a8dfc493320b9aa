/* sangloc/pretrain.h — learning subword-aware word vectors from unlabeled text (`sangloc
 * pretrain`).
 *
 * Skip-gram with character n-grams and negative sampling (the fastText method): a word's input
 * vector is the mean of its own row and the rows of its character n-grams, trained to predict
 * the words around it. Texts go through the text layer (NORM view) and the model's tokenizer,
 * so the words and keys are exactly those the model sees when it screens a comment. Context
 * windows never cross texts. Training runs on `threads` threads without locks (Hogwild).
 *
 * The result is a vector file (model/vectors.h): every vocabulary word's vector (already the
 * mean of its rows), the n-gram table for unknown words, and a meta text naming the settings,
 * the inputs and their licences.
 *
 * An sl_pretrainer is single-owner: one thread adds texts, runs it and writes the file. */
#ifndef SANGLOC_PRETRAIN_H
#define SANGLOC_PRETRAIN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sangloc/status.h"

typedef struct sl_pretrain_config {
    unsigned dim;         /* vector size, 1..512 (100) */
    unsigned window;      /* context words on each side, at most, 1..50 (5) */
    unsigned negatives;   /* negative samples per context word, 1..100 (5) */
    unsigned epochs;      /* passes over the text, 1..1000 (5) */
    unsigned minn, maxn;  /* n-gram lengths in code points with the '<' '>' marks, 1..8 (3, 6) */
    int folded;           /* 1: vectors of diacritic-folded words (0: of words as spelled) */
    unsigned bucket_bits; /* 2^bucket_bits n-gram rows, 0 (no n-grams) or 10..24 (18) */
    unsigned min_count;   /* words seen fewer times are left out, >= 1 (5) */
    unsigned max_words;   /* at most this many most frequent words, 1..2^24 (200000) */
    unsigned threads;     /* training threads, 1..256 (0: the number of online cores) */
    float lr;             /* initial learning rate, decaying linearly to 0 (0.05) */
    float sample;         /* subsampling threshold of frequent words (1e-4; 0: none) */
    uint64_t seed;        /* random seed (threads=1 is deterministic for a seed) */
    FILE *log;            /* progress lines, or NULL */
} sl_pretrain_config;

typedef struct sl_pretrainer sl_pretrainer;

/* The defaults above. */
void sl_pretrain_defaults(sl_pretrain_config *c);

/* A new trainer; SL_ERR_ARG names a setting out of range, SL_ERR_NOMEM. */
sl_status sl_pretrainer_new(const sl_pretrain_config *c, sl_pretrainer **out, sl_error *err);

void sl_pretrainer_free(sl_pretrainer *p);

/* Records a data source and its licence in the meta text ("source: NAME (LICENCE)"). */
sl_status sl_pretrainer_add_source(sl_pretrainer *p, const char *name, const char *licence);

/* Starts an input file: the texts added next are counted under its name in the meta text. */
sl_status sl_pretrainer_begin_file(sl_pretrainer *p, const char *name);

/* Adds one text (UTF-8). Errors of the text (SL_ERR_INVALID_UTF8, SL_ERR_NUL_BYTE with the
 * byte, SL_ERR_TOO_LARGE) leave the trainer as it was; SL_ERR_NOMEM. */
sl_status sl_pretrainer_add_text(sl_pretrainer *p, const char *text, size_t len, sl_error *err);

/* With on = 1, every text added next (until turned off) is also added as a copy in which each
 * word loses its diacritics with probability 1/2, so that unaccented spellings learn vectors
 * near their accented ones (for comment data, which is typed both ways). */
void sl_pretrainer_set_mixed(sl_pretrainer *p, int on);

/* Builds the vocabulary and trains. Fails with SL_ERR_ARG when no word reaches min_count. */
sl_status sl_pretrainer_run(sl_pretrainer *p, sl_error *err);

/* Writes the vector file (after a run). */
sl_status sl_pretrainer_write(sl_pretrainer *p, const char *path, sl_error *err);

/* Counts so far: texts and tokens added; after a run, vocabulary words too (else 0). */
void sl_pretrainer_counts(const sl_pretrainer *p, uint64_t *texts, uint64_t *tokens,
                          uint32_t *words);

typedef struct sl_pretrain_neighbour {
    const char *word; /* NORM spelling, owned by the trainer */
    size_t len;
    float cosine;
} sl_pretrain_neighbour;

/* After a run: the k vocabulary words nearest by cosine to the first token of `word` (its
 * stored vector, or its n-gram vector when it is not a vocabulary word), itself left out.
 * Returns how many were written to out (<= k); 0 when the word has no vector. */
size_t sl_pretrainer_nearest(sl_pretrainer *p, const char *word, size_t len,
                             sl_pretrain_neighbour *out, size_t k);

/* Reads and checks a vector file as the model will (every check of the format); on success
 * *meta is a malloc'd copy of its meta text, preceded by a "dim: N, words: N, n-gram rows: N"
 * line. SL_ERR_IO, SL_ERR_TOO_LARGE, SL_ERR_MODEL (what is wrong), SL_ERR_NOMEM. */
sl_status sl_vectors_check(const char *path, char **meta, sl_error *err);

#endif
