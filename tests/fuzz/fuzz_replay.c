/* fuzz_replay.c — runs a fuzz target without libFuzzer: every file of the
 * seed corpus, then a fixed number of deterministic mutations of them
 * (bytes flipped, cut, spliced, tags duplicated), so the ASan build of
 * `make test` exercises the parser on malformed answers every time.
 * Usage: fuzz_replay CORPUS_DIR [ITERATIONS] */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t next(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

static uint8_t *load(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = malloc(1 << 20);
    *n = buf ? fread(buf, 1, 1 << 20, f) : 0;
    fclose(f);
    return buf;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR [ITERATIONS]\n", argv[0]);
        return 2;
    }
    long iters = argc > 2 ? atol(argv[2]) : 20000;
    DIR *d = opendir(argv[1]);
    if (!d) {
        fprintf(stderr, "%s: cannot open the corpus\n", argv[1]);
        return 2;
    }
    uint8_t *seeds[64];
    size_t lens[64];
    int n = 0;
    for (struct dirent *de; (de = readdir(d)) != NULL && n < 64;) {
        if (de->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", argv[1], de->d_name);
        if ((seeds[n] = load(path, &lens[n])) != NULL)
            LLVMFuzzerTestOneInput(seeds[n], lens[n]), n++;
    }
    closedir(d);
    if (n == 0) {
        fprintf(stderr, "%s: empty corpus\n", argv[1]);
        return 2;
    }
    uint8_t *buf = malloc(1 << 21);
    for (long i = 0; i < iters; i++) {
        int s = (int)(next() % (unsigned)n);
        size_t len = lens[s];
        memcpy(buf, seeds[s], len);
        int edits = 1 + (int)(next() % 8);
        for (int k = 0; k < edits && len > 0; k++) {
            size_t at = next() % len;
            switch (next() % 5) {
            case 0:
                buf[at] = (uint8_t)next();
                break; /* flip a byte */
            case 1:
                len = at;
                break; /* cut */
            case 2: {  /* splice another seed's tail */
                int o = (int)(next() % (unsigned)n);
                size_t from = next() % lens[o], take = lens[o] - from;
                if (at + take < (1 << 21))
                    memcpy(buf + at, seeds[o] + from, take), len = at + take;
                break;
            }
            case 3: { /* repeat a stretch */
                size_t w = 1 + next() % 64;
                if (at + w <= len && len + w < (1 << 21)) {
                    memmove(buf + at + w, buf + at, len - at);
                    len += w;
                }
                break;
            }
            default:
                buf[at] = "<>/&;\"'=\0"[next() % 9];
                break; /* markup bytes */
            }
        }
        LLVMFuzzerTestOneInput(buf, len);
    }
    free(buf);
    for (int i = 0; i < n; i++)
        free(seeds[i]);
    printf("fuzz_replay: %d seeds and %ld mutations, no crash\n", n, iters);
    return 0;
}
