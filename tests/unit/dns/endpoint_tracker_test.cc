#include "dns/endpoint_tracker.h"

#include <gtest/gtest.h>

namespace failwatch {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const WallTime kT0 = WallTime(seconds(1'700'000'000));

Result<DnsAnswer> Ans(AddressSet a, std::uint32_t ttl = 5) {
  return DnsAnswer{std::move(a), ttl};
}
Result<DnsAnswer> Err(const char* code) {
  return MakeError(ErrorKind::kNotFound, code, "lookup failed");
}

class EndpointTrackerTest : public ::testing::Test {
 protected:
  EndpointTracker t_{HostPort{"db.lab.test", 5432}, "writer"};
  int tick_ = 0;
  EndpointTracker::Outcome Feed(const Result<DnsAnswer>& r) {
    return t_.Record(r, kT0 + seconds(tick_++), milliseconds(3));
  }
};

TEST_F(EndpointTrackerTest, IdentityFromConfig) {
  EXPECT_EQ(t_.state().endpoint, "db.lab.test:5432");
  EXPECT_EQ(t_.state().host, "db.lab.test");
  EXPECT_EQ(t_.state().port, 5432);
  EXPECT_EQ(t_.state().role, "writer");
  EXPECT_FALSE(t_.has_run());
}

TEST_F(EndpointTrackerTest, FirstAnswerIsNotAChange) {
  auto o = Feed(Ans({"10.0.0.1"}, 9));
  EXPECT_FALSE(o.changed);
  EXPECT_TRUE(o.became_ok);
  EXPECT_EQ(t_.state().changes_total, 0u);
  EXPECT_EQ(t_.state().last_change, WallTime{});
  EXPECT_TRUE(t_.state().last_ok);
  EXPECT_EQ(t_.state().ttl_seconds, 9u);
  EXPECT_EQ(t_.state().last_success, kT0);
  EXPECT_EQ(t_.lookups_total(), 1u);
  EXPECT_DOUBLE_EQ(t_.last_duration_seconds(), 0.003);
}

TEST_F(EndpointTrackerTest, CountsChangesOfTheSuccessfulAnswer) {
  (void)Feed(Ans({"10.0.0.1"}));
  EXPECT_FALSE(Feed(Ans({"10.0.0.1"})).changed);
  auto o = Feed(Ans({"10.0.0.2"}));
  EXPECT_TRUE(o.changed);
  EXPECT_EQ(o.diff.added, (AddressSet{"10.0.0.2"}));
  EXPECT_EQ(o.diff.removed, (AddressSet{"10.0.0.1"}));
  EXPECT_EQ(t_.state().changes_total, 1u);
  EXPECT_EQ(t_.state().last_change, kT0 + seconds(2));
  (void)Feed(Ans({"10.0.0.1"}));
  EXPECT_EQ(t_.state().changes_total, 2u);
  EXPECT_EQ(t_.state().last_change, kT0 + seconds(3));
}

TEST_F(EndpointTrackerTest, FailureBetweenEqualAnswersIsNotAChange) {
  (void)Feed(Ans({"10.0.0.1"}));
  auto f = Feed(Err("ETIMEOUT"));
  EXPECT_TRUE(f.became_failed);
  EXPECT_FALSE(t_.state().last_ok);
  ASSERT_TRUE(t_.state().last_error.has_value());
  EXPECT_EQ(t_.state().last_error->code, "ETIMEOUT");
  // The last successful answer is kept for consumers.
  EXPECT_EQ(t_.state().addresses, (AddressSet{"10.0.0.1"}));
  auto o = Feed(Ans({"10.0.0.1"}));
  EXPECT_FALSE(o.changed);
  EXPECT_TRUE(o.became_ok);
  EXPECT_EQ(t_.state().changes_total, 0u);
  EXPECT_FALSE(t_.state().last_error.has_value());
}

TEST_F(EndpointTrackerTest, FailureBeforeFirstAnswerThenAnswerIsNotAChange) {
  (void)Feed(Err("ENOTFOUND"));
  EXPECT_FALSE(Feed(Ans({"10.0.0.1"})).changed);
  EXPECT_EQ(t_.state().changes_total, 0u);
}

TEST_F(EndpointTrackerTest, ErrorCountsByCode) {
  EXPECT_TRUE(Feed(Err("ETIMEOUT")).became_failed);
  EXPECT_FALSE(Feed(Err("ETIMEOUT")).became_failed);  // logged once
  EXPECT_TRUE(Feed(Err("ENOTFOUND")).became_failed);  // new code: logged
  (void)Feed(Ans({"10.0.0.1"}));
  std::map<std::string, std::uint64_t> want = {{"ENOTFOUND", 1},
                                               {"ETIMEOUT", 2}};
  EXPECT_EQ(t_.errors_total(), want);
  EXPECT_EQ(t_.lookups_total(), 4u);
}

TEST_F(EndpointTrackerTest, HistoryOneRecordPerLookup) {
  (void)Feed(Ans({"10.0.0.1"}));
  (void)Feed(Err("ESERVFAIL"));
  auto s = t_.Snapshot();
  ASSERT_EQ(s.history.size(), 2u);
  EXPECT_EQ(s.history[0].at, kT0);
  EXPECT_EQ(s.history[0].addresses, (AddressSet{"10.0.0.1"}));
  EXPECT_EQ(s.history[1].at, kT0 + seconds(1));
  EXPECT_FALSE(s.history[1].addresses.has_value());
  EXPECT_EQ(s.history[1].error_code, "ESERVFAIL");
}

TEST(EndpointTrackerRingTest, HistoryIsBounded) {
  EndpointTracker t(HostPort{"db.lab.test", 5432}, "writer", 3);
  for (int i = 0; i < 5; ++i) {
    (void)t.Record(Ans({"10.0.0." + std::to_string(i)}), kT0 + seconds(i),
                   milliseconds(1));
  }
  auto s = t.Snapshot();
  ASSERT_EQ(s.history.size(), 3u);
  EXPECT_EQ(s.history.front().at, kT0 + seconds(2));  // oldest kept
  EXPECT_EQ(s.history.back().at, kT0 + seconds(4));
  EXPECT_EQ(s.changes_total, 4u);  // counters outlive the ring
}

TEST(EndpointTrackerRingTest, DefaultCapacity) {
  EndpointTracker t(HostPort{"db.lab.test", 5432}, "writer");
  for (std::size_t i = 0; i < kDnsHistoryCapacity + 10; ++i) {
    (void)t.Record(Ans({"10.0.0.1"}), kT0 + seconds(static_cast<int>(i)),
                   milliseconds(1));
  }
  EXPECT_EQ(t.Snapshot().history.size(), kDnsHistoryCapacity);
}

}  // namespace
}  // namespace failwatch
