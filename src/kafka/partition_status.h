// Consumer status per partition and per group, Burrow's vocabulary, judged
// from failwatch's own samples (not from commit arrivals, which OffsetFetch
// cannot see). Pure functions: the rules are documented in
// docs/reference/kafka.md and exercised with synthetic histories.
#pragma once

#include <climits>
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
  std::size_t capacity_bytes() const {
    return words_.capacity() * sizeof(std::uint32_t);
  }
  // The values outgrew the 16-byte point (see Narrow).
  bool wide() const { return wide_; }

 private:
  // One of these per group/partition: at 100 000 group-partitions every
  // byte of a point is ~2.6 MB with the window full (26 stored points), so
  // a stored point is 16 bytes (milliseconds after the oldest point; the
  // end offset relative to the oldest one; the commit as its distance below
  // the end) instead of 32, and the vector grows to its bound on demand.
  // A history whose values outgrow 32 bits (a consumer 2^31 messages
  // behind, say) keeps its points wide from then on: nothing is dropped.
  struct Packed {
    static constexpr std::int64_t kNoCommit = INT64_MIN;
    std::int64_t at_ns = 0;
    std::int64_t committed = kNoCommit;
    std::int64_t high = 0;
    std::int64_t lag = 0;
    static Packed From(const StatusPoint& p);
    StatusPoint Unpack() const;
  };
  struct Narrow {
    static constexpr std::int32_t kNoCommit = INT32_MIN;
    std::uint32_t after_ms = 0;           // since base_ns_
    std::int32_t high = 0;                // minus base_high_
    std::int32_t below_high = kNoCommit;  // high - committed
    std::int32_t lag = 0;
  };
  static constexpr std::int64_t kNever = INT64_MIN;  // no current / rewind
  Millis spacing() const;
  std::size_t stride() const;  // words per stored point
  std::size_t stored_count() const { return words_.size() / stride(); }
  std::size_t capacity() const { return std::size_t{points_} + 3; }
  template <typename T>
  T Load(std::size_t i) const;  // the i-th stored point's words as a T
  template <typename T>
  void Save(std::size_t i, const T& t);
  Packed Stored(std::size_t i) const;
  bool Encode(const Packed& p, Narrow* out) const;
  void Store(const Packed& p);
  void DropOldest();
  void GoWide();

  Millis window_;
  std::uint32_t points_;
  bool wide_ = false;            // words_ hold Packed points
  bool current_stored_ = false;  // the last stored point is current_
  std::int64_t base_ns_ = 0;     // the oldest stored point's time
  std::int64_t base_high_ = 0;   // and its end offset
  // Oldest first, bounded by points_ + 3: Narrow (4 words) or Packed (8)
  // points, copied in and out with memcpy.
  std::vector<std::uint32_t> words_;
  Packed current_{kNever};  // at_ns == kNever: nothing recorded yet
  std::int64_t last_rewind_ns_ = kNever;
};

}  // namespace failwatch
