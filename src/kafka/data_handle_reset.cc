#include "kafka/data_handle_reset.h"

#include <algorithm>

namespace failwatch {

bool DataHandleResetPolicy::OnFailure(SteadyTime now, Millis base) {
  ++failures_;
  if (failures_ < after_failures_) return false;
  if (not_before_ && now < *not_before_) return false;
  failures_ = 0;
  ++resets_;
  // base × 2^resets, without overflowing: stop doubling at the cap.
  Millis next = std::max(base, Millis(1));
  for (int i = 0; i < resets_ && next < max_; ++i) next *= 2;
  backoff_ = std::min(next, max_);
  not_before_ = now + backoff_;
  return true;
}

void DataHandleResetPolicy::OnSuccess() {
  failures_ = 0;
  resets_ = 0;
  backoff_ = Millis(0);
  not_before_.reset();
}

}  // namespace failwatch
