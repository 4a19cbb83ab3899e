#include "core/text_format.h"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>

namespace failwatch {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

constexpr double kInf = std::numeric_limits<double>::infinity();

std::string Serialized(const std::vector<MetricFamily>& families) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

MetricFamily GaugeOf(double value) {
  MetricFamily f{"g", "Help.", MetricType::Gauge, {}};
  ClientMetric m;
  m.gauge.value = value;
  f.metric.push_back(m);
  return f;
}

class SampleValueTest : public ::testing::TestWithParam<double> {};

TEST_P(SampleValueTest, WritesWhatTextSerializerWrites) {
  const MetricFamily f = GaugeOf(GetParam());
  EXPECT_EQ(FamiliesText({f}), Serialized({f}));
}

INSTANTIATE_TEST_SUITE_P(
    TrickyDoubles, SampleValueTest,
    ::testing::Values(0.0, -0.0, 1.0, -1.0, 0.1, 0.125, 1.0 / 3, 2.0 / 3, 1e-7,
                      2.5e-5, 1700000100.25, 123456789012.5, 999999999999999.0,
                      1e15, -1e15, 1e15 + 1, 9007199254740993.0, 1e16, 1e17,
                      1e21, 1.5e300, 12345678901234567890.0,
                      std::numeric_limits<double>::max(),
                      std::numeric_limits<double>::lowest(),
                      std::numeric_limits<double>::min(),
                      std::numeric_limits<double>::denorm_min(),
                      std::numeric_limits<double>::epsilon(), kInf, -kInf,
                      std::numeric_limits<double>::quiet_NaN(), -std::nan(""),
                      0.30000000000000004, 100.0, 4294967296.0,
                      -9.223372036854776e18, 5e-324, 0.5, 1e-5, 1e-4,
                      123456.789e3));

// Doubles from every corner of the range, bit patterns included.
TEST(SampleValueFuzzTest, RandomDoublesMatchTextSerializer) {
  std::mt19937_64 rng(20240611);
  std::vector<MetricFamily> families;
  MetricFamily f{"fuzz", "", MetricType::Untyped, {}};
  for (int i = 0; i < 20000; ++i) {
    double v;
    const std::uint64_t bits = rng();
    switch (i % 4) {
      case 0:
        std::memcpy(&v, &bits, sizeof(v));
        break;
      case 1:  // integers, some beyond 2^53
        v = static_cast<double>(static_cast<std::int64_t>(bits) >> (bits % 60));
        break;
      case 2:  // short decimals, as durations and ratios are
        v = static_cast<double>(bits % 100000) / 1000.0;
        break;
      default:
        v = std::ldexp(static_cast<double>(bits >> 11),
                       -static_cast<int>(bits % 80));
        break;
    }
    ClientMetric m;
    m.untyped.value = v;
    f.metric.push_back(m);
  }
  families.push_back(f);
  EXPECT_EQ(FamiliesText(families), Serialized(families));
}

struct FamilyCase {
  const char* name;
  MetricFamily family;
  friend void PrintTo(const FamilyCase& c, std::ostream* os) { *os << c.name; }
};

ClientMetric WithLabels(std::vector<ClientMetric::Label> labels) {
  ClientMetric m;
  m.label = std::move(labels);
  return m;
}

std::vector<FamilyCase> FamilyCases() {
  std::vector<FamilyCase> cases;
  {
    MetricFamily f{"escaped_labels",
                   "Label values with \" and backslashes.",
                   MetricType::Gauge,
                   {}};
    ClientMetric m = WithLabels({{"path", "C:\\dir\\"},
                                 {"quote", "say \"hi\""},
                                 {"nl", "two\nlines"},
                                 {"tab", "a\tb"},
                                 {"utf8", "café ✓"},
                                 {"empty", ""}});
    m.gauge.value = 1;
    f.metric.push_back(m);
    cases.push_back({"EscapedLabels", f});
  }
  {
    MetricFamily f{"requests_total", "A counter.", MetricType::Counter, {}};
    ClientMetric a = WithLabels({{"code", "200"}});
    a.counter.value = 1027;
    ClientMetric b = WithLabels({{"code", "500"}});
    b.counter.value = 3;
    b.timestamp_ms = 1395066363000;
    ClientMetric c;
    c.counter.value = 0.5;
    c.timestamp_ms = -1;
    f.metric = {a, b, c};
    cases.push_back({"CounterWithTimestamps", f});
  }
  {
    MetricFamily f{
        "latency_seconds", "A histogram.", MetricType::Histogram, {}};
    ClientMetric a = WithLabels({{"handler", "/metrics"}});
    a.histogram.sample_count = 144320;
    a.histogram.sample_sum = 53423.25;
    a.histogram.bucket = {{24054, 0.05},
                          {33444, 0.1},
                          {100392, 0.5},
                          {129389, 1},
                          {144320, kInf}};
    ClientMetric b;  // no +Inf bucket: the serializer adds one
    b.histogram.sample_count = 7;
    b.histogram.sample_sum = 0.1;
    b.histogram.bucket = {{2, 0.005}, {5, 2.5e-5}};
    b.timestamp_ms = 42;
    ClientMetric c;  // no buckets at all
    c.histogram.sample_count = 1;
    f.metric = {a, b, c};
    cases.push_back({"Histograms", f});
  }
  {
    MetricFamily f{"rpc_seconds", "A summary.", MetricType::Summary, {}};
    ClientMetric a = WithLabels({{"service", "a"}});
    a.summary.sample_count = 2693;
    a.summary.sample_sum = 1.7560473e+07;
    a.summary.quantile = {
        {0.01, 3102}, {0.5, 4773}, {0.99, 76656}, {1.0 / 3, std::nan("")}};
    f.metric = {a};
    cases.push_back({"Summary", f});
  }
  {
    MetricFamily f{"no_help_untyped", "", MetricType::Untyped, {}};
    ClientMetric m;
    m.untyped.value = -kInf;
    f.metric = {m};
    cases.push_back({"NoHelpUntyped", f});
  }
  cases.push_back(
      {"NoSamples",
       MetricFamily{"empty", "Documented only.", MetricType::Gauge, {}}});
  return cases;
}

class FamilyTextTest : public ::testing::TestWithParam<FamilyCase> {};

TEST_P(FamilyTextTest, WritesWhatTextSerializerWrites) {
  const MetricFamily& f = GetParam().family;
  EXPECT_EQ(FamiliesText({f}), Serialized({f}));
  std::string split;
  AppendFamilyHeader(split, f);
  AppendFamilySamples(split, f);
  EXPECT_EQ(split, Serialized({f}));
}

INSTANTIATE_TEST_SUITE_P(Families, FamilyTextTest,
                         ::testing::ValuesIn(FamilyCases()),
                         [](const auto& test) { return test.param.name; });

TEST(FamilyHeaderTest, SeparatesHeaderFromSamples) {
  MetricFamily f{"up", "Target reachable.", MetricType::Gauge, {}};
  ClientMetric m = WithLabels({{"target", "orders"}});
  m.gauge.value = 1;
  f.metric = {m};
  std::string header, samples;
  AppendFamilyHeader(header, f);
  AppendFamilySamples(samples, f);
  EXPECT_EQ(header, "# HELP up Target reachable.\n# TYPE up gauge\n");
  EXPECT_EQ(samples, "up{target=\"orders\"} 1\n");
}

// The one intended difference: TextSerializer writes HELP raw, so a
// newline in it would break the exposition; the format escapes \ and
// newline (a quote stays literal in HELP).
TEST(FamilyHeaderTest, EscapesHelpAsTheFormatRequires) {
  MetricFamily f{"x", "a \\ b \"c\"\nd", MetricType::Gauge, {}};
  std::string header;
  AppendFamilyHeader(header, f);
  EXPECT_EQ(header, "# HELP x a \\\\ b \"c\"\\nd\n# TYPE x gauge\n");
}

}  // namespace
}  // namespace failwatch

namespace failwatch {
namespace {

// A label value from a broker may hold any bytes; the exposition must stay
// valid UTF-8 (issue 14 row 4).
TEST(TextFormatUtf8Test, InvalidLabelBytesBecomeReplacementCharacters) {
  MetricFamily f{"g", "Help.", prometheus::MetricType::Gauge, {}};
  ClientMetric m;
  m.label.push_back({"group", std::string("a\xff\xfe" "b\0c\"\n", 8)});
  m.gauge.value = 1;
  f.metric.push_back(m);
  EXPECT_EQ(FamiliesText({f}),
            "# HELP g Help.\n# TYPE g gauge\n"
            "g{group=\"a\xEF\xBF\xBD\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\\\"\\n\"} 1\n");
}

TEST(TextFormatUtf8Test, ValidMultibyteIsKept) {
  MetricFamily f{"g", "Help.", prometheus::MetricType::Gauge, {}};
  ClientMetric m;
  m.label.push_back({"group", "gr\xC3\xBCn-\xF0\x9F\x98\x80"});
  f.metric.push_back(m);
  EXPECT_EQ(FamiliesText({f}), Serialized({f}));
}

TEST(TextFormatUtf8Test, TruncatedAndOverlongSequencesAreReplaced) {
  for (const std::string& bad : {std::string("\xC3"), std::string("\xE2\x82"),
                                std::string("\xC0\xAF"),
                                std::string("\xED\xA0\x80"),
                                std::string("\xF4\x90\x80\x80")}) {
    MetricFamily f{"g", "", prometheus::MetricType::Gauge, {}};
    ClientMetric m;
    m.label.push_back({"l", bad});
    f.metric.push_back(m);
    std::string text = FamiliesText({f});
    EXPECT_NE(text.find("\xEF\xBF\xBD"), std::string::npos) << text;
    EXPECT_EQ(text.find(bad), std::string::npos);
  }
}

}  // namespace
}  // namespace failwatch
