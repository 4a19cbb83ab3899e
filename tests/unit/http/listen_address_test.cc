#include "http/listen_address.h"

#include <gtest/gtest.h>

namespace failwatch::http {
namespace {

std::string Parsed(const std::string& address) {
  auto r = ParseListenAddress(address);
  if (!r.ok()) return "error: " + r.error().message;
  return (r->host.empty() ? "*" : r->host) + " " + std::to_string(r->port);
}

TEST(ListenAddressTest, ParsesTheExporterToolkitForms) {
  EXPECT_EQ(Parsed("127.0.0.1:9187"), "127.0.0.1 9187");
  EXPECT_EQ(Parsed(":9187"), "* 9187");
  EXPECT_EQ(Parsed("0.0.0.0:0"), "0.0.0.0 0");
  EXPECT_EQ(Parsed("localhost:80"), "127.0.0.1 80");
  EXPECT_EQ(Parsed("[::]:9187"), ":: 9187");
  EXPECT_EQ(Parsed("[::1]:1"), "::1 1");
}

TEST(ListenAddressTest, RejectsWhatCannotBeBound) {
  for (const char* bad : {"127.0.0.1", "127.0.0.1:65536", "127.0.0.1:http",
                          "db.example.com:80", "::1:80", "[nope]:80", "[::1:80",
                          ""}) {
    EXPECT_EQ(Parsed(bad).rfind("error: ", 0), 0u) << bad;
  }
  EXPECT_NE(Parsed("::1:80").find("brackets"), std::string::npos);
}

}  // namespace
}  // namespace failwatch::http
