/* llm_fixtures.h — shared by test_llm.c and test_llm_server.c: the evidence
 * the questions are about, and starting, probing and stopping a server process
 * on a free loopback port. Header-only (static), like bf16_faces.h. */
#ifndef FACETAG_TEST_LLM_FIXTURES_H
#define FACETAG_TEST_LLM_FIXTURES_H

#include "annotate/llm.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const llm_evidence_item person_items[] = {
    { "1977/Probe_Wuppertal/IMG_0001.txt", "Paul Bremer bei der Probe, Wuppertal, Februar 1977. Foto: K. Weiss" },
    { "1977/Probe_Wuppertal/IMG_0002.txt", "v.l.n.r.: Paul Bremer, Jürgen Müller-Lüdenscheidt" },
    { "1978/Tokyo/album.txt", "Gastspiel Tokyo 1978" },
};
static const llm_evidence person = { "person", "17", person_items, 3 };

static const llm_evidence_item event_items[] = {
    { "1975/Premiere_Paris/album.txt", "Premiere in Paris, 12 June 1975" },
    { "1975/Premiere_Paris/img_01.txt", "After the premiere: the company on stage" },
};
static const llm_evidence event = { "event", "3", event_items, 2 };

static const llm_evidence_item other_items[] = {
    { "1980/box 4/scan_0007.txt", "Rehearsal in Lyon, summer 1980, with A. Novak" },
};
static const llm_evidence other = { "person", "21", other_items, 1 };

static int free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    int port = -1;
    if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(s, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (s >= 0)
        close(s);
    return port;
}

static pid_t spawn(char *const argv[], const char *log)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid = -1;
    if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0)
        pid = -1;
    posix_spawn_file_actions_destroy(&fa);
    return pid;
}

static void stop(pid_t pid)
{
    if (pid > 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
    }
}

static size_t discard(char *p, size_t s, size_t n, void *u)
{
    (void)p, (void)u;
    return s * n;
}

/* HTTP status of GET url, 0 when nothing answers. */
static long http_status(const char *url)
{
    CURL *h = curl_easy_init();
    long status = 0;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 2000L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(h);
    return status;
}

/* Waits up to seconds for url to answer with want (or any status when want 0). */
static int wait_ready(const char *url, long want, int seconds, pid_t pid)
{
    for (int i = 0; i < seconds * 10; i++) {
        long s = http_status(url);
        if (s && (!want || s == want))
            return 1;
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return 0;
        usleep(100000);
    }
    return 0;
}

static int one_line(const char *s)
{
    return s[0] != '\0' && strchr(s, '\n') == NULL;
}

#endif
