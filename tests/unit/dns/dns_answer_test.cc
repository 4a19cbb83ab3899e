#include "dns/dns_answer.h"

#include <gtest/gtest.h>

namespace failwatch {
namespace {

Result<DnsAnswer> Ans(AddressSet a, std::uint32_t ttl) {
  return DnsAnswer{std::move(a), ttl};
}
Result<DnsAnswer> Err(const char* code) {
  return MakeError(ErrorKind::kNotFound, code, "x");
}

TEST(CanonicalIpLiteralTest, Literals) {
  EXPECT_EQ(CanonicalIpLiteral("127.0.0.2"), "127.0.0.2");
  EXPECT_EQ(CanonicalIpLiteral("::1"), "::1");
  EXPECT_EQ(CanonicalIpLiteral("0:0:0:0:0:0:0:1"), "::1");
  EXPECT_EQ(CanonicalIpLiteral("FD00::0001"), "fd00::1");
}

TEST(CanonicalIpLiteralTest, NamesAreNotLiterals) {
  EXPECT_EQ(CanonicalIpLiteral("db.lab.test"), std::nullopt);
  EXPECT_EQ(CanonicalIpLiteral("localhost"), std::nullopt);
  EXPECT_EQ(CanonicalIpLiteral("127.0.0"), std::nullopt);
  EXPECT_EQ(CanonicalIpLiteral(""), std::nullopt);
}

TEST(CombineFamiliesTest, BothFamiliesUnionAndMinTtl) {
  auto r = CombineFamilies(Ans({"10.0.0.1"}, 30), Ans({"fd00::1"}, 5));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->addresses, (AddressSet{"10.0.0.1", "fd00::1"}));
  EXPECT_EQ(r->ttl_seconds, 5u);
}

TEST(CombineFamiliesTest, OneFamilyWithNoDataIsSuccess) {
  auto a_only = CombineFamilies(Ans({"10.0.0.1"}, 7), Err("ENODATA"));
  ASSERT_TRUE(a_only.ok());
  EXPECT_EQ(a_only->addresses, (AddressSet{"10.0.0.1"}));
  EXPECT_EQ(a_only->ttl_seconds, 7u);
  auto aaaa_only = CombineFamilies(Err("ENODATA"), Ans({"::1"}, 3));
  ASSERT_TRUE(aaaa_only.ok());
  EXPECT_EQ(aaaa_only->addresses, (AddressSet{"::1"}));
}

TEST(CombineFamiliesTest, OtherFamilyTimingOutIsAFailure) {
  auto r = CombineFamilies(Ans({"10.0.0.1"}, 7), Err("ETIMEOUT"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "ETIMEOUT");
}

TEST(CombineFamiliesTest, BothFailedPicksMostTellingError) {
  EXPECT_EQ(CombineFamilies(Err("ENOTFOUND"), Err("ENOTFOUND")).error().code,
            "ENOTFOUND");
  EXPECT_EQ(CombineFamilies(Err("ENODATA"), Err("ENOTFOUND")).error().code,
            "ENOTFOUND");
  EXPECT_EQ(CombineFamilies(Err("ENODATA"), Err("ENODATA")).error().code,
            "ENODATA");
  EXPECT_EQ(CombineFamilies(Err("ENOTFOUND"), Err("ESERVFAIL")).error().code,
            "ESERVFAIL");
  EXPECT_EQ(CombineFamilies(Err("ETIMEOUT"), Err("ENODATA")).error().code,
            "ETIMEOUT");
}

}  // namespace
}  // namespace failwatch
