// What a check function produces (Condition: the raw judgement of one
// sample) and what the evaluator publishes after hysteresis (CheckResult).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/clock.h"
#include "health/check_status.h"

namespace failwatch {

// The raw judgement of one check for one target from the latest
// observations. Check functions are pure: the same inputs give the same
// conditions.
struct Condition {
  std::string check;   // a name from health/check_table.cc
  std::string target;  // see docs/reference/health.md for each check's form
  CheckStatus status = CheckStatus::kOk;
  // Nothing current to judge by (no answer yet, node unreachable so its lag
  // is unknown): the evaluator keeps the previous status instead of
  // flipping to ok, so a blind spot never clears an alarm.
  bool unknown = false;
  std::string reason;  // one line, no secrets
  nlohmann::json evidence = nlohmann::json::object();
  // When the observed problem began, if the data says so (a node's
  // demotion time). Used for `since`; never shortens `for`.
  WallTime onset{};
  // The evidence proves the status (a backend on a node in recovery whose
  // last statement was a write has failed with 25006): a worse status is
  // published at once, without waiting for `for`. Clearing still waits for
  // `clear_after`.
  bool conclusive = false;
  // What a failure means; unset = the check's default tier (check_table).
  // A check sets it when the meaning depends on the data (the sticky write
  // probe is impact until every app has converged, risk after).
  std::optional<CheckTier> tier;
};

// A pending status change: the raw status differs from the published one
// and will replace it at `effective_at` if it holds.
struct PendingChange {
  CheckStatus status = CheckStatus::kOk;
  WallTime since{};
  WallTime effective_at{};
};

struct CheckResult {
  std::string check;
  std::string target;
  CheckStatus status = CheckStatus::kOk;      // after hysteresis
  CheckStatus raw_status = CheckStatus::kOk;  // of the latest sample
  CheckTier tier = CheckTier::kImpact;        // of the latest condition
  // The published status was reached on conclusive evidence (no hold).
  bool conclusive = false;
  bool unknown = false;  // latest sample had no data
  // Of the latest condition whose raw status equalled `status`, so an alarm
  // that is clearing still explains itself.
  std::string reason;
  nlohmann::json evidence = nlohmann::json::object();
  // When the condition behind the current status began (the start of the
  // raw run, or the data's onset), not when `for` expired.
  WallTime since{};
  std::optional<PendingChange> pending;
};

}  // namespace failwatch
