// Batch gathering (see batcher.h).
#include "batcher.h"

#include "augment.h"

#include <ATen/Parallel.h>

#include <cstring>
#include <type_traits>

namespace enough {

Batcher::Batcher(const DataView& d_, int64_t cap_, bool channelsLast_, torch::Device dev_, double yMean_, double yStd_)
    : d(d_), channelsLast(channelsLast_ && d_.xKind == XKind::Image), dev(dev_), yMean(yMean_), yStd(yStd_), cap(cap_) {
  std::vector<int64_t> shape{cap};
  shape.insert(shape.end(), d.xShape.begin(), d.xShape.end());
  // Page-locked host buffers when batches go to the GPU: the copy is a direct DMA instead of a staged one.
  auto host = torch::TensorOptions().pinned_memory(dev.is_cuda());
  if (d.xKind == XKind::Tokens) {
    x = torch::empty(shape, host.dtype(torch::kLong));
  } else if (channelsLast) {
    x = torch::empty(shape, host.dtype(torch::kFloat).memory_format(at::MemoryFormat::ChannelsLast));
  } else {
    x = torch::empty(shape, host.dtype(torch::kFloat));
  }
  if (d.cat) cat = torch::empty({cap, (int64_t)d.catCardinalities.size()}, host.dtype(torch::kLong));
  y = torch::empty({cap}, host.dtype(d.classification ? torch::kLong : torch::kFloat));
}

void Batcher::fill(const int64_t* rows, int64_t b, torch::Tensor& xo, torch::Tensor& co, torch::Tensor& yo, bool withY) {
  const int64_t R = d.rowSize;
  // Rows are independent: convert them on the intra-op threads (inference chunks are 1,024 rows of up to
  // c*h*w pixels each; for training batches this is small next to the model but costs nothing).
  auto rowsRange = [&](auto&& body) { at::parallel_for(0, b, 16, [&](int64_t lo, int64_t hi) { for (int64_t i = lo; i < hi; i++) body(i); }); };
  if (d.xKind == XKind::Tokens) {
    int64_t* o = x.data_ptr<int64_t>();
    rowsRange([&](int64_t i) {
      const int32_t* s = d.xi + rows[i] * R;
      for (int64_t k = 0; k < R; k++) o[i * R + k] = s[k];
    });
  } else if (d.xKind == XKind::Image && d.xu8) {
    float* o = x.data_ptr<float>();
    const int64_t C = d.xShape[0], HW = d.xShape[1] * d.xShape[2];
    const bool nhwc = channelsLast;
    rowsRange([&](int64_t i) {
      const uint8_t* s = d.xu8 + rows[i] * R;
      float* oi = o + i * R;
      for (int64_t c = 0; c < C; c++) {
        const float sc = d.imageScale[c], sh = d.imageShift[c];
        const uint8_t* in = s + c * HW;
        if (nhwc) {
          for (int64_t p = 0; p < HW; p++) oi[p * C + c] = in[p] * sc + sh;
        } else {
          float* oc = oi + c * HW;
          for (int64_t p = 0; p < HW; p++) oc[p] = in[p] * sc + sh;
        }
      }
    });
  } else {
    float* o = x.data_ptr<float>();
    const bool nhwc = channelsLast;
    const int64_t C = nhwc ? d.xShape[0] : 1, HW = nhwc ? d.xShape[1] * d.xShape[2] : 1;
    rowsRange([&](int64_t i) {
      const float* s = d.xf + rows[i] * R;
      if (!nhwc) {
        std::memcpy(o + i * R, s, sizeof(float) * R);
      } else {
        for (int64_t c = 0; c < C; c++)
          for (int64_t p = 0; p < HW; p++) o[i * R + p * C + c] = s[c * HW + p];
      }
    });
  }
  if (aug) aug->rows(x, rows, b);
  if (d.cat) {
    const int64_t K = (int64_t)d.catCardinalities.size();
    int64_t* o = cat.data_ptr<int64_t>();
    for (int64_t i = 0; i < b; i++)
      for (int64_t k = 0; k < K; k++) o[i * K + k] = d.cat[rows[i] * K + k];
  }
  if (withY) {
    if (d.classification) {
      int64_t* o = y.data_ptr<int64_t>();
      for (int64_t i = 0; i < b; i++) o[i] = d.yi[rows[i]];
    } else {
      float* o = y.data_ptr<float>();
      for (int64_t i = 0; i < b; i++) o[i] = (float)((d.yf[rows[i]] - yMean) / yStd);
    }
  }
  xo = x.narrow(0, 0, b);
  co = d.cat ? cat.narrow(0, 0, b) : torch::Tensor();
  yo = y.narrow(0, 0, b);
  if (aug && withY && aug->mixes()) aug->mix(xo, yo, y2, lam);
  if (dev.is_cuda()) {
    if (y2.defined()) y2 = y2.to(dev);
    xo = xo.to(dev);
    if (co.defined()) co = co.to(dev);
    yo = yo.to(dev);
  }
}

int64_t ResidentRows::bytes(const DataView& d, const Rows& rows) {
  int64_t perRow = d.rowSize * (d.xu8 ? 1 : 4) + (int64_t)d.catCardinalities.size() * 4 + 8;
  return rows.count * perRow;
}

ResidentRows::ResidentRows(const DataView& d, const Rows& rows, bool channelsLast_, torch::Device dev, double yMean, double yStd)
    : channelsLast(channelsLast_ && d.xKind == XKind::Image), u8(d.xKind == XKind::Image && d.xu8) {
  const int64_t R = d.rowSize, n = rows.count;
  std::vector<int64_t> shape{n};
  shape.insert(shape.end(), d.xShape.begin(), d.xShape.end());
  auto gather = [&](auto* src, torch::ScalarType t, int64_t width) {
    auto h = torch::empty({n, width}, torch::TensorOptions().dtype(t).pinned_memory(true));
    using T = std::remove_const_t<std::remove_pointer_t<decltype(src)>>;
    T* o = static_cast<T*>(h.data_ptr());
    at::parallel_for(0, n, 64, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; i++) std::memcpy(o + i * width, src + rows.at(i) * width, sizeof(T) * width);
    });
    return h.to(dev);
  };
  if (d.xKind == XKind::Tokens) x = gather(d.xi, torch::kInt, R).view(shape);
  else if (u8) x = gather(d.xu8, torch::kByte, R).view(shape);
  else x = gather(d.xf, torch::kFloat, R).view(shape);
  if (u8) {
    const int64_t C = d.xShape[0];
    scale = torch::tensor(d.imageScale).view({1, C, 1, 1}).to(dev);
    shift = torch::tensor(d.imageShift).view({1, C, 1, 1}).to(dev);
  }
  if (d.cat) cat = gather(d.cat, torch::kInt, (int64_t)d.catCardinalities.size());
  if (d.classification) {
    y = gather(d.yi, torch::kInt, 1).view({n}).to(torch::kLong);
  } else {
    y = ((gather(d.yf, torch::kFloat, 1).view({n}) - yMean) / yStd).to(torch::kFloat);
  }
}

void ResidentRows::batch(const torch::Tensor& idx, torch::Tensor& xo, torch::Tensor& co, torch::Tensor& yo) const {
  xo = x.index_select(0, idx);
  if (u8) xo = xo.to(torch::kFloat) * scale + shift;
  else if (xo.scalar_type() == torch::kInt) xo = xo.to(torch::kLong);
  if (channelsLast) xo = xo.contiguous(at::MemoryFormat::ChannelsLast);
  co = cat.defined() ? cat.index_select(0, idx).to(torch::kLong) : torch::Tensor();
  yo = y.index_select(0, idx);
}

}  // namespace enough
