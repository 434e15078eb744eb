// ann_faiss.cpp — FAISS HNSW / IVF-Flat behind the C interface of ann_faiss.h.
#include "cluster/ann_faiss.h"
#include "cluster/l2.h"

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

#include <sys/mman.h>

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
// 200 ns a pair of 128-d rows); an OpenBLAS sdot per pair after it was still
// two thirds of a 1M-face build in the call itself. The HNSW graph takes its
// distances from its storage's distance computer, so the storage here is
// FAISS's flat index with a computer whose distance is cluster/l2.h's kernel
// (AVX-512 / AVX2+FMA / portable, picked for the running CPU), one virtual
// call per pair.
struct fast_l2_distance final : faiss::DistanceComputer {
    const float *xb, *q = nullptr;
    size_t d;
    l2_fn l2;

    fast_l2_distance(const float *xb_, size_t d_) : xb(xb_), d(d_), l2(l2_kernel())
    {
    }

    void set_query(const float *x) override
    {
        q = x;
    }

    float operator()(idx_t i) override
    {
        return l2(q, xb + (size_t)i * d, d);
    }

    float symmetric_dis(idx_t i, idx_t j) override
    {
        return l2(xb + (size_t)i * d, xb + (size_t)j * d, d);
    }
};

struct fast_l2_storage : faiss::IndexFlatL2 {
    explicit fast_l2_storage(faiss::Index::idx_t d) : faiss::IndexFlatL2(d)
    {
    }

    faiss::DistanceComputer *get_distance_computer() const override
    {
        return new fast_l2_distance(get_xb(), (size_t)d);
    }
};

// The graph build reads rows and neighbour lists at random across the whole
// set (1M faces: 512 MB of rows, ~200 MB of lists), so with 4 KB pages
// nearly every distance also misses the TLB. Both vectors get their final
// capacity before the first add and, on a kernel whose transparent huge
// pages are "madvise" (Debian's default), are advised to be backed by 2 MB
// pages. Only a hint: where the kernel says no, nothing changes but speed.
template <class T> void reserve_huge(std::vector<T> &v, size_t count)
{
    v.reserve(count);
#ifdef MADV_HUGEPAGE
    const uintptr_t huge = (uintptr_t)2 << 20;
    uintptr_t lo = ((uintptr_t)v.data() + huge - 1) & ~(huge - 1);
    uintptr_t hi = ((uintptr_t)v.data() + count * sizeof(T)) & ~(huge - 1);
    if (hi > lo)
        madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#endif
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
            auto *h = new faiss::IndexHNSW(new fast_l2_storage((faiss::Index::idx_t)dim), p->hnsw_m);
            h->own_fields = true;
            a->index.reset(h);
            h->hnsw.efConstruction = p->hnsw_ef_construction;
            reserve_huge(static_cast<fast_l2_storage *>(h->storage)->codes, n * dim * sizeof(float));
            // level 0 holds 2M links a row, the levels above ~M/(M-1) more
            // on average: 2M + 4 a row is past what the random levels need
            reserve_huge(h->hnsw.neighbors, n * (2 * (size_t)p->hnsw_m + 4));
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
