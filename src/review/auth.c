/* auth.c — bind policy, token check, Host and Origin checks (auth.h). */
#include "review/auth.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <string.h>
#include <strings.h>

int auth_parse_bind(const char *bind, int port, struct sockaddr_storage *addr, socklen_t *len, bool *loopback, err *e)
{
    if (port < 0 || port > 65535)
        return err_set(e, ERR_INVALID, "port %d is not in 0..65535", port);
    memset(addr, 0, sizeof *addr);
    if (!bind || !*bind || strcmp(bind, "localhost") == 0)
        bind = "127.0.0.1";
    struct sockaddr_in *v4 = (struct sockaddr_in *)addr;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)addr;
    if (inet_pton(AF_INET, bind, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        *len = sizeof *v4;
        *loopback = (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
        return 0;
    }
    const char *a = bind;
    char buf[64];
    size_t n = strlen(bind);
    if (n > 2 && bind[0] == '[' && bind[n - 1] == ']' && n - 2 < sizeof buf) { /* "[::1]" */
        memcpy(buf, bind + 1, n - 2);
        buf[n - 2] = '\0';
        a = buf;
    }
    if (inet_pton(AF_INET6, a, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        *len = sizeof *v6;
        *loopback = IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr);
        return 0;
    }
    return err_set(e, ERR_INVALID, "--bind '%.64s' is not an IP address (give e.g. 127.0.0.1, 0.0.0.0 or ::1)", bind);
}

int auth_policy_init(auth_policy *p, const char *token, bool loopback, const char *bind, err *e)
{
    memset(p, 0, sizeof *p);
    if (!token || !*token) {
        if (!loopback)
            return err_set(e, ERR_INVALID,
                           "refusing to listen on %s without a token: anyone on the network could change the "
                           "catalog; give --token T or set FACETAG_TOKEN (at least %d characters), or bind 127.0.0.1",
                           bind, AUTH_MIN_TOKEN);
        return 0;
    }
    size_t n = strlen(token);
    if (n < AUTH_MIN_TOKEN)
        return err_set(e, ERR_INVALID, "the token is %zu characters long; it needs at least %d", n, AUTH_MIN_TOKEN);
    for (size_t i = 0; i < n; i++)
        if (token[i] <= ' ' || token[i] > '~' || token[i] == ';' || token[i] == ',' || token[i] == '"' ||
            token[i] == '\\')
            return err_set(e, ERR_INVALID,
                           "the token may hold only printable ASCII without spaces, quotes, ';', ',' or '\\'");
    SHA256((const unsigned char *)token, n, p->token_sha256);
    p->token_set = true;
    return 0;
}

bool auth_token_matches(const auth_policy *p, const char *candidate)
{
    if (!p->token_set || !candidate)
        return false;
    /* Hashing first makes the comparison independent of both lengths. */
    unsigned char h[32];
    SHA256((const unsigned char *)candidate, strlen(candidate), h);
    return CRYPTO_memcmp(h, p->token_sha256, sizeof h) == 0;
}

const char *auth_bearer(const char *authorization)
{
    if (!authorization || strncasecmp(authorization, "Bearer ", 7) != 0)
        return NULL;
    const char *t = authorization + 7;
    while (*t == ' ')
        t++;
    return *t ? t : NULL;
}

/* Copies the host part of "host[:port]" / "[v6]:port" into buf. */
static bool host_part(const char *host, char *buf, size_t size)
{
    const char *end;
    if (host[0] == '[') {
        end = strchr(host, ']');
        if (!end)
            return false;
        host++;
    } else {
        end = strchr(host, ':');
        if (!end)
            end = host + strlen(host);
    }
    size_t n = (size_t)(end - host);
    if (n == 0 || n >= size)
        return false;
    memcpy(buf, host, n);
    buf[n] = '\0';
    return true;
}

bool auth_host_is_loopback(const char *host)
{
    char h[64];
    if (!host || !host_part(host, h, sizeof h))
        return false;
    if (strcasecmp(h, "localhost") == 0)
        return true;
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, h, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, h, &a6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&a6);
    return false;
}

bool auth_origin_matches(const char *origin, const char *host)
{
    if (!origin || !host)
        return false;
    const char *rest = NULL;
    if (strncasecmp(origin, "http://", 7) == 0)
        rest = origin + 7;
    else if (strncasecmp(origin, "https://", 8) == 0)
        rest = origin + 8;
    return rest && strcasecmp(rest, host) == 0;
}
