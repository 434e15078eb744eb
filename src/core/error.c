#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(err *e, errcode code, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        e->code = code;
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

int err_prefix(err *e, const char *fmt, ...)
{
    if (!e)
        return ERR_INTERNAL;
    char prefix[512], old[sizeof e->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, e->msg, sizeof old);
    /* Truncation is fine: a long message keeps its head, which names the input. */
    size_t n = strlen(prefix);
    if (n > sizeof e->msg - 3)
        n = sizeof e->msg - 3;
    memcpy(e->msg, prefix, n);
    memcpy(e->msg + n, ": ", 2);
    size_t room = sizeof e->msg - n - 3, m = strnlen(old, sizeof old);
    if (m > room)
        m = room;
    memcpy(e->msg + n + 2, old, m);
    e->msg[n + 2 + m] = '\0';
    return e->code;
}

void err_clear(err *e)
{
    if (e) {
        e->code = ERR_OK;
        e->msg[0] = '\0';
    }
}

const char *err_code_name(errcode code)
{
    switch (code) {
    case ERR_OK:
        return "ok";
    case ERR_IO:
        return "io";
    case ERR_INVALID:
        return "invalid";
    case ERR_NOMEM:
        return "nomem";
    case ERR_FORMAT:
        return "format";
    case ERR_NOTFOUND:
        return "notfound";
    case ERR_DB:
        return "db";
    case ERR_LIMIT:
        return "limit";
    case ERR_MODEL:
        return "model";
    case ERR_CONFLICT:
        return "conflict";
    case ERR_INTERNAL:
        return "internal";
    case ERR_BUSY:
        return "busy";
    }
    return "unknown";
}
