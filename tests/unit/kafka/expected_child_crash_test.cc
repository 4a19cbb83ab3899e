#include "expected_child_crash.h"

#include <gtest/gtest.h>

namespace failwatch::testing {
namespace {

TEST(ExpectedCrashOptionsTest, RedirectsTheLastLogPath) {
  struct Case {
    std::string in;
    std::optional<std::string> out;
  };
  const Case cases[] = {
      {"", std::nullopt},
      {"halt_on_error=1:detect_leaks=1", std::nullopt},
      {"log_path=/l/asan", "log_path=/l/expected-asan"},
      {"halt_on_error=1:log_path=/b/logs/asan:detect_leaks=1",
       "halt_on_error=1:log_path=/b/logs/expected-asan:detect_leaks=1"},
      {"log_path=asan", "log_path=expected-asan"},
      // The sanitizers take the last one, so that one is changed.
      {"log_path=/a/x:log_path=/b/y", "log_path=/a/x:log_path=/b/expected-y"},
      {"halt_on_error=1 log_path=/l/u",
       "halt_on_error=1 log_path=/l/expected-u"},
      // Not a log_path option, only a name ending like one.
      {"my_log_path=/l/asan", std::nullopt},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ExpectedCrashOptions(c.in), c.out) << c.in;
  }
}

}  // namespace
}  // namespace failwatch::testing
