#include "core/scheduler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "core/snapshot.h"

namespace failwatch {
namespace {

using namespace std::chrono_literals;

// Blocks every Sample() until Open(), counting how many run at once and
// which thread made each call.
class GatedCollector final : public Collector {
 public:
  const std::string& kind() const override { return kind_; }
  const std::string& target() const override { return target_; }

  SampleOutput Sample(const SampleContext&) override {
    std::unique_lock<std::mutex> lock(mu_);
    max_active_ = std::max(max_active_, ++active_);
    calls_++;
    if (first_caller_ == std::thread::id{}) {
      first_caller_ = std::this_thread::get_id();
    }
    calls_by_thread_[std::this_thread::get_id()]++;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
    --active_;
    return {};
  }

  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  // Condition wait with a generous cap so a regression fails, not hangs.
  bool WaitForCalls(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, 10s, [&] { return calls_ >= n; });
  }
  int max_active() {
    std::lock_guard<std::mutex> lock(mu_);
    return max_active_;
  }
  int calls_from_first_caller() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_by_thread_[first_caller_];
  }

 private:
  const std::string kind_ = "fake";
  const std::string target_ = "gated";
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  int active_ = 0;
  int max_active_ = 0;
  int calls_ = 0;
  std::thread::id first_caller_;
  std::map<std::thread::id, int> calls_by_thread_;
};

// Polls the published state until `done` holds (or 10 s pass).
bool WaitForState(const SnapshotStore& store,
                  const std::function<bool(const TargetState&)>& done) {
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < until) {
    auto snap = store.Current();
    auto it = snap->targets.find(TargetKey{"fake", "gated"});
    if (it != snap->targets.end() && done(it->second)) return true;
    std::this_thread::sleep_for(1ms);
  }
  return false;
}

// A reload that keeps the target while its worker is stuck in Sample():
// the stuck worker is detached and a new worker gets the same collector.
class StuckReloadTest : public ::testing::Test {
 protected:
  void StartAndReloadWhileStuck() {
    scheduler_.Start({target_});
    ASSERT_TRUE(collector_->WaitForCalls(1));
    scheduler_.Stop(0ms);
    scheduler_.Start({target_});
  }

  SnapshotStore store_;
  Scheduler scheduler_{store_, SystemClock::Get()};
  std::shared_ptr<GatedCollector> collector_ =
      std::make_shared<GatedCollector>();
  const ScheduledTarget target_{collector_, Schedule{50ms, 40ms}};
};

TEST_F(StuckReloadTest, NeverSamplesTheCollectorConcurrently) {
  ASSERT_NO_FATAL_FAILURE(StartAndReloadWhileStuck());
  // The new worker's ticks are skipped while the old call is inside, and
  // the supervisor still abandons the old call.
  const bool skipped = WaitForState(store_, [&](const TargetState& s) {
    return (s.skipped_total >= 1 && s.deadline_exceeded_total >= 1) ||
           collector_->max_active() > 1;
  });
  collector_->Open();
  // The new worker samples normally once the old call returned.
  const bool resumed = collector_->WaitForCalls(4);
  scheduler_.Stop();

  EXPECT_TRUE(skipped);
  EXPECT_TRUE(resumed);
  EXPECT_EQ(collector_->max_active(), 1);
  // The detached worker exits when its call returns: it never samples again.
  EXPECT_EQ(collector_->calls_from_first_caller(), 1);
}

TEST_F(StuckReloadTest, SkippedTickIsCountedAndTheLateResultDiscarded) {
  ASSERT_NO_FATAL_FAILURE(StartAndReloadWhileStuck());
  const bool abandoned = WaitForState(store_, [](const TargetState& s) {
    return s.deadline_exceeded_total >= 1 && s.skipped_total >= 1;
  });
  collector_->Open();
  const bool resumed = WaitForState(store_, [](const TargetState& s) {
    return s.samples_total >= 2 && !s.error;
  });
  scheduler_.Stop();

  ASSERT_TRUE(abandoned);
  EXPECT_TRUE(resumed);
  const TargetState& s =
      store_.Current()->targets.at(TargetKey{"fake", "gated"});
  EXPECT_EQ(s.deadline_exceeded_total, 1u);
  EXPECT_GE(s.skipped_total, 1u);
}

}  // namespace
}  // namespace failwatch
