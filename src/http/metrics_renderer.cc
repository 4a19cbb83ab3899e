#include "http/metrics_renderer.h"

#include <spdlog/spdlog.h>

#include "core/text_format.h"
#include "http/exposition.h"
#include "http/proc_metrics.h"

namespace failwatch::http {
namespace {

std::set<std::string> FreshFamilyNames(const SiteSource& app, SteadyTime now) {
  std::set<std::string> names;
  for (const auto& f : DaemonFamilies(app, now)) names.insert(f.name);
  // With the optional parts present, so every name is known even when
  // /proc could not be read at this moment.
  ProcessMetrics all;
  all.open_fds = 0;
  all.max_fds = 0;
  for (const auto& f : ProcessFamilies(all)) names.insert(f.name);
  return names;
}

}  // namespace

MetricsRenderer::MetricsRenderer(const SiteSource& app, const Clock& clock)
    : app_(app),
      clock_(clock),
      reserved_(FreshFamilyNames(app, clock.Steady())) {}

std::string MetricsRenderer::FreshText() const {
  auto families = DaemonFamilies(app_, clock_.Steady());
  auto process = ReadProcessFamilies();
  families.insert(families.end(), std::make_move_iterator(process.begin()),
                  std::make_move_iterator(process.end()));
  return FamiliesText(MergeFamilies(std::move(families)));
}

std::shared_ptr<const CollectorPart> MetricsRenderer::CurrentCollectorPart() {
  auto snapshot = app_.CurrentSnapshot();
  if (snapshot == nullptr) return nullptr;
  std::lock_guard<std::mutex> lock(mu_);
  // Keyed on the publish time too: a store recreated by a reload starts its
  // versions again.
  if (!cached_ || cached_version_ != snapshot->version ||
      cached_published_at_ != snapshot->published_at) {
    std::vector<std::string> conflicts;
    cached_part_ = std::make_shared<const CollectorPart>(
        BuildCollectorPart(*snapshot, reserved_, &conflicts));
    cached_version_ = snapshot->version;
    cached_published_at_ = snapshot->published_at;
    cached_ = true;
    ++serializations_;
    for (const auto& name : conflicts) {
      spdlog::warn(
          "metric family with conflicting types across targets, "
          "dropped family={} snapshot_version={}",
          name, snapshot->version);
    }
  }
  return cached_part_;
}

Result<std::string> MetricsRenderer::Render() {
  std::string fresh = FreshText();
  auto part = CurrentCollectorPart();
  if (part == nullptr) return fresh;
  return part->run.Plain(fresh);
}

Result<std::string> MetricsRenderer::RenderGzip() {
  const std::string fresh = FreshText();
  auto part = CurrentCollectorPart();
  if (part == nullptr) return SegmentRun().Gzip(fresh);
  if (!part->compressed) {
    return MakeError(ErrorKind::kInternal, "zlib",
                     "a target's families were not compressed");
  }
  return part->run.Gzip(fresh);
}

std::uint64_t MetricsRenderer::serializations() const {
  std::lock_guard<std::mutex> lock(mu_);
  return serializations_;
}

}  // namespace failwatch::http
