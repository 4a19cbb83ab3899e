// Turns raw per-sample conditions into published check results. A worse
// raw status must hold for the check's `for` before it is published; a
// better one must hold for `clear_after` before the alarm clears. This is
// what keeps a DNS answer flapping for 20-30 s after a failover from
// flipping endpoint_not_primary on and off.
//
// Per level (degraded, down) the tracker remembers since when the raw
// status has been continuously at least that bad, and (ok, degraded) since
// when it has been continuously at most that bad. So a raw status that
// alternates between degraded and down still escalates after `for`, and a
// recovery from down to ok passes through neither.
#pragma once

#include <array>
#include <compare>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "health/check_policy.h"
#include "health/condition.h"

namespace failwatch {

struct CheckKey {
  std::string check;
  std::string target;
  auto operator<=>(const CheckKey&) const = default;
  bool operator==(const CheckKey&) const = default;
};

struct StatusTransition {
  std::string check;
  std::string target;
  CheckStatus from = CheckStatus::kOk;
  CheckStatus to = CheckStatus::kOk;
  CheckTier tier = CheckTier::kImpact;
  bool conclusive = false;  // reached without waiting for `for`
  std::string reason;       // of the new status
};

class Hysteresis {
 public:
  using PolicyFn = std::function<CheckPolicy(std::string_view check)>;
  explicit Hysteresis(PolicyFn policy) : policy_(std::move(policy)) {}

  // One evaluation at `now`. Returns one result per condition, in order.
  // Checks whose (check, target) is absent from `conditions` are forgotten:
  // their target disappeared. Status changes are appended to `transitions`
  // when it is not null.
  std::vector<CheckResult> Apply(const std::vector<Condition>& conditions,
                                 WallTime now,
                                 std::vector<StatusTransition>* transitions);

  std::size_t tracked() const { return tracks_.size(); }
  // A reloaded config's for/clear_after apply to the statuses kept.
  void set_policy(PolicyFn policy) { policy_ = std::move(policy); }

 private:
  // What a status said when it was last raw: a held status is shown with
  // its own reason, evidence and tier, not those of the raw one.
  struct Shown {
    std::string reason;
    nlohmann::json evidence;
    CheckTier tier = CheckTier::kImpact;
  };
  struct Track {
    CheckStatus status = CheckStatus::kOk;
    CheckStatus raw = CheckStatus::kOk;
    bool conclusive = false;  // the current status was reached without `for`
    WallTime since{};
    // Indexed by level (0 ok, 1 degraded, 2 down).
    std::array<std::optional<WallTime>, 3> at_least;  // [1], [2] used
    std::array<std::optional<WallTime>, 3> at_most;   // [0], [1] used
    std::array<std::optional<Shown>, 3> last;         // per raw status
  };

  CheckResult Step(Track& t, const Condition& c, WallTime now,
                   const CheckPolicy& policy);
  // Step's parts: since when the raw status has been at least / at most
  // each level, the shown status moving once a run is long enough, and
  // the result with its reason and pending change.
  static void RecordRuns(Track& t, const Condition& c, WallTime now);
  static void Transition(Track& t, const Condition& c, WallTime now,
                         const CheckPolicy& policy);
  static CheckResult Report(const Track& t, const Condition& c,
                            const CheckPolicy& policy);

  PolicyFn policy_;
  std::map<CheckKey, Track> tracks_;
};

}  // namespace failwatch
