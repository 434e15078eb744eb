#include "core/progress.h"

#include "core/clock.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

struct progress {
    FILE *out;
    char label[32], unit[32];
    int64_t total, done;
    int draw;
    double start, last_draw;
};

progress *progress_new(FILE *out, const char *label, const char *unit, int64_t total, int enabled)
{
    progress *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->out = out;
    snprintf(p->label, sizeof p->label, "%s", label ? label : "");
    snprintf(p->unit, sizeof p->unit, "%s", unit ? unit : "");
    p->total = total;
    p->draw = enabled < 0 ? isatty(fileno(out)) : enabled;
    p->start = clock_now_s();
    p->last_draw = -1;
    return p;
}

static void fmt_duration(char *buf, size_t size, double s)
{
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, size, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, size, "%ld:%02ld", t / 60, t % 60);
}

void progress_format(char *buf, size_t size, const char *label, const char *unit, int64_t done, int64_t total,
                     double elapsed, int width)
{
    if (width < 1)
        width = 1;
    if (width > 200)
        width = 200;
    char bar[201];
    int fill = total > 0 ? (int)((double)width * (double)done / (double)total) : 0;
    if (fill > width)
        fill = width;
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '=' : (i == fill ? '>' : ' ');
    if (fill == width)
        bar[width - 1] = '=';
    bar[width] = '\0';
    double rate = elapsed > 0 ? (double)done / elapsed : 0;
    char eta[32] = "--:--";
    if (rate > 0 && total >= done)
        fmt_duration(eta, sizeof eta, (double)(total - done) / rate);
    snprintf(buf, size, "%s [%s] %lld/%lld  %.1f %s/s  ETA %s", label, bar, (long long)done, (long long)total, rate,
             unit, eta);
}

static void redraw(progress *p)
{
    int cols = 80;
    struct winsize ws;
    if (ioctl(fileno(p->out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 40)
        cols = ws.ws_col;
    char line[512];
    /* the text around the bar takes about 50 columns */
    progress_format(line, sizeof line, p->label, p->unit, p->done, p->total, clock_now_s() - p->start, cols - 55);
    fprintf(p->out, "\r\033[K%.*s", cols - 1, line);
    fflush(p->out);
}

void progress_set(progress *p, int64_t done)
{
    if (!p)
        return;
    p->done = done;
    if (!p->draw)
        return;
    double t = clock_now_s();
    if (p->last_draw >= 0 && t - p->last_draw < 0.1 && done < p->total)
        return;
    p->last_draw = t;
    redraw(p);
}

void progress_message(progress *p, const char *fmt, ...)
{
    FILE *out = p ? p->out : stderr;
    if (p && p->draw)
        fputs("\r\033[K", out);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
    size_t n = strlen(fmt);
    if (n == 0 || fmt[n - 1] != '\n')
        fputc('\n', out);
    if (p && p->draw)
        redraw(p);
    else
        fflush(out);
}

double progress_rate(const progress *p)
{
    double el = p ? clock_now_s() - p->start : 0;
    return el > 0 ? (double)p->done / el : 0;
}

void progress_end(progress *p)
{
    if (!p)
        return;
    if (p->draw) {
        fputs("\r\033[K", p->out);
        fflush(p->out);
    }
    free(p);
}
