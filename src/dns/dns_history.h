// Pure logic over answer sets and answer histories: what changed between two
// answers, and whether an endpoint's answers flap. After a failover DNS
// answers have been seen alternating between the old and the new address for
// 20-30 s despite a 5 s TTL, so a single observation of a new address is not
// proof the move is done; evaluators use SummarizeFlaps to tell a clean move
// from a flapping one.
#pragma once

#include <cstddef>
#include <vector>

#include "core/clock.h"
#include "dns/dns_observation.h"

namespace failwatch {

// One entry per sample, so at the default 1 s interval this is 10 minutes of
// history per endpoint: longer than any failover flap window worth judging
// (tens of seconds) while bounded at a few hundred KB per database. Count,
// not age, bounds it so memory is fixed whatever the interval.
inline constexpr std::size_t kDnsHistoryCapacity = 600;

struct AnswerDiff {
  AddressSet added;    // in `after`, not in `before`
  AddressSet removed;  // in `before`, not in `after`
  bool changed() const { return !added.empty() || !removed.empty(); }
};

AnswerDiff DiffAnswers(const AddressSet& before, const AddressSet& after);

struct FlapSummary {
  // Successful answers inside the window that differ from the successful
  // answer before them (which may lie before the window).
  int changes = 0;
  // An answer set came back after a different one was seen (A -> B -> A),
  // counting the answer in force when the window opened.
  bool reappeared = false;
  // Distinct answer sets seen in the window, including the one in force when
  // it opened.
  int distinct_answers = 0;
  // Failed lookups inside the window; they do not break or make changes.
  int failures = 0;
  WallTime first_change{};  // epoch when changes == 0
  WallTime last_change{};
  // Flapping = an old answer came back. A single clean move (A -> B) or a
  // rollout through new addresses (A -> B -> C) is not a flap.
  bool flapping() const { return reappeared; }
};

// Looks at records with `at` in (now - window, now]; `history` is oldest
// first, as in EndpointDnsState::history.
FlapSummary SummarizeFlaps(const std::vector<DnsAnswerRecord>& history,
                           WallTime now, Millis window);

}  // namespace failwatch
