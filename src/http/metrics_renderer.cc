#include "http/metrics_renderer.h"

#include <spdlog/spdlog.h>

#include "http/proc_metrics.h"

namespace failwatch::http {

std::string MetricsRenderer::Render() {
  auto snapshot = app_.CurrentSnapshot();
  auto fresh_families = DaemonFamilies(app_, clock_.Steady());
  auto process = ReadProcessFamilies();
  fresh_families.insert(fresh_families.end(),
                        std::make_move_iterator(process.begin()),
                        std::make_move_iterator(process.end()));
  auto fresh = SerializeFamilies(MergeFamilies(std::move(fresh_families)));

  if (snapshot == nullptr) return JoinByName({}, fresh);
  std::shared_ptr<const std::vector<FamilyText>> cached;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Keyed on the publish time too: a store recreated by a reload starts its
    // versions again.
    if (!cached_ || cached_version_ != snapshot->version ||
        cached_published_at_ != snapshot->published_at) {
      std::vector<std::string> conflicts;
      cached_text_ = std::make_shared<const std::vector<FamilyText>>(
          SerializeFamilies(SnapshotFamilies(*snapshot, &conflicts)));
      cached_version_ = snapshot->version;
      cached_published_at_ = snapshot->published_at;
      cached_ = true;
      ++serializations_;
      for (const auto& name : conflicts) {
        spdlog::warn(
            "msg=\"metric family with conflicting types across targets, "
            "dropped\" family={} snapshot_version={}",
            name, snapshot->version);
      }
    }
    cached = cached_text_;
  }
  return JoinByName(*cached, fresh);
}

std::uint64_t MetricsRenderer::serializations() const {
  std::lock_guard<std::mutex> lock(mu_);
  return serializations_;
}

}  // namespace failwatch::http
