// ann_faiss.cpp — FAISS HNSW / IVF-Flat behind the C interface of ann_faiss.h.
#include "cluster/ann_faiss.h"

#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <vector>

#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/impl/DistanceComputer.h>

struct ann_faiss {
    ann_faiss_params p;
    size_t dim = 0, n = 0;
    std::unique_ptr<faiss::Index> index;
};

// HNSW24, efConstruction 64, efSearch 64, chosen by bench_cluster ann on
// 100k synthetic faces (2 threads; CPU s = build + HDBSCAN's search; recall
// of the 32 nearest; ARI of HDBSCAN's labels against the exact path's):
//   HNSW16 efC 64 efS 64   46 s   recall 0.822   ARI 0.9992
//   HNSW24 efC 64 efS 64   47 s   recall 0.852   ARI 0.9997
//   HNSW32 efC 64 efS 96   63 s   recall 0.892   ARI 0.9999
// (IVF-Flat, 4 sqrt(n) lists, nprobe 16: recall 0.62 already at 20k — these
// descriptors have no coarse structure for k-means cells to follow.)
// The kNN candidates are re-ranked exactly, so what recall loses is a few
// far members of the 32 nearest; the core distances and the MST's light
// edges come from the nearest few, which the graph finds.
void ann_faiss_params_default(ann_faiss_params *p)
{
    p->kind = ANN_FAISS_HNSW;
    p->hnsw_m = 24;
    p->hnsw_ef_construction = 64;
    p->hnsw_ef_search = 64;
    p->ivf_nlist = 0;
    p->ivf_nprobe = 16;
}

namespace
{

void say(char *msg, size_t size, const char *what, const char *detail)
{
    if (msg && size)
        std::snprintf(msg, size, "%s: %s", what, detail);
}

// The OpenMP team FAISS forks for each call, and OpenBLAS (IVF training's
// GEMM), both at `threads`; OpenBLAS goes back to one thread afterwards, which
// is what cluster/neighbors.c's own worker threads expect.
struct thread_limit {
    explicit thread_limit(int threads, bool blas) : blas_(blas)
    {
        omp_set_num_threads(threads < 1 ? 1 : threads);
        if (blas_)
            openblas_set_num_threads(threads < 1 ? 1 : threads);
    }
    ~thread_limit()
    {
        if (blas_)
            openblas_set_num_threads(1);
    }
    thread_limit(const thread_limit &) = delete;
    thread_limit &operator=(const thread_limit &) = delete;

  private:
    bool blas_;
};

// Debian builds FAISS for the x86-64 baseline, where its distance kernel is
// the scalar reference loop (fvec_L2sqr_ref: ~90 % of the time in perf, about
// 200 ns a pair of 128-d rows). The HNSW graph takes its distances from its
// storage, so the storage here is FAISS's flat index with the distance
// computed as ||q||^2 + ||x||^2 - 2 q.x, the dot product by OpenBLAS's sdot
// (its AVX2 kernel on this machine), the norms kept at add time. The float
// cancellation (~1e-7 of the norms) only orders candidates: the caller
// re-ranks them in double.
struct blas_l2_storage : faiss::IndexFlatL2 {
    std::vector<float> norms;

    explicit blas_l2_storage(faiss::Index::idx_t d) : faiss::IndexFlatL2(d)
    {
    }

    void add(idx_t n, const float *x) override
    {
        faiss::IndexFlatL2::add(n, x);
        for (idx_t i = 0; i < n; i++)
            norms.push_back(cblas_sdot((int)d, x + i * d, 1, x + i * d, 1));
    }

    void reset() override
    {
        faiss::IndexFlatL2::reset();
        norms.clear();
    }

    faiss::FlatCodesDistanceComputer *get_FlatCodesDistanceComputer() const override;
};

struct blas_l2_distance : faiss::FlatCodesDistanceComputer {
    const float *xb, *norms, *q = nullptr;
    int d;
    float qn = 0;

    explicit blas_l2_distance(const blas_l2_storage &s)
        : faiss::FlatCodesDistanceComputer(s.codes.data(), s.code_size), xb(s.get_xb()), norms(s.norms.data()),
          d((int)s.d)
    {
    }

    void set_query(const float *x) override
    {
        q = x;
        qn = cblas_sdot(d, x, 1, x, 1);
    }

    float distance_to_code(const uint8_t *code) override
    {
        const float *y = reinterpret_cast<const float *>(code);
        float v = qn + norms[(y - xb) / d] - 2 * cblas_sdot(d, q, 1, y, 1);
        return v > 0 ? v : 0;
    }

    float symmetric_dis(idx_t i, idx_t j) override
    {
        float v = norms[i] + norms[j] - 2 * cblas_sdot(d, xb + i * d, 1, xb + j * d, 1);
        return v > 0 ? v : 0;
    }
};

faiss::FlatCodesDistanceComputer *blas_l2_storage::get_FlatCodesDistanceComputer() const
{
    return new blas_l2_distance(*this);
}

// Rows at a stride, copied contiguous in blocks of this many for FAISS.
constexpr size_t kBlock = 1 << 15;

const float *packed(const float *x, size_t i0, size_t rows, size_t dim, size_t stride, std::vector<float> &buf)
{
    if (stride == dim)
        return x + i0 * dim;
    buf.resize(rows * dim);
    for (size_t i = 0; i < rows; i++)
        std::memcpy(&buf[i * dim], x + (i0 + i) * stride, dim * sizeof(float));
    return buf.data();
}

} // namespace

extern "C" ann_faiss *ann_faiss_new(const float *x, size_t n, size_t dim, size_t stride, const ann_faiss_params *p,
                                    int threads, char *msg, size_t msg_size)
{
    try {
        std::unique_ptr<ann_faiss> a(new ann_faiss);
        a->p = *p;
        a->dim = dim;
        a->n = n;
        std::vector<float> buf;
        thread_limit limit(threads, p->kind == ANN_FAISS_IVF);
        if (p->kind == ANN_FAISS_HNSW) {
            auto *h = new faiss::IndexHNSW(new blas_l2_storage((faiss::Index::idx_t)dim), p->hnsw_m);
            h->own_fields = true;
            a->index.reset(h);
            h->hnsw.efConstruction = p->hnsw_ef_construction;
        } else {
            size_t nlist = p->ivf_nlist ? p->ivf_nlist : (size_t)(4 * std::sqrt((double)n));
            nlist = std::max<size_t>(1, std::min(nlist, n));
            auto *q = new faiss::IndexFlatL2((faiss::Index::idx_t)dim);
            auto *ivf = new faiss::IndexIVFFlat(q, dim, nlist);
            ivf->own_fields = true;
            ivf->nprobe = p->ivf_nprobe;
            a->index.reset(ivf);
            a->p.ivf_nlist = nlist;
            // k-means on an even sample of at most 64 rows a cell
            size_t ns = std::min(n, 64 * nlist), step = n / ns;
            std::vector<float> sample(ns * dim);
            for (size_t i = 0; i < ns; i++)
                std::memcpy(&sample[i * dim], x + (i * step) * stride, dim * sizeof(float));
            ivf->train((faiss::Index::idx_t)ns, sample.data());
        }
        for (size_t i0 = 0; i0 < n; i0 += kBlock) {
            size_t rows = std::min(kBlock, n - i0);
            a->index->add((faiss::Index::idx_t)rows, packed(x, i0, rows, dim, stride, buf));
        }
        return a.release();
    } catch (const std::bad_alloc &) {
        say(msg, msg_size, "approximate neighbour index", "out of memory");
    } catch (const std::exception &ex) {
        say(msg, msg_size, "approximate neighbour index (FAISS)", ex.what());
    }
    return nullptr;
}

extern "C" void ann_faiss_free(ann_faiss *a)
{
    delete a;
}

extern "C" int ann_faiss_search(const ann_faiss *a, const float *q, size_t m, size_t stride, size_t k, uint32_t *ind,
                                float *d2, int threads, char *msg, size_t msg_size)
{
    try {
        thread_limit limit(threads, false);
        if (a->p.kind == ANN_FAISS_HNSW) {
            auto *h = static_cast<faiss::IndexHNSW *>(a->index.get());
            h->hnsw.efSearch = std::max(a->p.hnsw_ef_search, (int)k);
        }
        std::vector<float> buf;
        std::vector<faiss::Index::idx_t> labels;
        for (size_t i0 = 0; i0 < m; i0 += kBlock) {
            size_t rows = std::min(kBlock, m - i0);
            labels.resize(rows * k);
            a->index->search((faiss::Index::idx_t)rows, packed(q, i0, rows, a->dim, stride, buf),
                             (faiss::Index::idx_t)k, d2 + i0 * k, labels.data());
            for (size_t j = 0; j < rows * k; j++)
                ind[i0 * k + j] = labels[j] < 0 ? UINT32_MAX : (uint32_t)labels[j];
        }
        return 0;
    } catch (const std::bad_alloc &) {
        say(msg, msg_size, "approximate neighbour search", "out of memory");
    } catch (const std::exception &ex) {
        say(msg, msg_size, "approximate neighbour search (FAISS)", ex.what());
    }
    return -1;
}

extern "C" void ann_faiss_describe(const ann_faiss *a, char *out, size_t out_size)
{
    if (a->p.kind == ANN_FAISS_HNSW)
        std::snprintf(out, out_size, "faiss HNSW%d efC %d efS %d", a->p.hnsw_m, a->p.hnsw_ef_construction,
                      a->p.hnsw_ef_search);
    else
        std::snprintf(out, out_size, "faiss IVF%zu,Flat nprobe %zu", a->p.ivf_nlist, a->p.ivf_nprobe);
}

extern "C" size_t ann_faiss_bytes(const ann_faiss *a)
{
    size_t vectors = a->n * a->dim * sizeof(float);
    if (a->p.kind == ANN_FAISS_HNSW) {
        auto *h = static_cast<const faiss::IndexHNSW *>(a->index.get());
        return vectors + h->hnsw.neighbors.size() * sizeof(faiss::HNSW::storage_idx_t) +
               h->hnsw.levels.size() * sizeof(int) + h->hnsw.offsets.size() * sizeof(size_t);
    }
    return vectors + a->n * sizeof(faiss::Index::idx_t) + a->p.ivf_nlist * a->dim * sizeof(float);
}
