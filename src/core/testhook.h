/* testhook.h — the test hooks of the batch stages (ingest, analyze), so tests
 * can kill -9 a run inside its critical windows on any machine.
 *
 * testhook_pause(ms) is called after each object a stage writes (and each
 * chunk of an original it copies), before the catalog transaction that makes
 * the object count:
 *  - it pauses ms milliseconds (the caller passes FACETAG_TEST_SLOW_MS): a
 *    kill from outside is then more likely to land in such a window;
 *  - with FACETAG_TEST_KILL_AT=N in the environment, the Nth call of the
 *    process (counted over all threads from 1) sends the process SIGKILL and
 *    does not return: a kill at a point the run's own progress decides, not a
 *    clock, so a test knows the run was cut short however fast the machine is;
 *  - with FACETAG_TEST_STOP_AT=N, the Nth call sends the process SIGSTOP: the
 *    whole run stands still, part-way through, until the test that waits for
 *    that state (/proc/PID/stat "T") has done what it must (stopped the object
 *    store's gateway, say) and sends SIGCONT; the call then returns.
 * testhook_point(name, ms) is the same pause at a named place: with
 * FACETAG_TEST_KILL_AT=name (a name, not a number) the first call of that
 * name sends the process SIGKILL, so a test can kill a run at one exact
 * place however many objects came before it (the numbered calls count it too).
 * Without those variables it does nothing. Thread-safe. */
#ifndef FACETAG_CORE_TESTHOOK_H
#define FACETAG_CORE_TESTHOOK_H

void testhook_pause(int ms);
void testhook_point(const char *name, int ms);

#endif
