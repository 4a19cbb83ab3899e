// The canary's bookkeeping on a fake clock: each case is a script of
// events and the counters and partition verdicts it must end with.
#include "kafka/canary_tracker.h"

#include <gtest/gtest.h>

#include "kafka/canary_record.h"

namespace failwatch {
namespace {

using std::chrono::milliseconds;

struct Event {
  enum Kind { kSend, kAck, kAckFail, kReceive, kExpire, kAdvance } kind;
  std::uint64_t seq = 0;
  int partition = 0;
  long long ms = 0;  // latency for kAck, time step for kAdvance
};

struct Want {
  std::uint64_t produced, acked, produce_errors, received, lost, late,
      in_flight;
  // partition -> last verdict lost?
  std::map<int, bool> last_lost;
  std::uint64_t roundtrip_count;
};

struct Case {
  std::string name;
  std::vector<Event> events;
  Want want;
};

TEST(CanaryTrackerTest, Table) {
  using E = Event;
  const std::vector<Case> cases = {
      {"received within the sla",
       {{E::kSend, 1, 0}, {E::kAdvance, 0, 0, 5}, {E::kAck, 1, 0, 4},
        {E::kAdvance, 0, 0, 20}, {E::kReceive, 1}, {E::kExpire}},
       {1, 1, 0, 1, 0, 0, 0, {{0, false}}, 1}},
      {"not received within the sla is lost once",
       {{E::kSend, 1, 0}, {E::kAdvance, 0, 0, 10'001}, {E::kExpire},
        {E::kExpire}},
       {1, 0, 0, 0, 1, 0, 0, {{0, true}}, 0}},
      {"at exactly the sla still counts",
       {{E::kSend, 1, 0}, {E::kAdvance, 0, 0, 10'000}, {E::kExpire},
        {E::kReceive, 1}},
       {1, 0, 0, 1, 0, 0, 0, {{0, false}}, 1}},
      {"a receipt after the loss is late, not received",
       {{E::kSend, 1, 0}, {E::kAdvance, 0, 0, 11'000}, {E::kExpire},
        {E::kReceive, 1}, {E::kReceive, 1}},
       {1, 0, 0, 0, 1, 1, 0, {{0, true}}, 0}},
      {"a receipt over the sla before any expiry is lost and late",
       {{E::kSend, 1, 0}, {E::kAdvance, 0, 0, 12'000}, {E::kReceive, 1},
        {E::kExpire}},
       {1, 0, 0, 0, 1, 1, 0, {{0, true}}, 0}},
      {"strangers and duplicates are ignored",
       {{E::kSend, 1, 0}, {E::kReceive, 7}, {E::kReceive, 1},
        {E::kReceive, 1}, {E::kAck, 9, 0, 1}},
       {1, 0, 0, 1, 0, 0, 0, {{0, false}}, 1}},
      {"a failed ack is a produce error; the record is then lost",
       {{E::kSend, 1, 2}, {E::kAckFail, 1}, {E::kAdvance, 0, 0, 10'500},
        {E::kExpire}},
       {1, 0, 1, 0, 1, 0, 0, {{2, true}}, 0}},
      {"per partition: one broker down, the other fine",
       {{E::kSend, 1, 0}, {E::kSend, 2, 1}, {E::kReceive, 2},
        {E::kAdvance, 0, 0, 10'100}, {E::kExpire}, {E::kSend, 3, 0},
        {E::kSend, 4, 1}, {E::kReceive, 4}},
       {4, 0, 0, 2, 1, 0, 1, {{0, true}, {1, false}}, 2}},
      {"an older record lost after a newer arrived keeps the verdict",
       {{E::kSend, 1, 0}, {E::kAdvance, 0, 0, 5'000}, {E::kSend, 2, 0},
        {E::kReceive, 2}, {E::kAdvance, 0, 0, 5'100}, {E::kExpire}},
       {2, 0, 0, 1, 1, 0, 0, {{0, false}}, 1}},
      {"recovery: the newest record decides",
       {{E::kSend, 1, 0}, {E::kAdvance, 0, 0, 10'100}, {E::kExpire},
        {E::kSend, 2, 0}, {E::kReceive, 2}},
       {2, 0, 0, 1, 1, 0, 0, {{0, false}}, 1}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    FakeClock clock;
    CanaryTracker t(milliseconds(10'000));
    for (const Event& e : c.events) {
      switch (e.kind) {
        case E::kSend: t.Sent(e.seq, e.partition, clock.Steady()); break;
        case E::kAck: t.Acked(e.seq, e.ms / 1000.0); break;
        case E::kAckFail: t.Acked(e.seq, std::nullopt); break;
        case E::kReceive: t.Received(e.seq, clock.Steady()); break;
        case E::kExpire: t.Expire(clock.Steady()); break;
        case E::kAdvance: clock.Advance(milliseconds(e.ms)); break;
      }
    }
    const CanaryState s = t.State();
    EXPECT_EQ(s.produced_total, c.want.produced);
    EXPECT_EQ(s.acked_total, c.want.acked);
    EXPECT_EQ(s.produce_errors_total, c.want.produce_errors);
    EXPECT_EQ(s.received_total, c.want.received);
    EXPECT_EQ(s.lost_total, c.want.lost);
    EXPECT_EQ(s.late_total, c.want.late);
    EXPECT_EQ(s.in_flight, c.want.in_flight);
    EXPECT_EQ(s.roundtrip_latency.count, c.want.roundtrip_count);
    EXPECT_EQ(s.produce_latency.count, c.want.acked);
    std::map<int, bool> got;
    for (const auto& p : s.partitions) {
      if (p.last_lost) got[p.partition] = *p.last_lost;
    }
    EXPECT_EQ(got, c.want.last_lost);
  }
}

TEST(CanaryTrackerTest, RoundtripIsTheSteadyTimeFromSendToReceipt) {
  FakeClock clock;
  CanaryTracker t(milliseconds(10'000));
  t.Sent(1, 0, clock.Steady());
  clock.Advance(milliseconds(30));
  t.Received(1, clock.Steady());
  const CanaryState s = t.State();
  EXPECT_DOUBLE_EQ(s.roundtrip_latency.sum, 0.03);
  // 0.03 s falls in the (0.025, 0.05] bucket.
  EXPECT_EQ(s.roundtrip_latency.counts.at(5), 1u);
}

TEST(CanaryRecordTest, RoundTripsAndRejectsStrangers) {
  const CanaryRecord r{"r1a2", 42, 1'700'000'000'123, "pod a-0"};
  const std::string v = EncodeCanaryRecord(r);
  EXPECT_EQ(v, "failwatch-canary/1 r1a2 42 1700000000123 pod a-0");
  EXPECT_EQ(DecodeCanaryRecord(v), r);
  for (std::string_view bad :
       {"", "x", "failwatch-canary/1 ", "failwatch-canary/1 r 1 2",
        "failwatch-canary/1 r x 2 i", "failwatch-canary/1 r 1 2x i",
        "failwatch-canary/2 r 1 2 i", "failwatch-canary/1  1 2 i"}) {
    EXPECT_EQ(DecodeCanaryRecord(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(DecodeCanaryRecord(std::string(2000, 'a')), std::nullopt);
}

}  // namespace
}  // namespace failwatch
