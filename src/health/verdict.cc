#include "health/verdict.h"

#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <tuple>

#include "health/health_format.h"
#include "health/health_inputs.h"

namespace failwatch {
namespace {

// How many non-ok reasons the headline names before "and N more".
constexpr std::size_t kHeadlineReasons = 3;

std::string FailoverPhrase(const FailoverTimeline& t, WallTime now) {
  if (t.state == FailoverTimeline::State::kConverged) return "";
  const FailoverStep* dns = t.Find(kStepDnsSwitched);
  if (dns != nullptr) {
    return fmt::format("{}: the writer endpoint moved to {} {} ago", t.database,
                       t.new_primary, FormatAgo(dns->at, now));
  }
  return fmt::format(
      "{}: {} promoted {} ago, the writer endpoint has not "
      "moved",
      t.database, t.new_primary, FormatAgo(t.promoted_at, now));
}

}  // namespace

std::shared_ptr<const Verdict> FindVerdict(const Snapshot& snapshot) {
  return snapshot.ObservationAs<Verdict>(kHealthKind, kHealthTarget);
}

std::string Verdict::Headline() const {
  std::vector<std::string> parts;
  std::size_t bad = 0;
  // checks are sorted impact before risk (MakeVerdict).
  for (const auto& c : checks) {
    if (c.status == CheckStatus::kOk) continue;
    if (++bad > kHeadlineReasons) continue;
    std::string part =
        c.tier == CheckTier::kRisk ? "risk: " + c.reason : c.reason;
    // The reason is of the last bad sample; say when the data already looks
    // better, so a clearing alarm does not read like a current one.
    if (c.pending && static_cast<int>(c.pending->status) <
                         static_cast<int>(c.status)) {
      part += fmt::format(" (now {}, clears in {})",
                          CheckStatusName(c.pending->status),
                          FormatAgo(evaluated_at, c.pending->effective_at));
    }
    parts.push_back(std::move(part));
  }
  if (bad > kHeadlineReasons) {
    parts.push_back(fmt::format("and {} more", bad - kHeadlineReasons));
  }
  for (const auto& f : failovers) {
    std::string p = FailoverPhrase(f, evaluated_at);
    if (!p.empty()) parts.push_back(std::move(p));
  }
  std::string out = VerdictStateName(status);
  if (parts.empty()) return out + ": all checks ok";
  return out + ": " + Join(parts, "; ");
}

Verdict MakeVerdict(std::vector<CheckResult> checks,
                    std::vector<FailoverTimeline> failovers, WallTime now) {
  Verdict v;
  v.evaluated_at = now;
  auto weight = [](const CheckResult& c) {
    return -static_cast<int>(VerdictContribution(c.status, c.tier));
  };
  std::stable_sort(checks.begin(), checks.end(),
                   [&](const CheckResult& a, const CheckResult& b) {
                     return std::tuple(weight(a), -static_cast<int>(a.status),
                                       a.check, a.target) <
                            std::tuple(weight(b), -static_cast<int>(b.status),
                                       b.check, b.target);
                   });
  for (const auto& c : checks) {
    v.status = Worse(v.status, VerdictContribution(c.status, c.tier));
  }
  v.degraded = static_cast<int>(v.status) >=
               static_cast<int>(VerdictState::kDegraded);
  v.checks = std::move(checks);
  v.failovers = std::move(failovers);
  return v;
}

nlohmann::json CheckResultToJson(const CheckResult& c) {
  nlohmann::json j = {{"check", c.check},
                      {"target", c.target},
                      {"status", CheckStatusName(c.status)},
                      {"raw_status", CheckStatusName(c.raw_status)},
                      {"tier", CheckTierName(c.tier)},
                      {"conclusive", c.conclusive},
                      {"unknown", c.unknown},
                      {"since", TimeJson(c.since)},
                      {"reason", c.reason},
                      {"evidence", c.evidence}};
  if (c.pending) {
    j["pending"] = {{"status", CheckStatusName(c.pending->status)},
                    {"since", TimeJson(c.pending->since)},
                    {"effective_at", TimeJson(c.pending->effective_at)}};
  } else {
    j["pending"] = nullptr;
  }
  return j;
}

nlohmann::json FailoverToJson(const FailoverTimeline& t) {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& s : t.steps) {
    steps.push_back({{"step", s.step},
                     {"at", TimeJson(s.at)},
                     {"after_seconds", ToSeconds(s.at - t.promoted_at)}});
  }
  nlohmann::json j = {{"database", t.database},
                      {"state", FailoverStateName(t.state)},
                      {"old_primary", t.old_primary},
                      {"new_primary", t.new_primary},
                      {"promoted_at", TimeJson(t.promoted_at)},
                      {"steps", std::move(steps)},
                      {"waiting_for", t.waiting_for}};
  auto secs = t.ConvergenceSeconds();
  j["convergence_seconds"] = secs ? nlohmann::json(*secs) : nullptr;
  return j;
}

nlohmann::json VerdictToJson(const Verdict& v) {
  nlohmann::json checks = nlohmann::json::array();
  for (const auto& c : v.checks) checks.push_back(CheckResultToJson(c));
  nlohmann::json failovers = nlohmann::json::array();
  for (const auto& f : v.failovers) failovers.push_back(FailoverToJson(f));
  nlohmann::json counts = {{"ok", 0}, {"degraded", 0}, {"down", 0}};
  nlohmann::json by_tier = {{"impact", 0}, {"risk", 0}};
  for (const auto& c : v.checks) {
    counts[CheckStatusName(c.status)] =
        counts[CheckStatusName(c.status)].get<int>() + 1;
    if (c.status != CheckStatus::kOk) {
      by_tier[CheckTierName(c.tier)] =
          by_tier[CheckTierName(c.tier)].get<int>() + 1;
    }
  }
  return {{"status", VerdictStateName(v.status)},
          {"degraded", v.degraded},
          {"at_risk", v.status == VerdictState::kAtRisk},
          {"failing_by_tier", std::move(by_tier)},
          {"headline", v.Headline()},
          {"evaluated_at", TimeJson(v.evaluated_at)},
          {"counts", std::move(counts)},
          {"checks", std::move(checks)},
          {"failovers", std::move(failovers)}};
}

std::optional<std::string> ReadinessFailure(
    const Verdict* verdict, HealthConfig::ReadinessFailsOn fails_on) {
  using F = HealthConfig::ReadinessFailsOn;
  if (fails_on == F::kNever) return std::nullopt;
  if (verdict == nullptr) return "health not evaluated yet";
  // Impact only: at_risk never fails readiness.
  const VerdictState threshold =
      fails_on == F::kDown ? VerdictState::kDown : VerdictState::kDegraded;
  if (static_cast<int>(verdict->status) < static_cast<int>(threshold)) {
    return std::nullopt;
  }
  return verdict->Headline();
}

}  // namespace failwatch
