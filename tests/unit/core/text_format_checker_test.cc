// The strict text-format checker the exposition fuzzer relies on
// (tests/fuzz/text_format_checker.h): it must accept what Prometheus
// accepts and reject what Prometheus refuses, or the fuzzer proves nothing.
#include "text_format_checker.h"

#include <gtest/gtest.h>

#include <string>

#include "core/metric_builder.h"
#include "core/text_format.h"

namespace failwatch {
namespace {

std::string Check(const std::string& text) {
  return fuzz::TextFormatChecker().Check(text);
}

TEST(TextFormatCheckerTest, AcceptsValidExpositions) {
  EXPECT_EQ(Check(""), "");
  EXPECT_EQ(Check("# HELP a x \\\\ \\n\n# TYPE a gauge\na{l=\"v\\\"\"} 1\n"),
            "");
  EXPECT_EQ(
      Check(
          "a{l=\"\xc3\xa9\xf0\x9f\x98\x80\"} 1 -17\nb Nan\nc -Inf\nd 1.5e-3\n"),
      "");
  EXPECT_EQ(Check("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n"
                  "h_sum 2\n"),
            "");
  EXPECT_EQ(
      Check("# TYPE s summary\ns{quantile=\"0.5\"} 1\ns_count 1\ns_sum 2\n"),
      "");
}

TEST(TextFormatCheckerTest, RejectsWhatPrometheusRefuses) {
  EXPECT_NE(Check("a 1"), "");                               // no final newline
  EXPECT_NE(Check("a{l=\"v\\x\"} 1\n"), "");                 // unknown escape
  EXPECT_NE(Check("a{l=\"v\",l=\"w\"} 1\n"), "");            // duplicate label
  EXPECT_NE(Check("a 1\nb 2\na 3\n"), "");                   // family split
  EXPECT_NE(Check("# TYPE h histogram\nh_bucket 1\n"), "");  // no le
  EXPECT_NE(Check("# TYPE h histogram\nh 1\n"), "");         // bare sample
  EXPECT_NE(Check("a{l=\"\xff\"} 1\n"), "");                 // invalid UTF-8
  EXPECT_NE(Check("a{l=\"\xed\xa0\x80\"} 1\n"), "");         // surrogate
  EXPECT_NE(Check(std::string("a{l=\"\0\"} 1\n", 11)), "");  // NUL
  EXPECT_NE(Check("a 1 x\n"), "");                           // bad timestamp
  EXPECT_NE(Check("a 1e\n"), "");                            // bad value
  EXPECT_NE(Check("# HELP a bad\\t\n"), "");                 // HELP escape
  EXPECT_NE(Check("# TYPE a gauge\n# TYPE a gauge\n"), "");
  EXPECT_NE(Check("a 1\n# TYPE a gauge\n"), "");  // TYPE after samples
  EXPECT_NE(Check("# TYPE a gauges\n"), "");      // unknown type
  EXPECT_NE(Check("1a 1\n"), "");                 // metric name
  EXPECT_NE(Check("a{1l=\"v\"} 1\n"), "");        // label name
}

// The writer's output for hostile label bytes passes (what the fuzzer
// checks on arbitrary input).
TEST(TextFormatCheckerTest, WriterOutputWithHostileLabelsPasses) {
  auto f =
      FamilyBuilder::Gauge("failwatch_kafka_group_lag", "Lag \\ of\na group.");
  f.Add({{"group", std::string("a\0b\xff\xfe\"\\\n", 9)}}, 1);
  std::vector<prometheus::MetricFamily> families;
  f.MoveTo(families);
  EXPECT_EQ(Check(FamiliesText(families)), "");
}

}  // namespace
}  // namespace failwatch
