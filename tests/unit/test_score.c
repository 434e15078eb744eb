/* test_score.c — clustering scores against values worked out by hand. */
#include "cluster/score.h"
#include "testutil.h"

#include <math.h>

static int near(double a, double b)
{
    return fabs(a - b) < 1e-9;
}

int main(void)
{
    err e = { 0 };
    score_result r;

    /* identical partitions (labels need not be equal) */
    int32_t t1[] = { 0, 0, 1, 1, 2 }, p1[] = { 7, 7, 3, 3, 9 };
    CHECK(score_partition(t1, p1, 5, &r, &e) == 0);
    CHECK(r.identities == 3 && r.clusters == 3 && r.unclustered == 0);
    CHECK(near(r.pairwise_f1, 1) && near(r.bcubed_f, 1) && near(r.ari, 1) && near(r.nmi, 1));

    /* truth {0,0,0 | 1,1}, clusters {a,a | b,b,b}:
     * pairwise 2 true pairs of 4 predicted, 4 true: P = R = 0.5;
     * BCubed P = R = (2/2 + 2/2 + 1/3 + 2/3 + 2/3) / 5 = 11/15;
     * ARI = (2 - 1.6) / (4 - 1.6) = 1/6; NMI (arithmetic) = 0.43253806776631 */
    int32_t t2[] = { 0, 0, 0, 1, 1 }, p2[] = { 0, 0, 1, 1, 1 };
    CHECK(score_partition(t2, p2, 5, &r, &e) == 0);
    CHECK(near(r.pairwise_precision, 0.5) && near(r.pairwise_recall, 0.5) && near(r.pairwise_f1, 0.5));
    CHECK(near(r.bcubed_precision, 11.0 / 15) && near(r.bcubed_recall, 11.0 / 15) && near(r.bcubed_f, 11.0 / 15));
    CHECK(near(r.ari, 1.0 / 6));
    CHECK_MSG(fabs(r.nmi - 0.4325380677663126) < 1e-12, "nmi %.15f", r.nmi);

    /* unassigned items are singletons: they cost recall, not precision */
    int32_t t3[] = { 0, 0, 0, 0 }, p3[] = { 5, 5, -1, -1 };
    CHECK(score_partition(t3, p3, 4, &r, &e) == 0);
    CHECK(r.clusters == 1 && r.unclustered == 2 && r.identities == 1);
    CHECK(near(r.pairwise_precision, 1) && near(r.pairwise_recall, 1.0 / 6));
    CHECK(near(r.bcubed_precision, 1) && near(r.bcubed_recall, (0.5 + 0.5 + 0.25 + 0.25) / 4));
    int32_t p4[] = { -1, -1, -1, -1 };
    CHECK(score_partition(t3, p4, 4, &r, &e) == 0);
    CHECK(near(r.pairwise_precision, 1) && near(r.pairwise_recall, 0) && near(r.pairwise_f1, 0));
    CHECK(near(r.bcubed_precision, 1) && near(r.bcubed_recall, 0.25));

    /* everything in one cluster over two identities */
    int32_t t5[] = { 0, 0, 1, 1 }, p5[] = { 0, 0, 0, 0 };
    CHECK(score_partition(t5, p5, 4, &r, &e) == 0);
    CHECK(near(r.pairwise_precision, 2.0 / 6) && near(r.pairwise_recall, 1));
    CHECK(near(r.bcubed_precision, 0.5) && near(r.bcubed_recall, 1));
    CHECK(near(r.ari, 0) && near(r.nmi, 0));

    /* mixed persons and split identities count blocks of >= 3 items:
     * cluster 0 holds 3 of A and 3 of B (mixed), cluster 1 holds 3 of B and 2
     * of C (not mixed: only 2 of C); B is in clusters 0, 1 and 2 with 3 each
     * (split into three), C in 1 and 3 (only two blocks, and 2 < 3 anyway);
     * unassigned items never form a block */
    int32_t t6[] = { 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 1, 1, 1, 2, 2, 2, 0, 0, 0 };
    int32_t p6[] = { 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3, -1, -1, -1 };
    CHECK(score_partition(t6, p6, 20, &r, &e) == 0);
    CHECK_MSG(r.mixed_persons == 1, "mixed %zu", r.mixed_persons);
    CHECK_MSG(r.split_identities == 1, "split %zu", r.split_identities);
    CHECK(score_partition(t1, p1, 5, &r, &e) == 0 && r.mixed_persons == 0 && r.split_identities == 0);

    int32_t bad[] = { 0, -1 };
    CHECK(score_partition(bad, p5, 2, &r, &e) == ERR_INVALID);
    CHECK(score_partition(t1, p1, 0, &r, &e) == 0 && near(r.bcubed_f, 1));
    return test_main_end();
}
