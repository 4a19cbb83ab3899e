#include "kafka/data_handle_reset.h"

#include <gtest/gtest.h>

#include <vector>

namespace failwatch {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const SteadyTime kT0 = SteadyTime(seconds(1000));

// One sample: at t ms after kT0, failed or good; whether the handle is
// reset, and the backoff after it.
struct Step {
  int at_ms;
  bool failed;
  bool reset;
  int backoff_ms;
};

void RunSteps(const std::vector<Step>& steps, Millis base = milliseconds(100),
              Millis max = seconds(60)) {
  DataHandleResetPolicy p(3, max);
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const Step& s = steps[i];
    bool reset = false;
    if (s.failed) {
      reset = p.OnFailure(kT0 + milliseconds(s.at_ms), base);
    } else {
      p.OnSuccess();
    }
    EXPECT_EQ(reset, s.reset) << "step " << i << " at " << s.at_ms << " ms";
    EXPECT_EQ(p.backoff(), milliseconds(s.backoff_ms))
        << "step " << i << " at " << s.at_ms << " ms";
  }
}

TEST(DataHandleResetPolicyTest, ThirdFailureResetsThenBacksOff) {
  RunSteps({
      {0, true, false, 0},
      {100, true, false, 0},
      {200, true, true, 200},  // reset; not again before 400 ms
      {300, true, false, 200},
      {400, true, false, 200},
      {500, true, true, 400},  // 3 failures and past 400 ms: 2nd reset
      {600, true, false, 400},
      {700, true, false, 400},
      {800, true, false, 400},  // 3 failures, but not before 900 ms
      {900, true, true, 800},
  });
}

TEST(DataHandleResetPolicyTest, GoodSampleEndsTheBackoff) {
  RunSteps({
      {0, true, false, 0},
      {100, true, false, 0},
      {200, true, true, 200},
      {300, false, false, 0},  // a good sample: counts and backoff cleared
      {400, true, false, 0},
      {500, true, false, 0},
      {600, true, true, 200},  // as the first reset again
  });
}

TEST(DataHandleResetPolicyTest, SuccessBetweenFailuresRestartsTheCount) {
  RunSteps({
      {0, true, false, 0},
      {100, true, false, 0},
      {200, false, false, 0},
      {300, true, false, 0},
      {400, true, false, 0},
      {500, true, true, 200},
  });
}

TEST(DataHandleResetPolicyTest, BackoffDoublesUpToTheCap) {
  // Failing every 100 ms for 10 minutes: the gaps between resets double
  // from 200 ms and stop at the 60 s cap.
  DataHandleResetPolicy p(3, seconds(60));
  std::vector<int> gaps_ms;
  int last = -1;
  for (int t = 0; t <= 600'000; t += 100) {
    if (p.OnFailure(kT0 + milliseconds(t), milliseconds(100))) {
      if (last >= 0) gaps_ms.push_back(t - last);
      last = t;
    }
  }
  // The first reset at 200 ms (third failure), then each one 3 failures
  // and base x 2^n after the previous.
  const std::vector<int> want = {300,   400,   800,   1600,  3200,  6400,
                                 12800, 25600, 51200, 60000, 60000, 60000,
                                 60000, 60000, 60000, 60000, 60000};
  ASSERT_GE(gaps_ms.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(gaps_ms[i], want[i]) << "gap " << i;
  }
  EXPECT_EQ(p.backoff(), seconds(60));
  // 3 resets a second would have been 6 000 in 10 minutes.
  EXPECT_LT(gaps_ms.size() + 1, 25u);
}

TEST(DataHandleResetPolicyTest, NoOverflowWithAHugeBaseOrManyResets) {
  // A base over the cap is the cap; thousands of resets never wrap.
  RunSteps({{0, true, false, 0}, {1, true, false, 0}, {2, true, true, 60000}},
           seconds(3600));
  DataHandleResetPolicy p(1, seconds(60));
  for (int i = 0; i < 5000; ++i) {
    p.OnFailure(kT0 + seconds(61) * i, milliseconds(100));
  }
  EXPECT_EQ(p.backoff(), seconds(60));
  // A zero budget (deadline already past) still backs off.
  DataHandleResetPolicy z(1, seconds(60));
  EXPECT_TRUE(z.OnFailure(kT0, milliseconds(0)));
  EXPECT_EQ(z.backoff(), milliseconds(2));
}

}  // namespace
}  // namespace failwatch
