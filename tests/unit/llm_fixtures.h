/* llm_fixtures.h — shared by test_llm.c and test_llm_server.c: the evidence
 * the questions are about, and starting, probing and stopping a server process
 * on a loopback port it binds itself (port 0, read back from its log).
 * Header-only (static), like bf16_faces.h. */
#ifndef FACETAG_TEST_LLM_FIXTURES_H
#define FACETAG_TEST_LLM_FIXTURES_H

#include "annotate/llm.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
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

/* The port a server spawned with port 0 bound, read from its log: the number
 * after the first occurrence of marker (e.g. "listening on http://127.0.0.1:").
 * The server binds the port itself and says which, so no other process can
 * take it between a choice and the bind (a port picked free, closed and bound
 * again could be). Waits up to seconds; -1 when the server exits or the time
 * is up. */
static int log_port(const char *log, const char *marker, int seconds, pid_t pid)
{
    for (int i = 0; i < seconds * 10; i++) {
        FILE *f = fopen(log, "r");
        char line[4096];
        int port = 0;
        while (f && port == 0 && fgets(line, sizeof line, f)) {
            const char *at = strstr(line, marker);
            if (at && strchr(line, '\n') && sscanf(at + strlen(marker), "%d", &port) == 1 &&
                (port <= 0 || port > 65535))
                port = 0;
        }
        if (f)
            fclose(f);
        if (port > 0)
            return port;
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return -1;
        usleep(100000);
    }
    return -1;
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
