// Time sources behind an interface so tests and evaluators can use a fake
// clock. Wall time is for timestamps users see; steady time is for deadlines.
#pragma once

#include <atomic>
#include <chrono>

namespace failwatch {

using SteadyTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;
using Millis = std::chrono::milliseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual SteadyTime Steady() const = 0;
  virtual WallTime Wall() const = 0;
};

class SystemClock final : public Clock {
 public:
  SteadyTime Steady() const override {
    return std::chrono::steady_clock::now();
  }
  WallTime Wall() const override { return std::chrono::system_clock::now(); }
  static const SystemClock& Get() {
    static const SystemClock clock;
    return clock;
  }
};

// Manually advanced clock for tests; both time lines move together.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(
      WallTime wall_start = WallTime(std::chrono::seconds(1'700'000'000)))
      : wall_start_(wall_start) {}
  SteadyTime Steady() const override {
    return SteadyTime(Millis(offset_ms_.load()));
  }
  WallTime Wall() const override {
    return wall_start_ + Millis(offset_ms_.load());
  }
  void Advance(Millis d) { offset_ms_ += d.count(); }

 private:
  WallTime wall_start_;
  std::atomic<long long> offset_ms_{0};
};

inline double ToUnixSeconds(WallTime t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

inline double ToSeconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace failwatch
