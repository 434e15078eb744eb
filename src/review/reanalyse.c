/* reanalyse.c — flipped photos analysed and read again by a child process
 * (reanalyse.h). */
#include "review/reanalyse.h"

#include "store/catalog_ocr.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

typedef struct entry {
    char photo_id[PHOTO_ID_LEN + 1];
    reanalyse_state state;
    unsigned long seq; /* queue order */
    char why[256];
} entry;

struct reanalyse {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    bool stopping;
    pid_t child; /* 0: none running */
    char *exe, *data_dir, *models_dir;
    entry *v; /* every photo queued since the start */
    size_t n, cap;
    unsigned long seq;
};

const char *reanalyse_state_name(reanalyse_state s)
{
    static const char *const names[] = { "none", "queued", "running", "done", "failed" };
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "none";
}

static entry *find(reanalyse *r, const char *photo_id)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->v[i].photo_id, photo_id) == 0)
            return &r->v[i];
    return NULL;
}

int reanalyse_queue(reanalyse *r, const char *photo_id, err *e)
{
    pthread_mutex_lock(&r->lock);
    entry *x = find(r, photo_id);
    int rc = 0;
    if (!x && r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        entry *v = realloc(r->v, cap * sizeof *v);
        if (v) {
            r->v = v;
            r->cap = cap;
        } else {
            rc = err_set(e, ERR_NOMEM, "out of memory queueing photo %s to be analysed again", photo_id);
        }
    }
    if (rc == 0 && !x) {
        x = &r->v[r->n++];
        memset(x, 0, sizeof *x);
        snprintf(x->photo_id, sizeof x->photo_id, "%s", photo_id);
    }
    if (rc == 0 && x->state != REANALYSE_QUEUED && x->state != REANALYSE_RUNNING) {
        x->state = REANALYSE_QUEUED;
        x->seq = ++r->seq;
        x->why[0] = '\0';
        pthread_cond_signal(&r->wake);
    }
    pthread_mutex_unlock(&r->lock);
    return rc;
}

reanalyse_state reanalyse_get(reanalyse *r, const char *photo_id, char *why, size_t why_len)
{
    pthread_mutex_lock(&r->lock);
    entry *x = find(r, photo_id);
    reanalyse_state s = x ? x->state : REANALYSE_NONE;
    if (why && why_len)
        snprintf(why, why_len, "%s", x && s == REANALYSE_FAILED ? x->why : "");
    pthread_mutex_unlock(&r->lock);
    return s;
}

/* The queued entry first in line (lock held), NULL when none. */
static entry *next_queued(reanalyse *r)
{
    entry *best = NULL;
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].state == REANALYSE_QUEUED && (!best || r->v[i].seq < best->seq))
            best = &r->v[i];
    return best;
}

/* Starts `facetag flip PHOTO_ID` with its stderr on a pipe (*out: the read
 * end) and its stdout on /dev/null. 0 and *pid, or an errno value. */
static int spawn_child(reanalyse *r, const char *photo_id, pid_t *pid, int *out)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return errno;
    const char *argv[12];
    int a = 0;
    argv[a++] = r->exe;
    argv[a++] = "--data";
    argv[a++] = r->data_dir;
    if (r->models_dir) {
        argv[a++] = "--models";
        argv[a++] = r->models_dir;
    }
    argv[a++] = "-j";
    argv[a++] = "1";
    argv[a++] = "flip";
    argv[a++] = photo_id;
    argv[a] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDERR_FILENO);
    /* the server blocks its stop signals in every thread (cli/cmd_serve.c);
       the child must die of them */
    sigset_t none, dflt;
    sigemptyset(&none);
    sigemptyset(&dflt);
    sigaddset(&dflt, SIGINT);
    sigaddset(&dflt, SIGTERM);
    sigaddset(&dflt, SIGPIPE);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &dflt);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    int rc = posix_spawn(pid, r->exe, &fa, &at, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(fds[1]);
    if (rc) {
        close(fds[0]);
        return rc;
    }
    *out = fds[0];
    return 0;
}

/* Copies the child's stderr to the server's, line by line with the photo
 * named, until it closes; last gets its last non-empty line. */
static void relay(int fd, const char *photo_id, char *last, size_t last_len)
{
    char buf[4096], line[256];
    size_t ln = 0;
    for (;;) {
        ssize_t got = read(fd, buf, sizeof buf);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        for (ssize_t i = 0; i < got; i++) {
            if (buf[i] != '\n' && ln < sizeof line - 1) {
                line[ln++] = buf[i];
                continue;
            }
            if (buf[i] != '\n')
                continue; /* a line longer than the buffer: the rest is dropped */
            line[ln] = '\0';
            if (ln) {
                fprintf(stderr, "facetag serve: analysing flipped photo %s again: %s\n", photo_id, line);
                snprintf(last, last_len, "%s", line);
            }
            ln = 0;
        }
    }
    if (ln) {
        line[ln] = '\0';
        fprintf(stderr, "facetag serve: analysing flipped photo %s again: %s\n", photo_id, line);
        snprintf(last, last_len, "%s", line);
    }
}

static void run_one(reanalyse *r, const char *photo_id)
{
    char last[256] = "";
    pid_t pid = 0;
    int fd = -1;
    int rc = spawn_child(r, photo_id, &pid, &fd);
    pthread_mutex_lock(&r->lock);
    if (rc == 0) {
        r->child = pid;
        if (r->stopping)
            kill(pid, SIGTERM);
    }
    pthread_mutex_unlock(&r->lock);
    reanalyse_state s = REANALYSE_FAILED;
    if (rc) {
        snprintf(last, sizeof last, "cannot start %s: %s", r->exe, strerror(rc));
    } else {
        relay(fd, photo_id, last, sizeof last);
        close(fd);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
            s = REANALYSE_DONE;
        else if (WIFSIGNALED(status))
            snprintf(last, sizeof last, "stopped by signal %d (it is done again at the next start)", WTERMSIG(status));
        else if (!last[0])
            snprintf(last, sizeof last, "`facetag flip` exited with status %d", WEXITSTATUS(status));
    }
    pthread_mutex_lock(&r->lock);
    r->child = 0;
    entry *y = find(r, photo_id);
    if (y && y->state == REANALYSE_RUNNING) {
        y->state = s;
        snprintf(y->why, sizeof y->why, "%s", s == REANALYSE_FAILED ? last : "");
    }
    pthread_mutex_unlock(&r->lock);
}

static void *loop(void *arg)
{
    reanalyse *r = arg;
    pthread_mutex_lock(&r->lock);
    for (;;) {
        entry *x;
        while (!r->stopping && !(x = next_queued(r)))
            pthread_cond_wait(&r->wake, &r->lock);
        if (r->stopping)
            break;
        x->state = REANALYSE_RUNNING;
        char photo_id[PHOTO_ID_LEN + 1]; /* x moves when the queue grows */
        snprintf(photo_id, sizeof photo_id, "%s", x->photo_id);
        pthread_mutex_unlock(&r->lock);
        run_one(r, photo_id);
        pthread_mutex_lock(&r->lock);
    }
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

static int queue_pending(const char *photo_id, void *ud)
{
    err e = { 0 };
    return reanalyse_queue(ud, photo_id, &e) ? 1 : 0;
}

static void free_all(reanalyse *r)
{
    pthread_cond_destroy(&r->wake);
    pthread_mutex_destroy(&r->lock);
    free(r->exe);
    free(r->data_dir);
    free(r->models_dir);
    free(r->v);
    free(r);
}

reanalyse *reanalyse_start(const reanalyse_options *o, catalog *cat, err *e)
{
    reanalyse *r = calloc(1, sizeof *r);
    if (!r) {
        err_set(e, ERR_NOMEM, "out of memory starting the re-analysis queue");
        return NULL;
    }
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->wake, NULL);
    r->exe = strdup(o->exe);
    r->data_dir = strdup(o->data_dir);
    r->models_dir = o->models_dir ? strdup(o->models_dir) : NULL;
    if (!r->exe || !r->data_dir || (o->models_dir && !r->models_dir)) {
        free_all(r);
        err_set(e, ERR_NOMEM, "out of memory starting the re-analysis queue");
        return NULL;
    }
    /* flips whose re-analysis a stop or a kill interrupted */
    int rc = catalog_flips_pending(cat, NULL, queue_pending, r, e);
    if (rc > 0)
        rc = err_set(e, ERR_NOMEM, "out of memory queueing the flipped photos to analyse again");
    if (rc == 0 && (rc = pthread_create(&r->thread, NULL, loop, r)) != 0)
        rc = err_set(e, ERR_IO, "cannot start the re-analysis thread: %s", strerror(rc));
    if (rc) {
        free_all(r);
        return NULL;
    }
    return r;
}

void reanalyse_stop(reanalyse *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->lock);
    r->stopping = true;
    if (r->child > 0)
        kill(r->child, SIGTERM);
    pthread_cond_broadcast(&r->wake);
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->thread, NULL);
    free_all(r);
}
