/* people_stage.h — the cluster stage: the faces of the current model version
 * into persons, under people's decisions (store/people_store.h), written back
 * in one transaction.
 *
 * Full (the first run of a model version, or `full`): every face with a
 * descriptor is clustered (cluster/cluster.h: algorithm + constraint pass) and
 * the clusters take person ids by overlap (people_store.h).
 *
 * Incremental (later runs): only faces no cluster run has placed yet ("new")
 * are handled. A new face pinned by a decision (model change) goes to its
 * person. Any other new face joins the person of its nearest face that is in a
 * person when that face lies within assign_threshold (in the index's metric)
 * and the person is allowed (not rejected, no other face of the photo); the
 * candidates are its PEOPLE_STAGE_ASSIGN_K nearest, nearest first. What is left,
 * together with the faces earlier runs left unassigned, is clustered among the
 * faces of the persons found near the leftovers (context, so that a handful of
 * leftovers still form a hierarchy): a cluster of leftovers alone becomes a new
 * person, a cluster with faces of exactly one person takes its leftovers into
 * that person, a cluster spanning several persons leaves them unassigned.
 * Video tracks (store/catalog_tracks.h) are one person on both paths: the
 * full run relabels each track to the cluster most of its faces got; the
 * incremental run puts a track's new faces (and faces of it earlier runs
 * left unassigned) into the person its placed or pinned faces are in, else
 * the person most of its new faces found by nearest assignment, else clusters
 * the track whole. A face that may not join that person (rejected from it, or
 * its photo already has a face there) stays unassigned rather than join
 * another.
 * Existing persons are never split or merged by an incremental run, so it
 * costs one kNN query of the new faces plus a clustering of the leftovers and
 * their neighbourhood, not a re-cluster. */
#ifndef FACETAG_PEOPLE_PEOPLE_STAGE_H
#define FACETAG_PEOPLE_PEOPLE_STAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cluster/cluster.h"
#include "cluster/neighbors.h"
#include "core/error.h"
#include "store/catalog.h"

#define PEOPLE_STAGE_ASSIGN_K 8

typedef struct people_stage_options {
    cluster_params params;     /* algorithm and its parameters (cluster_params_default) */
    nb_metric metric;          /* NB_EUCLIDEAN or NB_COSINE */
    bool full;                 /* recompute everything (still under the decisions) */
    double assign_threshold;   /* incremental: <0 means the default for the metric */
    int threads;               /* >= 1 */
    const char *model_version; /* NULL: the current one (people_store_model) */
} people_stage_options;

/* Defaults: CLUSTER_DEFAULT_ALGO on CLUSTER_DEFAULT_METRIC with that metric's
 * parameters (cluster_params_default_metric), incremental. */
void people_stage_options_default(people_stage_options *o);
/* The default incremental assignment threshold for a metric (measured on
 * faces-dev, see people_stage.c). */
double people_stage_assign_default(nb_metric metric);

typedef struct people_stage_summary {
    char model_version[CATALOG_MODEL_VERSION_LEN];
    bool full;               /* whether this run was a full one */
    size_t faces;            /* faces of the model version */
    size_t placed;           /* faces this run placed */
    size_t assigned_nearest; /* incremental: new faces put into an existing person */
    size_t clustered;        /* faces that went through the algorithm */
    size_t carried_over;     /* faces that took decisions from another model version */
    size_t persons;          /* persons with faces afterwards */
    size_t new_persons, deleted_persons;
    size_t unassigned; /* faces of the version in no person afterwards */
    bool approximate;  /* the clustering's neighbours came from FAISS (see neighbors.h) */
    double seconds;
} people_stage_summary;

/* Runs the stage on c. Returns 0 (also when there is nothing to do) or <0:
 * ERR_INVALID for bad parameters, the algorithm's errors, ERR_DB. */
int people_stage_run(catalog *c, const people_stage_options *o, people_stage_summary *sum, err *e);

#endif
