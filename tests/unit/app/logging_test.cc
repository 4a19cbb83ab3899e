#include "app/logging.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace failwatch {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

TEST(ParseLogfmtTest, KeyValuesAndQuotes) {
  EXPECT_EQ(ParseLogfmt(R"(msg="sample failed" collector=dns target=orders)"),
            (Pairs{{"msg", "sample failed"},
                   {"collector", "dns"},
                   {"target", "orders"}}));
  EXPECT_EQ(ParseLogfmt(R"(error="a \"quoted\" word")"),
            (Pairs{{"error", "a \"quoted\" word"}}));
}

TEST(ParseLogfmtTest, FreeTextBecomesMsg) {
  EXPECT_EQ(ParseLogfmt("listening on port 9 port=9"),
            (Pairs{{"msg", "listening on port 9"}, {"port", "9"}}));
  EXPECT_EQ(ParseLogfmt(""), Pairs{});
}

TEST(FormatJsonLogLineTest, ProducesOneObject) {
  auto line = FormatJsonLogLine("2026-01-01T00:00:00.000Z", "info",
                                R"(msg="x y" n=3)");
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["ts"], "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(j["level"], "info");
  EXPECT_EQ(j["msg"], "x y");
  EXPECT_EQ(j["n"], "3");
}

TEST(ConfigureLoggingTest, RejectsUnknownValues) {
  EXPECT_FALSE(ConfigureLogging("verbose", "logfmt").ok());
  EXPECT_FALSE(ConfigureLogging("info", "xml").ok());
  EXPECT_TRUE(ConfigureLogging("info", "json").ok());
  EXPECT_TRUE(ConfigureLogging("debug", "logfmt").ok());
}

}  // namespace
}  // namespace failwatch
