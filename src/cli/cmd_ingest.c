/* cmd_ingest.c — `facetag ingest PATH...`: options, then the ingest stage, then
 * one summary line (or the JSON summary). */
#include "cli/cli.h"
#include "ingest/ingest.h"
#include "media/sheet.h"
#include "media/video.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] = "Usage: facetag ingest [options] PATH...\n"
                            "Adds the photos in PATH (files and folders, recursively) to the data folder:\n"
                            "original bytes to incoming/, the working image (oriented, sRGB, 8-bit JPEG) to\n"
                            "processed/, size, EXIF date, camera and sidecar captions (.txt, .json, .xmp with the\n"
                            "same stem; album.txt/album.json in the folder) to the catalog. Formats: JPEG, PNG,\n"
                            "TIFF (every page a photo), WebP, HEIF/AVIF, GIF (first frame), PBM/PGM/PPM, told by\n"
                            "content, not by name. A video (MP4, MOV, MKV, AVI, MPEG, DV) is a photo whose frames\n"
                            "kept at scene changes and at least every --video-interval seconds (near duplicates\n"
                            "skipped) are photos of their own, each with its time in the video. Each file that cannot "
                            "be ingested gets one line with the reason\n"
                            "on stderr and is recorded as failed; the rest go on. Running it again only does what\n"
                            "is missing; paths already ingested with the same size and mtime are \"unchanged\".\n"
                            "Options:\n"
                            "  --max-edge N     longest edge of the working image in pixels (default 4096)\n"
                            "  --max-pixels N   refuse images over N pixels, read from the header before decoding;\n"
                            "                   K, M or G multiply by 10^3, 10^6, 10^9 (default 400M)\n"
                            "  --sheets MODE    contact sheets and film strip scans: auto (default) splits a scan\n"
                            "                   into its frames when it passes every check of a sheet (frames of\n"
                            "                   one size between straight gaps of film base), each frame a photo\n"
                            "                   of its own (parent = the sheet, which is not analysed itself);\n"
                            "                   force splits whatever frames are found; off never splits\n"
                            "  --back-names W   words that name the back of a print at the end of a file's stem,\n"
                            "                   comma-separated (default back,verso,r,rueckseite,rückseite,\n"
                            "                   ruckseite,reverse,rs: \"IMG_1_back.jpg\" is the back of\n"
                            "                   \"IMG_1.*\"); a JSON sidecar {\"back_of\": \"NAME\"} also makes one.\n"
                            "                   A back is kept and read by `facetag ocr`, never analysed for faces\n"
                            "  --video-interval S  videos: keep a frame at least every S seconds besides scene\n"
                            "                   changes (default 10; 0: scene changes only)\n"
                            "  --no-progress    no progress bar, even on a terminal\n"
                            "  --json           print {\"ingested\":N,\"duplicates\":N,\"failed\":N,\"unchanged\":N\n"
                            "                   and \"sheets\":N,\"frames\":N when contact sheets were split,\n"
                            "                   \"videos\":N,\"video_frames\":N when videos were ingested}\n"
                            "Exit status: 0 all ingested, 1 some inputs failed, 2 usage or data folder error.";

/* A whole number with an optional K/M/G suffix (MP also accepted for M). */
static int parse_count(const char *s, int64_t min, int64_t max, int64_t *out)
{
    char *end;
    if (!s || !*s || *s == '-' || *s == '+')
        return -1;
    double v = strtod(s, &end);
    if (end == s)
        return -1;
    double mul = 1;
    if (*end == 'k' || *end == 'K')
        mul = 1e3, end++;
    else if (*end == 'm' || *end == 'M')
        mul = 1e6, end++;
    else if (*end == 'g' || *end == 'G')
        mul = 1e9, end++;
    if (mul == 1e6 && (*end == 'p' || *end == 'P'))
        end++;
    if (*end != '\0')
        return -1;
    v *= mul;
    if (v != v || v < (double)min || v > (double)max || (mul == 1 && v != (double)(int64_t)v))
        return -1;
    *out = (int64_t)v;
    return 0;
}

static int run_ingest(const cli_globals *g, int argc, char **argv)
{
    ingest_options o = { .data_dir = g->data_dir,
                         .threads = g->threads,
                         .limits = { .max_edge = 4096, .max_pixels = 400000000 },
                         .progress = -1,
                         .messages = stderr,
                         .sheets = SHEET_AUTO,
                         .video_interval_ms = VIDEO_DEFAULT_INTERVAL_MS };
    static const struct option longopts[] = {
        { "max-edge", required_argument, NULL, 'e' },
        { "max-pixels", required_argument, NULL, 'p' },
        { "no-progress", no_argument, NULL, 'n' },
        { "sheets", required_argument, NULL, 's' },
        { "back-names", required_argument, NULL, 'b' },
        { "video-interval", required_argument, NULL, 'v' },
        { NULL, 0, NULL, 0 },
    };
    int c;
    int64_t v;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        switch (c) {
        case 'e':
            if (parse_count(optarg, 16, 65500, &v) != 0) /* JPEG stops at 65500 */
                return cli_usage_error(&cmd_ingest,
                                       "--max-edge takes a whole number of pixels from 16 to 65500, not '%s'", optarg);
            o.limits.max_edge = (int)v;
            break;
        case 'p':
            if (parse_count(optarg, 1, INT64_C(1) << 50, &v) != 0)
                return cli_usage_error(&cmd_ingest,
                                       "--max-pixels takes a positive number of pixels (e.g. 400M), not '%s'", optarg);
            o.limits.max_pixels = v;
            break;
        case 'n':
            o.progress = 0;
            break;
        case 'b':
            o.back_names = optarg;
            break;
        case 's':
            if ((o.sheets = sheet_mode_parse(optarg)) < 0)
                return cli_usage_error(&cmd_ingest, "--sheets takes auto, force or off, not '%s'", optarg);
            break;
        case 'v': {
            char *end;
            double sec = strtod(optarg, &end);
            if (end == optarg || *end != '\0' || !(sec >= 0 && sec <= 86400))
                return cli_usage_error(&cmd_ingest, "--video-interval takes seconds from 0 to 86400, not '%s'", optarg);
            o.video_interval_ms = (int64_t)(sec * 1000 + 0.5);
            break;
        }
        case ':':
            return cli_usage_error(&cmd_ingest, "option '%s' needs a value", argv[optind - 1]);
        default:
            return cli_usage_error(&cmd_ingest,
                                   "unknown option '%s' (a file name starting with '-'? put '--' before it)",
                                   argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return cli_usage_error(&cmd_ingest, "no PATH to ingest");

    ingest_summary s;
    err e = { 0 };
    if (ingest_run(&o, argv + optind, argc - optind, &s, &e) != 0) {
        fprintf(stderr, "facetag ingest: %s\n", e.msg);
        return EXIT_USAGE;
    }
    FILE *human = g->json ? stderr : stdout;
    double mb = (double)s.bytes / 1e6;
    char sheets[192] = "";
    if (s.frames)
        snprintf(sheets, sizeof sheets, "; %lld contact sheets split into %lld frames", (long long)s.sheets,
                 (long long)s.frames);
    if (s.backs || s.backs_paired || s.backs_unpaired)
        snprintf(sheets + strlen(sheets), sizeof sheets - strlen(sheets),
                 "; %lld backs of prints, %lld paired now, %lld with no front", (long long)s.backs,
                 (long long)s.backs_paired, (long long)s.backs_unpaired);
    if (s.videos)
        snprintf(sheets + strlen(sheets), sizeof sheets - strlen(sheets), "; %lld videos gave %lld frames",
                 (long long)s.videos, (long long)s.video_frames);
    fprintf(human,
            "ingest: %lld ingested (%lld photos%s), %lld duplicates, %lld unchanged, %lld failed; "
            "%.1f MB in %.1f s (%.1f files/s)\n",
            (long long)s.ingested, (long long)s.photos, sheets, (long long)s.duplicates, (long long)s.unchanged,
            (long long)s.failed, mb, s.seconds,
            s.seconds > 0 ? (double)(s.ingested + s.duplicates + s.failed + s.unchanged) / s.seconds : 0.0);
    if (s.metadata || s.xmp_regions)
        fprintf(human,
                "ingest: %lld files had only their metadata rewritten (the same photos); %lld face regions new in "
                "the XMP of files ingested before, for the next `facetag analyze`\n",
                (long long)s.metadata, (long long)s.xmp_regions);
    if (g->json) {
        printf("{\"ingested\":%lld,\"duplicates\":%lld,\"failed\":%lld,\"unchanged\":%lld", (long long)s.ingested,
               (long long)s.duplicates, (long long)s.failed, (long long)s.unchanged);
        if (s.frames) /* only when a sheet was split: the common answer keeps its shape */
            printf(",\"sheets\":%lld,\"frames\":%lld", (long long)s.sheets, (long long)s.frames);
        if (s.backs || s.backs_paired || s.backs_unpaired)
            printf(",\"backs\":%lld,\"backs_paired\":%lld,\"backs_unpaired\":%lld", (long long)s.backs,
                   (long long)s.backs_paired, (long long)s.backs_unpaired);
        if (s.videos)
            printf(",\"videos\":%lld,\"video_frames\":%lld", (long long)s.videos, (long long)s.video_frames);
        if (s.metadata || s.xmp_regions)
            printf(",\"metadata\":%lld,\"xmp_regions\":%lld", (long long)s.metadata, (long long)s.xmp_regions);
        printf("}\n");
    }
    fflush(stdout);
    return s.failed ? EXIT_SOME_FAILED : EXIT_OK;
}

const cli_command cmd_ingest = {
    .name = "ingest",
    .summary = "add photos from files and folders (recursively) to the catalog",
    .usage = usage,
    .run = run_ingest,
};
