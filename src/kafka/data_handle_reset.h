// When the Kafka collector recreates its data handle. A handle that failed
// `after_failures` samples in a row is replaced, but not again before a
// backoff that doubles with each reset since the last good sample
// (base × 2^n, capped): during a wedged broker at a 100 ms interval,
// resetting every third sample destroyed handles with requests still in
// flight every 300 ms, and librdkafka 2.0.2 aborted the process once in the
// soak (rd_kafka_enq_once_del_source_return). A good sample ends the
// backoff. Pure: the caller passes the time (ctx.clock).
#pragma once

#include <optional>

#include "core/clock.h"

namespace failwatch {

class DataHandleResetPolicy {
 public:
  // Resets after `after_failures` failed samples in a row; backoffs up to
  // `max`.
  DataHandleResetPolicy(int after_failures, Millis max)
      : after_failures_(after_failures), max_(max) {}

  // A sample failed at `now`; `base` is that sample's budget. True when the
  // handle is to be reset now.
  bool OnFailure(SteadyTime now, Millis base);
  void OnSuccess();

  // The backoff before the next reset may happen; 0 when none is pending.
  Millis backoff() const { return backoff_; }
  int consecutive_failures() const { return failures_; }

 private:
  int after_failures_;
  Millis max_;
  int failures_ = 0;
  int resets_ = 0;  // since the last good sample
  Millis backoff_{0};
  std::optional<SteadyTime> not_before_;
};

}  // namespace failwatch
