// Consumer status per partition and per group, Burrow's vocabulary, judged
// from failwatch's own samples (not from commit arrivals, which OffsetFetch
// cannot see). Pure functions: the rules are documented in
// docs/reference/kafka.md and exercised with synthetic histories.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace failwatch {

// Ordered by severity: a group's status is its worst partition's.
enum class ConsumerStatus : int {
  kOk = 0,
  kWarn = 1,
  kStall = 2,
  kStop = 3,
  kRewind = 4,
  kErr = 5,
};

inline constexpr ConsumerStatus kAllConsumerStatuses[] = {
    ConsumerStatus::kOk,   ConsumerStatus::kWarn,   ConsumerStatus::kStall,
    ConsumerStatus::kStop, ConsumerStatus::kRewind, ConsumerStatus::kErr};

std::string_view ConsumerStatusName(ConsumerStatus s);  // "OK", "WARN", ...
ConsumerStatus WorstStatus(ConsumerStatus a, ConsumerStatus b);

// One observation of a group's position on a partition.
struct StatusPoint {
  WallTime at{};
  std::optional<std::int64_t> committed;  // nullopt = no commit
  std::int64_t high = 0;                  // end offset
  std::int64_t lag = 0;
};

struct StatusInputs {
  WallTime now{};
  Millis window{};
  // Oldest first; the last one is the current sample.
  std::vector<StatusPoint> points;
  // This sample could not read the partition's offsets.
  bool unreadable = false;
  // When the committed offset last went backwards, if ever.
  std::optional<WallTime> last_rewind;
  // nullopt = unknown (the broker cannot describe groups).
  std::optional<bool> group_has_members;
};

ConsumerStatus EvaluatePartitionStatus(const StatusInputs& in);

// A bounded, downsampled history of StatusPoints for one group/partition:
// at most one point per window/points, plus the current sample, so the
// window is covered with a fixed number of points at any sample rate.
class StatusHistory {
 public:
  StatusHistory(Millis window, std::size_t points);

  // Records the current sample. Returns true when the committed offset went
  // backwards compared with the previous sample.
  bool Record(const StatusPoint& p);
  // Stored points from the one at or before now - window (if any) up to
  // and including the current sample.
  std::vector<StatusPoint> WindowPoints(WallTime now) const;
  std::optional<WallTime> last_rewind() const;
  // Heap bytes held for stored points (what a history costs at scale).
  std::size_t capacity_bytes() const { return bytes_.capacity(); }

 private:
  // One of these per group/partition, so at 100 000 group-partitions every
  // byte of a stored point costs ~2.3 MB (23 stored points). Neighbouring
  // points differ little (a spacing apart, a few thousand messages), so
  // each point is stored as varints of its differences from the previous
  // one: history_memory_bench's status histories went from 50.0 MB (500 B
  // each, 16-byte points) to 23.2 MB (232 B each: ~4 bytes a point, 112 B
  // of heap for the stream, the rest this 120-byte object). The
  // deltas wrap modulo 2^64, so any int64 value (hostile offsets, a
  // recreated partition's end offset jumping down) round-trips exactly and
  // nothing has to switch to a wider layout; only the stored times are cut
  // to the millisecond. A point's bytes, oldest first:
  //   - except for the oldest (base_ns_, base_high_ are its values): the
  //     milliseconds after the previous point beyond the spacing (stored
  //     points are at least that far apart, so this is often 0), and the
  //     zigzagged change of the end offset;
  //   - the commit and lag: usually lag == high - committed >= 0, stored as
  //     that distance << 1 (low bit 0); otherwise (no commit, a commit past
  //     the end, a lag that says otherwise) a header (has_commit << 1 | 1),
  //     the lag, and with a commit the zigzagged high - committed.
  // Those last bytes do not depend on the previous point, so dropping the
  // oldest point only moves the base and erases the bytes before them.
  struct Point {
    std::int64_t at_ns = 0;
    std::int64_t high = 0;
    std::int64_t committed = 0;  // when has_commit
    std::int64_t lag = 0;
    bool has_commit = false;
    static Point From(const StatusPoint& p);
    StatusPoint Unpack() const;
  };
  // A position in bytes_ and the last point decoded before it.
  struct Cursor {
    std::size_t pos = 0;
    std::size_t index = 0;  // of the next point
    Point point;
  };
  std::uint64_t spacing_ms() const;
  std::size_t capacity() const { return std::size_t{points_} + 3; }
  // Decodes the next point's time and end offset, then its commit and lag.
  void NextPosition(Cursor& c) const;
  void NextCommitAndLag(Cursor& c) const;
  void Next(Cursor& c) const;
  void Grow(std::size_t more);
  void Store(const Point& p);
  void DropOldest();
  Point current() const;

  Millis window_;
  std::uint32_t points_;
  std::uint32_t stored_ = 0;    // points in bytes_
  std::int64_t base_ns_ = 0;    // the oldest stored point's time
  std::int64_t base_high_ = 0;  // and its end offset
  std::int64_t last_ns_ = 0;    // the newest stored point's (cut) time
  std::int64_t last_high_ = 0;  // and its end offset
  // Oldest first, at most points_ + 3 points (the oldest is dropped before
  // storing another).
  std::vector<std::uint8_t> bytes_;
  // The current sample, exact, when has_current_ (a Point's padding
  // would cost 8 bytes a history).
  std::int64_t current_ns_ = 0;
  std::int64_t current_high_ = 0;
  std::int64_t current_committed_ = 0;
  std::int64_t current_lag_ = 0;
  std::int64_t last_rewind_ns_ = 0;  // when has_rewind_
  bool has_current_ = false;
  bool current_has_commit_ = false;
  bool current_stored_ = false;  // the newest stored point is it
  bool has_rewind_ = false;
};

}  // namespace failwatch
