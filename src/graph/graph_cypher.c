/* graph_cypher.c — the Cypher script of graph_export.h: constraints, index,
 * then :param batches and parameterised MERGE statements, streamed. */
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

int graph_cypher_string(FILE *out, const char *s, size_t len)
{
    fputc('\'', out);
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = graph_utf8_next((const unsigned char *)s + i, len - i, &cp);
        if (n == 0) { /* not UTF-8: Neo4j strings are Unicode */
            fputs("\xEF\xBF\xBD", out);
            i++;
            continue;
        }
        switch (cp) {
        case '\'':
            fputs("\\'", out);
            break;
        case '\\':
            fputs("\\\\", out);
            break;
        case '\n':
            fputs("\\n", out);
            break;
        case '\r':
            fputs("\\r", out);
            break;
        case '\t':
            fputs("\\t", out);
            break;
        case '\b':
            fputs("\\b", out);
            break;
        case '\f':
            fputs("\\f", out);
            break;
        default:
            /* Other controls, and the characters some readers take as line ends
             * (NEL, LINE/PARAGRAPH SEPARATOR): escaped, so a :param stays one line. */
            if (cp < 0x20 || cp == 0x7f || cp == 0x85 || cp == 0x2028 || cp == 0x2029)
                fprintf(out, "\\u%04X", (unsigned)cp);
            else
                fwrite(s + i, 1, n, out);
        }
        i += n;
    }
    fputc('\'', out);
    return ferror(out) ? -1 : 0;
}

/* A float as a Cypher float literal (always with a '.' or exponent), null when
 * not finite (Cypher has no literal for NaN or infinity). */
static void write_real(FILE *out, double v)
{
    if (!isfinite(v)) {
        fputs("null", out);
        return;
    }
    char buf[40];
    /* the shortest form that reads back as the same double */
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, sizeof buf, "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    fputs(buf, out);
    if (!strpbrk(buf, ".e"))
        fputs(".0", out);
}

/* A JSON array (a LIST column) as a Cypher list literal. */
static void write_list(FILE *out, const char *json, size_t len)
{
    json_t *a = json_loadb(json, len, JSON_DECODE_ANY, NULL);
    fputc('[', out);
    size_t i;
    json_t *v;
    bool first = true;
    json_array_foreach(a, i, v)
    {
        if (json_is_null(v))
            continue; /* Neo4j lists hold no nulls */
        if (!first)
            fputs(", ", out);
        first = false;
        if (json_is_integer(v))
            fprintf(out, "%lld", (long long)json_integer_value(v));
        else if (json_is_real(v))
            write_real(out, json_real_value(v));
        else if (json_is_string(v))
            graph_cypher_string(out, json_string_value(v), json_string_length(v));
        else if (json_is_boolean(v))
            fputs(json_is_true(v) ? "true" : "false", out);
    }
    fputc(']', out);
    json_decref(a);
}

static void write_value(FILE *out, catalog_graph_kind kind, const catalog_graph_value *v)
{
    if (v->null) {
        fputs("null", out);
        return;
    }
    switch (kind) {
    case CATALOG_GRAPH_INT:
        fprintf(out, "%lld", (long long)v->i);
        break;
    case CATALOG_GRAPH_REAL:
        write_real(out, v->r);
        break;
    case CATALOG_GRAPH_LIST:
        write_list(out, v->s, v->len);
        break;
    default:
        graph_cypher_string(out, v->s, v->len);
    }
}

typedef struct writer {
    FILE *out;
    const char *out_name;
    const graph_model_entry *m;
    const catalog_graph_column *cols;
    int ncols;
    int batch, in_batch;
    int64_t rows;
    graph_export_stats *stats;
} writer;

/* The statement that consumes a batch of m's rows. */
static void write_statement(writer *w)
{
    const graph_model_entry *m = w->m;
    FILE *out = w->out;
    int first_set;
    if (!m->relation) {
        fprintf(out, "UNWIND $rows AS row MERGE (n:%s {%s: row.%s})", m->name, w->cols[0].name, w->cols[0].name);
        first_set = 1;
    } else {
        fprintf(out, "UNWIND $rows AS row MATCH (a:%s {%s: row.%s}) MATCH (b:%s {%s: row.%s}) MERGE (a)-[r:%s",
                m->start_label, graph_model_key(m->start_label), w->cols[0].name, m->end_label,
                graph_model_key(m->end_label), w->cols[1].name, m->name);
        first_set = 2;
        if (m->merge_prop) {
            fprintf(out, " {%s: row.%s}", m->merge_prop, m->merge_prop);
        }
        fputs("]->(b)", out);
    }
    const char *var = m->relation ? "r" : "n";
    bool any = false;
    for (int i = first_set; i < w->ncols; i++) {
        if (m->merge_prop && strcmp(w->cols[i].name, m->merge_prop) == 0)
            continue;
        fprintf(out, "%s%s.%s = row.%s", any ? ", " : " SET ", var, w->cols[i].name, w->cols[i].name);
        any = true;
    }
    fputs(";\n", out);
    w->stats->statements++;
    w->stats->lines++;
}

static void close_batch(writer *w)
{
    if (w->in_batch == 0)
        return;
    fputs("];\n", w->out);
    w->stats->lines++;
    write_statement(w);
    w->in_batch = 0;
}

static int write_row(const catalog_graph_value *row, int n, void *ud)
{
    writer *w = ud;
    FILE *out = w->out;
    if (w->in_batch == 0)
        fputs(":param rows => [", out);
    else
        fputs(", ", out);
    fputc('{', out);
    for (int i = 0; i < n; i++) {
        fprintf(out, "%s%s: ", i ? ", " : "", w->cols[i].name);
        write_value(out, w->cols[i].kind, &row[i]);
    }
    fputc('}', out);
    w->rows++;
    if (++w->in_batch == w->batch)
        close_batch(w);
    return ferror(out) ? 1 : 0;
}

static void write_schema(FILE *out, graph_export_stats *st)
{
    int n;
    const graph_model_entry *m = graph_model_entries(&n);
    for (int i = 0; i < n; i++) {
        if (m[i].relation)
            continue;
        const char *key = graph_model_key(m[i].name);
        fprintf(out, "CREATE CONSTRAINT facetag_%s_%s IF NOT EXISTS FOR (n:%s) REQUIRE n.%s IS UNIQUE;\n", m[i].file,
                key, m[i].name, key);
        st->statements++;
        st->lines++;
    }
    fputs("CREATE INDEX facetag_foto_timestamp IF NOT EXISTS FOR (n:Foto) ON (n.timestamp);\n", out);
    st->statements++;
    st->lines++;
}

int graph_export_cypher(catalog *c, FILE *out, const char *out_name, int batch, graph_export_stats *stats, err *e)
{
    graph_export_stats local = { 0 };
    graph_export_stats *st = stats ? stats : &local;
    memset(st, 0, sizeof *st);
    if (batch <= 0)
        batch = GRAPH_EXPORT_BATCH;
    int rc = catalog_graph_read_begin(c, e);
    if (rc)
        return rc;
    fputs("// facetag: the archive's graph for Neo4j (cypher-shell -f FILE). Parameterised, idempotent MERGE:\n"
          "// running this twice gives the same graph.\n",
          out);
    st->lines += 2;
    write_schema(out, st);
    int n;
    const graph_model_entry *m = graph_model_entries(&n);
    for (int i = 0; i < n && rc == 0; i++) {
        writer w = { .out = out, .out_name = out_name, .m = &m[i], .batch = batch, .stats = st };
        w.cols = catalog_graph_columns(m[i].set, &w.ncols);
        rc = catalog_graph_each(c, m[i].set, write_row, &w, e);
        if (rc > 0)
            rc = err_set(e, ERR_IO, "%s: cannot write: %s", out_name, strerror(errno));
        if (rc == 0)
            close_batch(&w);
        if (m[i].relation)
            st->relations += w.rows;
        else
            st->nodes += w.rows;
    }
    catalog_graph_read_end(c);
    if (rc == 0 && (fflush(out) != 0 || ferror(out)))
        rc = err_set(e, ERR_IO, "%s: cannot write: %s", out_name, strerror(errno));
    return rc;
}
