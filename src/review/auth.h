/* auth.h — who may talk to the server.
 *
 *  - Bind policy: a loopback address (127.0.0.0/8, ::1, "localhost") may run
 *    without a token; any other address needs one (--token or FACETAG_TOKEN) of
 *    at least AUTH_MIN_TOKEN characters, printable ASCII without spaces.
 *  - With a token, a request carries it as "Authorization: Bearer T" or the
 *    cookie facetag_token=T; `GET /?token=T` sets that cookie. Compared in
 *    constant time (SHA-256 of both sides, CRYPTO_memcmp).
 *  - Without a token (loopback only) the Host header must name a loopback host,
 *    so a web page cannot reach the server through DNS rebinding.
 *  - A request that changes something (not GET/HEAD) and carries an Origin
 *    header must come from the server's own origin: another web site cannot
 *    post decisions through the archivist's browser. */
#ifndef FACETAG_REVIEW_AUTH_H
#define FACETAG_REVIEW_AUTH_H

#include "core/error.h"

#include <stdbool.h>
#include <sys/socket.h>

#define AUTH_MIN_TOKEN 16
#define AUTH_COOKIE "facetag_token"

typedef struct auth_policy {
    bool token_set;
    unsigned char token_sha256[32];
} auth_policy;

/* Resolves bind ("localhost" or a numeric IPv4/IPv6 address) and port into addr;
 * *loopback tells whether it is a loopback address. ERR_INVALID for anything else. */
int auth_parse_bind(const char *bind, int port, struct sockaddr_storage *addr, socklen_t *len, bool *loopback, err *e);
/* Sets up the policy: ERR_INVALID when the address is not loopback and there is no
 * token, or the token is too short or has characters outside printable ASCII. */
int auth_policy_init(auth_policy *p, const char *token, bool loopback, const char *bind, err *e);

/* true when candidate (may be NULL) is the token; constant time in its content. */
bool auth_token_matches(const auth_policy *p, const char *candidate);
/* The token from "Bearer T" in an Authorization header value, or NULL. */
const char *auth_bearer(const char *authorization);
/* true when host (a Host header value, may carry ":port") names a loopback host. */
bool auth_host_is_loopback(const char *host);
/* true when origin ("http://host:port") names the same host:port as the Host header. */
bool auth_origin_matches(const char *origin, const char *host);

#endif
