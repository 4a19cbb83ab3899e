#include "health/hysteresis.h"

namespace failwatch {
namespace {

int Level(CheckStatus s) { return static_cast<int>(s); }
CheckStatus FromLevel(int l) { return static_cast<CheckStatus>(l); }

}  // namespace

std::vector<CheckResult> Hysteresis::Apply(
    const std::vector<Condition>& conditions, WallTime now,
    std::vector<StatusTransition>* transitions) {
  std::map<CheckKey, Track> next;
  std::vector<CheckResult> out;
  out.reserve(conditions.size());
  for (const Condition& c : conditions) {
    CheckKey key{c.check, c.target};
    Track track;
    if (auto it = tracks_.find(key); it != tracks_.end()) {
      track = std::move(it->second);
    } else if (auto done = next.find(key); done != next.end()) {
      track = done->second;  // a duplicate condition: last one wins
    } else {
      track.since = now;
    }
    const CheckStatus before = track.status;
    const auto& left = track.last[static_cast<std::size_t>(Level(before))];
    const std::optional<CheckTier> left_tier =
        left ? std::optional<CheckTier>(left->tier) : std::nullopt;
    CheckResult r = Step(track, c, now, policy_(c.check));
    if (r.status != before && transitions != nullptr) {
      // Back to ok, the tier is the one of the problem that ended (an ok
      // condition carries none): "tier=risk from=degraded to=ok".
      const CheckTier tier = r.status == CheckStatus::kOk && left_tier
                                 ? *left_tier
                                 : r.tier;
      transitions->push_back({c.check, c.target, before, r.status, tier,
                              r.conclusive, r.reason});
    }
    next[std::move(key)] = std::move(track);
    out.push_back(std::move(r));
  }
  tracks_ = std::move(next);
  return out;
}

void Hysteresis::RecordRuns(Track& t, const Condition& c, WallTime now) {
  const int raw = Level(c.status);
  t.raw = c.status;
  t.last[static_cast<std::size_t>(raw)] =
      Shown{c.reason, c.evidence, c.tier.value_or(CheckTier::kImpact)};
  for (int l = 1; l <= 2; ++l) {
    auto& run = t.at_least[static_cast<std::size_t>(l)];
    if (raw >= l) {
      if (!run) run = now;
    } else {
      run.reset();
    }
  }
  for (int l = 0; l <= 1; ++l) {
    auto& run = t.at_most[static_cast<std::size_t>(l)];
    if (raw <= l) {
      if (!run) run = now;
    } else {
      run.reset();
    }
  }
}

void Hysteresis::Transition(Track& t, const Condition& c, WallTime now,
                            const CheckPolicy& policy) {
  const int raw = Level(c.status);
  const int current = Level(t.status);
  // Worse once the raw status held `for` (or at once when conclusive)...
  for (int l = 2; l > current; --l) {
    const auto& run = t.at_least[static_cast<std::size_t>(l)];
    const bool proven = c.conclusive && raw >= l;
    if (run && (proven || now - *run >= policy.for_duration)) {
      t.status = FromLevel(l);
      t.since = *run;
      if (c.onset != WallTime{} && c.onset < t.since) t.since = c.onset;
      t.conclusive = proven;
      return;
    }
  }
  // ...better once it held `clear_after`.
  for (int l = 0; l < current; ++l) {
    const auto& run = t.at_most[static_cast<std::size_t>(l)];
    if (run && now - *run >= policy.clear_after) {
      t.status = FromLevel(l);
      t.since = *run;
      t.conclusive = false;
      return;
    }
  }
}

CheckResult Hysteresis::Report(const Track& t, const Condition& c,
                               const CheckPolicy& policy) {
  CheckResult r;
  r.check = c.check;
  r.target = c.target;
  r.status = t.status;
  r.raw_status = t.raw;
  r.tier = c.tier.value_or(CheckTier::kImpact);
  r.conclusive = t.conclusive;
  r.unknown = c.unknown;
  r.since = t.since;
  const auto& shown = t.last[static_cast<std::size_t>(Level(t.status))];
  if (shown && (c.unknown || t.raw != t.status)) {
    r.reason = shown->reason;
    r.evidence = shown->evidence;
    // A risk being cleared (raw ok, held degraded) stays a risk: the raw
    // ok condition carries no tier, and impact would page for a fix.
    r.tier = shown->tier;
  } else {
    r.reason = c.reason;
    r.evidence = c.evidence;
  }
  if (!c.unknown && t.raw != t.status) {
    const auto l = static_cast<std::size_t>(Level(t.raw));
    const bool worse = Level(t.raw) > Level(t.status);
    const auto& run = worse ? t.at_least[l] : t.at_most[l];
    if (run && !(worse && c.conclusive)) {
      r.pending = PendingChange{
          t.raw, *run,
          *run + (worse ? policy.for_duration : policy.clear_after)};
    }
  }
  return r;
}

CheckResult Hysteresis::Step(Track& t, const Condition& c, WallTime now,
                             const CheckPolicy& policy) {
  if (!c.unknown) {
    RecordRuns(t, c, now);
    Transition(t, c, now, policy);
  }
  return Report(t, c, policy);
}

}  // namespace failwatch
