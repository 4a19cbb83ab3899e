// Renders /metrics as the collector part (every target's families and the
// framework families; changes only when a snapshot is published) followed
// by the fresh part (daemon and process metrics, cheap, rebuilt on every
// scrape).
//
// Why it stays fast at 200 000 series, cold or warm, plain or gzip: the
// expensive work, rendering the text (~130 ms) and deflating it (~200 ms),
// is done per target when it publishes (RenderFamilies, on the target's
// worker thread). A new snapshot version only re-merges pointers to those
// pieces and renders the small framework families (~1 ms); a scrape copies
// the pieces (plain: the text; gzip: the deflate pieces, ~20x smaller,
// spliced into one gzip member with the fresh part compressed per scrape).
// Building the merge eagerly at publish would gain nothing measurable, so it
// stays lazy, on the first scrape of a version.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "http/collector_part.h"
#include "http/site_source.h"

namespace failwatch::http {

class MetricsRenderer {
 public:
  MetricsRenderer(const SiteSource& app, const Clock& clock);

  // Both thread-safe; concurrent scrapes of a new snapshot merge it once.
  Result<std::string> Render();
  // One gzip member that decompresses to what Render() returns.
  Result<std::string> RenderGzip();

  // How many times the collector part was built (for tests).
  std::uint64_t serializations() const;

 private:
  std::shared_ptr<const CollectorPart> CurrentCollectorPart();
  std::string FreshText() const;

  const SiteSource& app_;
  const Clock& clock_;
  // Names of the fresh part's families, which a collector may not export.
  const std::set<std::string> reserved_;

  mutable std::mutex mu_;
  bool cached_ = false;
  std::uint64_t cached_version_ = 0;
  WallTime cached_published_at_{};
  std::shared_ptr<const CollectorPart> cached_part_;
  std::uint64_t serializations_ = 0;
};

}  // namespace failwatch::http
