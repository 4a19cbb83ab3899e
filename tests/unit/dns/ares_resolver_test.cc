// The real c-ares resolver against an in-process DNS server on loopback.
#include "dns/ares_resolver.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fake_dns_server.h"

namespace failwatch {
namespace {

using std::chrono::milliseconds;
using testing::FakeDnsServer;

class AresResolverTest : public ::testing::Test {
 protected:
  std::unique_ptr<AresResolver> Make(std::vector<std::string> servers,
                                     Millis budget = Millis(500)) {
    auto r = AresResolver::Create(ResolverOptions{std::move(servers), budget});
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().ToString());
    return r.ok() ? std::move(r).value() : nullptr;
  }
  LookupResult ResolveOne(AresResolver& r, const std::string& host,
                          Millis timeout = Millis(500)) {
    auto out = r.Resolve({host}, clock_.Steady() + timeout, clock_);
    EXPECT_EQ(out.size(), 1u);
    return std::move(out.at(0));
  }

  const SystemClock& clock_ = SystemClock::Get();
  FakeDnsServer server_;
};

TEST_F(AresResolverTest, ReturnsAddressesOfBothFamiliesAndMinTtl) {
  server_.Set("db.lab.test", {.v4 = {"10.0.0.2", "10.0.0.1"},
                              .v6 = {"fd00::1"},
                              .ttl = 30,
                              .ttl_v6 = 7});
  auto r = Make({server_.address()});
  ASSERT_NE(r, nullptr);
  auto got = ResolveOne(*r, "db.lab.test");
  ASSERT_TRUE(got.answer.ok()) << got.answer.error().ToString();
  EXPECT_EQ(got.answer->addresses,
            (AddressSet{"10.0.0.1", "10.0.0.2", "fd00::1"}));
  EXPECT_EQ(got.answer->ttl_seconds, 7u);
  EXPECT_GT(got.duration.count(), 0);
  EXPECT_EQ(server_.queries(), 2);  // one A, one AAAA
}

TEST_F(AresResolverTest, OnlyOneFamilyIsFine) {
  server_.Set("v6.lab.test", {.v6 = {"fd00::5"}, .ttl = 3});
  server_.Set("v4.lab.test", {.v4 = {"10.0.0.5"}, .ttl = 4});
  auto r = Make({server_.address()});
  ASSERT_NE(r, nullptr);
  auto v6 = ResolveOne(*r, "v6.lab.test");
  ASSERT_TRUE(v6.answer.ok()) << v6.answer.error().ToString();
  EXPECT_EQ(v6.answer->addresses, (AddressSet{"fd00::5"}));
  EXPECT_EQ(v6.answer->ttl_seconds, 3u);
  auto v4 = ResolveOne(*r, "v4.lab.test");
  ASSERT_TRUE(v4.answer.ok()) << v4.answer.error().ToString();
  EXPECT_EQ(v4.answer->addresses, (AddressSet{"10.0.0.5"}));
}

TEST_F(AresResolverTest, NameWithoutAddressesIsENODATA) {
  server_.Set("empty.lab.test", {});
  auto r = Make({server_.address()});
  ASSERT_NE(r, nullptr);
  auto got = ResolveOne(*r, "empty.lab.test");
  ASSERT_FALSE(got.answer.ok());
  EXPECT_EQ(got.answer.error().code, "ENODATA");
}

TEST_F(AresResolverTest, NxdomainIsENOTFOUND) {
  auto r = Make({server_.address()});
  ASSERT_NE(r, nullptr);
  auto got = ResolveOne(*r, "missing.lab.test");
  ASSERT_FALSE(got.answer.ok());
  EXPECT_EQ(got.answer.error().code, "ENOTFOUND");
  EXPECT_EQ(got.answer.error().kind, ErrorKind::kNotFound);
}

TEST_F(AresResolverTest, ServfailIsESERVFAIL) {
  server_.Set("broken.lab.test", {.mode = FakeDnsServer::Mode::kServFail});
  auto r = Make({server_.address()});
  ASSERT_NE(r, nullptr);
  auto got = ResolveOne(*r, "broken.lab.test");
  ASSERT_FALSE(got.answer.ok());
  EXPECT_EQ(got.answer.error().code, "ESERVFAIL");
  EXPECT_EQ(got.answer.error().kind, ErrorKind::kRejected);
}

TEST_F(AresResolverTest, RefusedIsEREFUSED) {
  server_.Set("refused.lab.test", {.mode = FakeDnsServer::Mode::kRefused});
  auto r = Make({server_.address()});
  ASSERT_NE(r, nullptr);
  auto got = ResolveOne(*r, "refused.lab.test");
  ASSERT_FALSE(got.answer.ok());
  EXPECT_EQ(got.answer.error().code, "EREFUSED");
}

// With several servers a refusing one is skipped, as apps' resolvers do.
TEST_F(AresResolverTest, RefusingServerFailsOverToTheNext) {
  FakeDnsServer good;
  good.Set("db.lab.test", {.v4 = {"10.0.0.7"}});
  server_.Set("db.lab.test", {.mode = FakeDnsServer::Mode::kRefused});
  auto r = Make({server_.address(), good.address()});
  ASSERT_NE(r, nullptr);
  auto got = ResolveOne(*r, "db.lab.test");
  ASSERT_TRUE(got.answer.ok()) << got.answer.error().ToString();
  EXPECT_EQ(got.answer->addresses, (AddressSet{"10.0.0.7"}));
}

// c-ares gives up on its own: its retries were sized to fit the budget.
TEST_F(AresResolverTest, SilentServerTimesOutWithinBudget) {
  server_.Set("slow.lab.test", {.mode = FakeDnsServer::Mode::kDrop});
  auto r = Make({server_.address()}, Millis(300));
  ASSERT_NE(r, nullptr);
  const auto start = clock_.Steady();
  auto got = ResolveOne(*r, "slow.lab.test", Millis(300));
  const auto elapsed = clock_.Steady() - start;
  ASSERT_FALSE(got.answer.ok());
  EXPECT_EQ(got.answer.error().code, "ETIMEOUT");
  EXPECT_EQ(got.answer.error().kind, ErrorKind::kTimeout);
  EXPECT_LT(elapsed, milliseconds(300 + 500));
  // It retried: at least one A and one AAAA per try.
  EXPECT_GE(server_.queries(), 2 * AresResolver::kTries);
}

// The deadline is shorter than c-ares's own retries: we cancel.
TEST_F(AresResolverTest, DeadlineCancelsPendingQueries) {
  server_.Set("slow.lab.test", {.mode = FakeDnsServer::Mode::kDrop});
  auto r = Make({server_.address()}, Millis(10'000));
  ASSERT_NE(r, nullptr);
  const auto start = clock_.Steady();
  auto got = ResolveOne(*r, "slow.lab.test", Millis(200));
  const auto elapsed = clock_.Steady() - start;
  ASSERT_FALSE(got.answer.ok());
  EXPECT_EQ(got.answer.error().code, "ETIMEOUT");
  EXPECT_GE(elapsed, milliseconds(200));
  EXPECT_LT(elapsed, milliseconds(200 + 500));
  // The channel is still usable after a cancel.
  server_.Set("slow.lab.test", {.v4 = {"10.0.0.9"}});
  auto again = ResolveOne(*r, "slow.lab.test");
  ASSERT_TRUE(again.answer.ok()) << again.answer.error().ToString();
  EXPECT_EQ(again.answer->addresses, (AddressSet{"10.0.0.9"}));
}

TEST_F(AresResolverTest, HostsResolveConcurrently) {
  server_.Set("slow.lab.test", {.mode = FakeDnsServer::Mode::kDrop});
  server_.Set("db.lab.test", {.v4 = {"10.0.0.1"}});
  auto r = Make({server_.address()}, Millis(10'000));
  ASSERT_NE(r, nullptr);
  auto out = r->Resolve({"slow.lab.test", "db.lab.test"},
                        clock_.Steady() + Millis(300), clock_);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_FALSE(out[0].answer.ok());
  ASSERT_TRUE(out[1].answer.ok());
  EXPECT_EQ(out[1].answer->addresses, (AddressSet{"10.0.0.1"}));
  // The answered host's duration is its own, not the slow one's.
  EXPECT_LT(out[1].duration, milliseconds(250));
}

TEST_F(AresResolverTest, IpLiteralIsNotQueried) {
  auto r = Make({server_.address()});
  ASSERT_NE(r, nullptr);
  auto out =
      r->Resolve({"127.0.0.2", "::1"}, clock_.Steady() + Millis(500), clock_);
  ASSERT_EQ(out.size(), 2u);
  ASSERT_TRUE(out[0].answer.ok());
  EXPECT_EQ(out[0].answer->addresses, (AddressSet{"127.0.0.2"}));
  EXPECT_EQ(out[0].answer->ttl_seconds, 0u);
  ASSERT_TRUE(out[1].answer.ok());
  EXPECT_EQ(out[1].answer->addresses, (AddressSet{"::1"}));
  EXPECT_EQ(server_.queries(), 0);
}

TEST_F(AresResolverTest, ClosedPortIsECONNREFUSED) {
  // A port that was just free: nothing listens there.
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  auto r = Make({"127.0.0.1:" + std::to_string(ntohs(addr.sin_port))});
  ASSERT_NE(r, nullptr);
  auto got = ResolveOne(*r, "db.lab.test");
  ASSERT_FALSE(got.answer.ok());
  EXPECT_EQ(got.answer.error().code, "ECONNREFUSED");
  EXPECT_EQ(got.answer.error().kind, ErrorKind::kUnavailable);
}

TEST(AresResolverCreateTest, BadServerStringFails) {
  auto r =
      AresResolver::Create(ResolverOptions{{"not an address"}, Millis(500)});
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(r.error().code.empty());
}

TEST(AresResolverCreateTest, NoServersMeansResolvConf) {
  auto r = AresResolver::Create(ResolverOptions{{}, Millis(800)});
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_GE((*r)->server_count(), 1);
  EXPECT_FALSE((*r)->SystemConfigChanged());
}

TEST(AresResolverCreateTest, RetriesFitTheBudget) {
  auto one =
      AresResolver::Create(ResolverOptions{{"127.0.0.1:1"}, Millis(900)});
  ASSERT_TRUE(one.ok());
  // 2 tries, timeout doubling: t + 2t <= 90% of 900 ms.
  EXPECT_EQ((*one)->per_try_timeout_ms(), 270);
  auto two = AresResolver::Create(
      ResolverOptions{{"127.0.0.1:1", "[::1]:1"}, Millis(900)});
  ASSERT_TRUE(two.ok());
  EXPECT_EQ((*two)->server_count(), 2);
  EXPECT_EQ((*two)->per_try_timeout_ms(), 135);
}

}  // namespace
}  // namespace failwatch
