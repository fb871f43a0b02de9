// Exact nearest neighbours by blockwise matrix products: the audit's duplicate, near-duplicate and outlier checks
// (and anyone else who needs exact kNN) call this instead of an n²·d JavaScript loop. Exact, not approximate: a
// missed neighbour is a missed duplicate. Products run in double precision, so that the distance of two nearly
// identical rows (||a||² + ||b||² - 2a·b) does not cancel to float32 noise. Query blocks run in parallel on the
// intra-op threads, each with single-threaded BLAS (OpenBLAS is pinned to one thread, see engine/native.ts).
#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "js.h"

namespace enough {
namespace {

struct KnnOut {
  int64_t k = 0;
  std::vector<int32_t> index;
  std::vector<float> score;
};

// Scores of every query row against every reference row: the dot product (cosine on unit rows), or minus the
// squared euclidean distance (larger is closer either way). For each query row, its k best reference rows, best
// first; ties go to the lower reference index (the order a plain scan finds them), and `self` rows are skipped
// (query i is reference i when the two sets are the same).
KnnOut nearest(const float* q, int64_t nq, const float* r, int64_t nr, int64_t d, int64_t k, bool euclidean, bool self) {
  KnnOut out;
  out.k = k;
  out.index.assign(nq * k, -1);
  out.score.assign(nq * k, -std::numeric_limits<float>::infinity());
  if (nq == 0 || nr == 0 || k == 0) return out;
  auto opt = torch::TensorOptions().dtype(torch::kFloat32);
  auto R = torch::from_blob(const_cast<float*>(r), {nr, d}, opt).to(torch::kFloat64);
  auto Q = self ? R : torch::from_blob(const_cast<float*>(q), {nq, d}, opt).to(torch::kFloat64);
  auto RT = R.t().contiguous();
  torch::Tensor rsq, qsq;
  if (euclidean) {
    rsq = R.pow(2).sum(1).contiguous();
    qsq = self ? rsq : Q.pow(2).sum(1).contiguous();
  }
  // a block's score matrix stays near 64 MB whatever the reference set's size
  const int64_t block = std::max<int64_t>(1, std::min<int64_t>(1024, (int64_t(1) << 23) / nr));
  const int64_t blocks = (nq + block - 1) / block;
  at::parallel_for(0, blocks, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; b++) {
      const int64_t lo = b * block, hi = std::min(nq, lo + block);
      auto S = torch::mm(Q.slice(0, lo, hi), RT).contiguous();
      const double* s = S.data_ptr<double>();
      const double* rs = euclidean ? rsq.data_ptr<double>() : nullptr;
      const double* qs = euclidean ? qsq.data_ptr<double>() : nullptr;
      std::vector<double> best(k);
      for (int64_t i = lo; i < hi; i++) {
        const double* row = s + (i - lo) * nr;
        int32_t* idx = out.index.data() + i * k;
        std::fill(best.begin(), best.end(), -std::numeric_limits<double>::infinity());
        for (int64_t j = 0; j < nr; j++) {
          if (self && j == i) continue;
          double v = row[j];
          if (euclidean) v = -std::max(0.0, qs[i] + rs[j] - 2 * v);
          if (v <= best[k - 1]) continue;
          int64_t p = k - 1;
          while (p > 0 && best[p - 1] < v) {
            best[p] = best[p - 1];
            idx[p] = idx[p - 1];
            p--;
          }
          best[p] = v;
          idx[p] = (int32_t)j;
        }
        for (int64_t t = 0; t < k; t++) out.score[i * k + t] = (float)best[t];
      }
    }
  });
  return out;
}

const float* floats(Napi::Env env, const Napi::Value& v, int64_t need, const char* name) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    jsFail(env, ErrorKind::Input, std::string(name) + " must be a Float32Array");
  auto a = v.As<Napi::Float32Array>();
  if ((int64_t)a.ElementLength() < need) jsFail(env, ErrorKind::Input, std::string(name) + " is shorter than rows x dims");
  return a.Data();
}

}  // namespace

// nearest({ x, n, d, k, metric, query?, nq?, threads }): the k nearest rows of `x` to each query row (each row of x
// itself, excluding itself, when no query is given). Resolves { k, index: Int32Array, score: Float32Array }.
Napi::Value Nearest(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  if (!info[0].IsObject()) jsFail(env, ErrorKind::Input, "nearest: expected an options object");
  auto o = info[0].As<Napi::Object>();
  const int64_t n = (int64_t)num(o, "n", -1), d = (int64_t)num(o, "d", -1), k = (int64_t)num(o, "k", -1);
  const std::string metric = str(o, "metric", "cosine");
  if (n < 0 || d <= 0 || k < 1) jsFail(env, ErrorKind::Input, "nearest: n, d and k must be set (n >= 0, d > 0, k >= 1)");
  if (metric != "cosine" && metric != "euclidean") jsFail(env, ErrorKind::Input, "nearest: metric must be cosine or euclidean");
  const bool self = !o.Has("query") || o.Get("query").IsUndefined() || o.Get("query").IsNull();
  const int64_t nq = self ? n : (int64_t)num(o, "nq", -1);
  if (nq < 0) jsFail(env, ErrorKind::Input, "nearest: nq must be set with query");
  const float* x = floats(env, o.Get("x"), n * d, "x");
  const float* q = self ? x : floats(env, o.Get("query"), nq * d, "query");
  // a row's own entry is not a neighbour: with n rows there are at most n - 1
  const int64_t kk = std::max<int64_t>(0, std::min<int64_t>(k, self ? n - 1 : n));
  const int threads = (int)num(o, "threads", 0);
  const bool euclidean = metric == "euclidean";
  auto res = std::make_shared<KnnOut>();
  auto w = new PromiseWorker(
      env,
      [=] {
        setThreads(threads);
        *res = nearest(q, nq, x, n, d, kk, euclidean, self);
      },
      [res, nq](Napi::Env env) -> Napi::Value {
        auto out = Napi::Object::New(env);
        auto index = Napi::Int32Array::New(env, res->index.size());
        std::copy(res->index.begin(), res->index.end(), index.Data());
        auto score = Napi::Float32Array::New(env, res->score.size());
        std::copy(res->score.begin(), res->score.end(), score.Data());
        out.Set("k", (double)res->k);
        out.Set("index", index);
        out.Set("score", score);
        return out;
      });
  w->keep.add(o);
  w->Queue();
  return w->Promise();
}

}  // namespace enough
