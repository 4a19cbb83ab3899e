#include "core/rendered_families.h"

#include <spdlog/spdlog.h>

#include "core/text_format.h"

namespace failwatch {

std::shared_ptr<const RenderedFamilies> RenderFamilies(
    const std::vector<prometheus::MetricFamily>& families) {
  auto out = std::make_shared<RenderedFamilies>();
  out->families.reserve(families.size());
  SegmentCompressor compressor;
  for (const auto& f : families) {
    RenderedFamily& r = out->families.emplace_back();
    r.name = f.name;
    r.type = f.type;
    std::string header;
    AppendFamilyHeader(header, f);
    std::string samples;
    AppendFamilySamples(samples, f);
    // Kept for a whole interval: give back the growth slack.
    samples.shrink_to_fit();
    out->compressed &= compressor.Compress(std::move(header), r.header);
    out->compressed &= compressor.Compress(std::move(samples), r.samples);
  }
  if (!out->compressed) {
    spdlog::warn(
        "compressing metric families failed, /metrics of this sample is "
        "served uncompressed");
  }
  return out;
}

}  // namespace failwatch
