#include "core/snapshot.h"

namespace failwatch {

const TargetState* Snapshot::Find(const std::string& kind,
                                  const std::string& target) const {
  auto it = targets.find(TargetKey{kind, target});
  return it == targets.end() ? nullptr : &it->second;
}

SnapshotStore::SnapshotStore() : current_(std::make_shared<Snapshot>()) {}

std::shared_ptr<const Snapshot> SnapshotStore::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

void SnapshotStore::Update(const std::function<void(Snapshot&)>& mutate) {
  std::lock_guard<std::mutex> lock(mu_);
  auto next = std::make_shared<Snapshot>(*current_);
  mutate(*next);
  next->version = current_->version + 1;
  next->published_at = std::chrono::system_clock::now();
  current_ = std::move(next);
}

}  // namespace failwatch
