#include "dns/dns_history.h"

#include <gtest/gtest.h>

namespace failwatch {
namespace {

using std::chrono::seconds;

const WallTime kT0 = WallTime(seconds(1'700'000'000));

DnsAnswerRecord Ok(int at_s, AddressSet a) {
  return DnsAnswerRecord{kT0 + seconds(at_s), std::move(a), ""};
}
DnsAnswerRecord Fail(int at_s, std::string code = "ETIMEOUT") {
  return DnsAnswerRecord{kT0 + seconds(at_s), std::nullopt, std::move(code)};
}

TEST(DiffAnswersTest, AddedAndRemoved) {
  auto d = DiffAnswers({"10.0.0.1", "10.0.0.2"}, {"10.0.0.2", "10.0.0.3"});
  EXPECT_EQ(d.added, (AddressSet{"10.0.0.3"}));
  EXPECT_EQ(d.removed, (AddressSet{"10.0.0.1"}));
  EXPECT_TRUE(d.changed());
}

TEST(DiffAnswersTest, SameSetIsNoChange) {
  auto d = DiffAnswers({"10.0.0.1", "::1"}, {"::1", "10.0.0.1"});
  EXPECT_TRUE(d.added.empty());
  EXPECT_TRUE(d.removed.empty());
  EXPECT_FALSE(d.changed());
}

TEST(DiffAnswersTest, FromEmpty) {
  auto d = DiffAnswers({}, {"10.0.0.1"});
  EXPECT_EQ(d.added, (AddressSet{"10.0.0.1"}));
  EXPECT_TRUE(d.removed.empty());
}

TEST(SummarizeFlapsTest, SingleCleanMoveIsNotAFlap) {
  std::vector<DnsAnswerRecord> h = {Ok(0, {"A"}), Ok(1, {"A"}), Ok(2, {"B"}),
                                    Ok(3, {"B"}), Ok(4, {"B"})};
  auto s = SummarizeFlaps(h, kT0 + seconds(4), seconds(60));
  EXPECT_EQ(s.changes, 1);
  EXPECT_FALSE(s.reappeared);
  EXPECT_FALSE(s.flapping());
  EXPECT_EQ(s.distinct_answers, 2);
  EXPECT_EQ(s.first_change, kT0 + seconds(2));
  EXPECT_EQ(s.last_change, kT0 + seconds(2));
}

TEST(SummarizeFlapsTest, OldAnswerComingBackIsAFlap) {
  std::vector<DnsAnswerRecord> h = {Ok(0, {"A"}), Ok(1, {"B"}), Ok(2, {"A"}),
                                    Ok(3, {"B"})};
  auto s = SummarizeFlaps(h, kT0 + seconds(3), seconds(60));
  EXPECT_EQ(s.changes, 3);
  EXPECT_TRUE(s.reappeared);
  EXPECT_TRUE(s.flapping());
  EXPECT_EQ(s.distinct_answers, 2);
  EXPECT_EQ(s.first_change, kT0 + seconds(1));
  EXPECT_EQ(s.last_change, kT0 + seconds(3));
}

TEST(SummarizeFlapsTest, RolloutThroughNewAddressesIsNotAFlap) {
  std::vector<DnsAnswerRecord> h = {Ok(0, {"A"}), Ok(1, {"B"}), Ok(2, {"C"})};
  auto s = SummarizeFlaps(h, kT0 + seconds(2), seconds(60));
  EXPECT_EQ(s.changes, 2);
  EXPECT_FALSE(s.flapping());
  EXPECT_EQ(s.distinct_answers, 3);
}

TEST(SummarizeFlapsTest, FlapOutsideWindowIsIgnored) {
  // A -> B -> A long ago, then stable.
  std::vector<DnsAnswerRecord> h = {Ok(0, {"A"}), Ok(1, {"B"}), Ok(2, {"A"}),
                                    Ok(100, {"A"}), Ok(101, {"A"})};
  auto s = SummarizeFlaps(h, kT0 + seconds(101), seconds(30));
  EXPECT_EQ(s.changes, 0);
  EXPECT_FALSE(s.flapping());
  EXPECT_EQ(s.distinct_answers, 1);
}

TEST(SummarizeFlapsTest, AnswerInForceBeforeWindowIsTheBaseline) {
  // A was seen before the window; inside it the answer moved to B and back
  // to A: both moves and the re-appearance count.
  std::vector<DnsAnswerRecord> h = {Ok(0, {"A"}), Ok(50, {"B"}), Ok(55, {"A"})};
  auto s = SummarizeFlaps(h, kT0 + seconds(60), seconds(30));
  EXPECT_EQ(s.changes, 2);
  EXPECT_TRUE(s.reappeared);
  EXPECT_EQ(s.distinct_answers, 2);
}

TEST(SummarizeFlapsTest, MoveRightAfterWindowOpensCountsAgainstOlderAnswer) {
  std::vector<DnsAnswerRecord> h = {Ok(0, {"A"}), Ok(40, {"B"})};
  auto s = SummarizeFlaps(h, kT0 + seconds(60), seconds(30));
  EXPECT_EQ(s.changes, 1);
  EXPECT_FALSE(s.flapping());
}

TEST(SummarizeFlapsTest, FailuresNeitherChangeNorBreakAnswers) {
  std::vector<DnsAnswerRecord> h = {Ok(0, {"A"}), Fail(1), Fail(2, "ENOTFOUND"),
                                    Ok(3, {"A"})};
  auto s = SummarizeFlaps(h, kT0 + seconds(3), seconds(60));
  EXPECT_EQ(s.changes, 0);
  EXPECT_EQ(s.failures, 2);
  EXPECT_FALSE(s.flapping());
  EXPECT_EQ(s.distinct_answers, 1);
}

TEST(SummarizeFlapsTest, PartialOverlapFlap) {
  // Both addresses, then the old one alone again: the {A} set re-appears.
  std::vector<DnsAnswerRecord> h = {Ok(0, {"A"}), Ok(1, {"A", "B"}),
                                    Ok(2, {"A"})};
  auto s = SummarizeFlaps(h, kT0 + seconds(2), seconds(60));
  EXPECT_EQ(s.changes, 2);
  EXPECT_TRUE(s.flapping());
}

TEST(SummarizeFlapsTest, EmptyHistory) {
  auto s = SummarizeFlaps({}, kT0, seconds(60));
  EXPECT_EQ(s.changes, 0);
  EXPECT_EQ(s.failures, 0);
  EXPECT_EQ(s.distinct_answers, 0);
  EXPECT_FALSE(s.flapping());
}

TEST(SummarizeFlapsTest, RecordsAfterNowAreIgnored) {
  std::vector<DnsAnswerRecord> h = {Ok(0, {"A"}), Ok(1, {"B"}), Ok(2, {"A"})};
  auto s = SummarizeFlaps(h, kT0 + seconds(1), seconds(60));
  EXPECT_EQ(s.changes, 1);
  EXPECT_FALSE(s.flapping());
}

}  // namespace
}  // namespace failwatch
