#include "http/listen_address.h"

#include <gtest/gtest.h>

namespace failwatch::http {
namespace {

std::string Ports(const std::string& address, bool ipv6 = false,
                  bool tls = false) {
  auto r = ToCivetwebPorts(address, ipv6, tls);
  return r.ok() ? *r : "error: " + r.error().message;
}

TEST(ListenAddressTest, TranslatesToCivetwebSyntax) {
  EXPECT_EQ(Ports("127.0.0.1:9187"), "127.0.0.1:9187");
  EXPECT_EQ(Ports(":9187"), "9187");
  EXPECT_EQ(Ports("0.0.0.0:0"), "0.0.0.0:0");
  EXPECT_EQ(Ports("localhost:80"), "127.0.0.1:80");
  EXPECT_EQ(Ports("127.0.0.1:9187", false, true), "127.0.0.1:9187s");
  EXPECT_EQ(Ports("[::]:9187", true), "[::]:9187");
}

TEST(ListenAddressTest, RejectsWhatCivetwebCannotBind) {
  EXPECT_EQ(Ports("[::]:9187", false).rfind("error: ", 0), 0u);
  EXPECT_NE(Ports("[::]:9187", false).find("IPv6"), std::string::npos);
  EXPECT_EQ(Ports("127.0.0.1").rfind("error: ", 0), 0u);
  EXPECT_EQ(Ports("127.0.0.1:65536").rfind("error: ", 0), 0u);
  EXPECT_EQ(Ports("127.0.0.1:http").rfind("error: ", 0), 0u);
  EXPECT_EQ(Ports("db.example.com:80").rfind("error: ", 0), 0u);
  EXPECT_EQ(Ports("::1:80").rfind("error: ", 0), 0u);
  EXPECT_EQ(Ports("[nope]:80", true).rfind("error: ", 0), 0u);
}

}  // namespace
}  // namespace failwatch::http
