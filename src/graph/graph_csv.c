/* graph_csv.c — the neo4j-admin import files of graph_export.h: one CSV per
 * node set ({file}.csv, ID space = label) and per relation set, every string
 * quoted (quotes doubled; newlines kept: import with --multiline-fields=true),
 * lists joined by U+001F (--array-delimiter), a null as an empty field. Each
 * file is written as NAME.tmp and renamed when complete. */
#include "graph/graph_export.h"
#include "graph/graph_model.h"
#include "graph/graph_utf8.h"
#include "store/catalog_graph.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_DELIM '\x1f'

static const char *csv_type(catalog_graph_kind kind, const char *name)
{
    switch (kind) {
    case CATALOG_GRAPH_INT:
        return ":long";
    case CATALOG_GRAPH_REAL:
        return ":double";
    case CATALOG_GRAPH_LIST:
        return strcmp(name, "bbox") == 0 ? ":double[]" : ":string[]";
    default:
        return "";
    }
}

/* A string field: quoted, quotes doubled, not-UTF-8 bytes as U+FFFD; the array
 * delimiter is dropped inside list elements (in_list). */
static void write_string(FILE *out, const char *s, size_t len, bool in_list)
{
    if (!in_list)
        fputc('"', out);
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = graph_utf8_next((const unsigned char *)s + i, len - i, &cp);
        if (n == 0) {
            fputs("\xEF\xBF\xBD", out);
            i++;
            continue;
        }
        if (cp == '"')
            fputs("\"\"", out);
        else if (!(in_list && cp == (uint32_t)ARRAY_DELIM))
            fwrite(s + i, 1, n, out);
        i += n;
    }
    if (!in_list)
        fputc('"', out);
}

static void write_real(FILE *out, double v)
{
    if (!isfinite(v))
        return;
    char buf[40];
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, sizeof buf, "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    fputs(buf, out);
}

static void write_list(FILE *out, const char *json, size_t len)
{
    json_t *a = json_loadb(json, len, JSON_DECODE_ANY, NULL), *v;
    size_t i;
    bool first = true;
    fputc('"', out);
    json_array_foreach(a, i, v)
    {
        if (json_is_null(v))
            continue;
        if (!first)
            fputc(ARRAY_DELIM, out);
        first = false;
        if (json_is_integer(v))
            fprintf(out, "%lld", (long long)json_integer_value(v));
        else if (json_is_real(v))
            write_real(out, json_real_value(v));
        else if (json_is_string(v)) {
            /* inside the quoted field: quotes still doubled */
            write_string(out, json_string_value(v), json_string_length(v), true);
        }
    }
    fputc('"', out);
    json_decref(a);
}

typedef struct csv_writer {
    FILE *out;
    const graph_model_entry *m;
    const catalog_graph_column *cols;
    int ncols;
    int64_t rows;
} csv_writer;

static int write_row(const catalog_graph_value *row, int n, void *ud)
{
    csv_writer *w = ud;
    for (int i = 0; i < n; i++) {
        if (i)
            fputc(',', w->out);
        /* nodes: the first column twice, as the ID and as the typed key property */
        if (i == 0 && !w->m->relation) {
            if (w->cols[0].kind == CATALOG_GRAPH_INT)
                fprintf(w->out, "%lld,", (long long)row[0].i);
            else
                write_string(w->out, row[0].s, row[0].len, false), fputc(',', w->out);
        }
        const catalog_graph_value *v = &row[i];
        if (v->null)
            continue;
        switch (w->cols[i].kind) {
        case CATALOG_GRAPH_INT:
            fprintf(w->out, "%lld", (long long)v->i);
            break;
        case CATALOG_GRAPH_REAL:
            write_real(w->out, v->r);
            break;
        case CATALOG_GRAPH_LIST:
            write_list(w->out, v->s, v->len);
            break;
        default:
            write_string(w->out, v->s, v->len, false);
        }
    }
    fputc('\n', w->out);
    w->rows++;
    return ferror(w->out) ? 1 : 0;
}

static void write_header(csv_writer *w)
{
    const graph_model_entry *m = w->m;
    FILE *out = w->out;
    int first = 0;
    if (!m->relation) {
        fprintf(out, ":ID(%s)", m->name);
    } else {
        fprintf(out, ":START_ID(%s),:END_ID(%s)", m->start_label, m->end_label);
        first = 2;
    }
    for (int i = first; i < w->ncols; i++)
        fprintf(out, ",%s%s", w->cols[i].name, csv_type(w->cols[i].kind, w->cols[i].name));
    fputc('\n', out);
}

static int write_file(catalog *c, const char *dir, const graph_model_entry *m, graph_export_stats *st, err *e)
{
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/%s.csv", dir, m->file);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    csv_writer w = { .m = m };
    w.cols = catalog_graph_columns(m->set, &w.ncols);
    w.out = fopen(tmp, "w");
    if (!w.out)
        return err_set(e, ERR_IO, "%s: cannot create: %s", tmp, strerror(errno));
    static char buf[1 << 16];
    setvbuf(w.out, buf, _IOFBF, sizeof buf);
    write_header(&w);
    int rc = catalog_graph_each(c, m->set, write_row, &w, e);
    if (rc > 0 || (rc == 0 && (fflush(w.out) != 0 || ferror(w.out))))
        rc = err_set(e, ERR_IO, "%s: cannot write: %s", tmp, strerror(errno));
    if (fclose(w.out) != 0 && rc == 0)
        rc = err_set(e, ERR_IO, "%s: cannot write: %s", tmp, strerror(errno));
    if (rc == 0 && rename(tmp, path) != 0)
        rc = err_set(e, ERR_IO, "%s: cannot rename to %s: %s", tmp, path, strerror(errno));
    if (rc) {
        remove(tmp);
        return rc;
    }
    if (m->relation)
        st->relations += w.rows;
    else
        st->nodes += w.rows;
    st->lines += w.rows + 1;
    return 0;
}

/* IMPORT.txt: the neo4j-admin command line for these files. */
static int write_import_command(const char *dir, err *e)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/IMPORT.txt", dir);
    FILE *out = fopen(path, "w");
    if (!out)
        return err_set(e, ERR_IO, "%s: cannot create: %s", path, strerror(errno));
    fputs("# Import into a new, stopped database (run in this folder):\n"
          "neo4j-admin database import full --multiline-fields=true --array-delimiter=U+001F \\\n",
          out);
    int n;
    const graph_model_entry *m = graph_model_entries(&n);
    for (int i = 0; i < n; i++)
        fprintf(out, "  --%s=%s=%s.csv \\\n", m[i].relation ? "relationships" : "nodes", m[i].name, m[i].file);
    fputs("  neo4j\n", out);
    if (fclose(out) != 0)
        return err_set(e, ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    return 0;
}

int graph_export_csv(catalog *c, const char *dir, graph_export_stats *stats, err *e)
{
    graph_export_stats local = { 0 };
    graph_export_stats *st = stats ? stats : &local;
    memset(st, 0, sizeof *st);
    int rc = catalog_graph_read_begin(c, e);
    if (rc)
        return rc;
    int n;
    const graph_model_entry *m = graph_model_entries(&n);
    for (int i = 0; i < n && rc == 0; i++)
        rc = write_file(c, dir, &m[i], st, e);
    catalog_graph_read_end(c);
    if (rc == 0)
        rc = write_import_command(dir, e);
    return rc;
}
