#include "dns/dns_history.h"

#include <algorithm>
#include <iterator>

namespace failwatch {

AnswerDiff DiffAnswers(const AddressSet& before, const AddressSet& after) {
  AnswerDiff diff;
  std::set_difference(after.begin(), after.end(), before.begin(), before.end(),
                      std::inserter(diff.added, diff.added.end()));
  std::set_difference(before.begin(), before.end(), after.begin(), after.end(),
                      std::inserter(diff.removed, diff.removed.end()));
  return diff;
}

FlapSummary SummarizeFlaps(const std::vector<DnsAnswerRecord>& history,
                           WallTime now, Millis window) {
  FlapSummary out;
  const WallTime start = now - window;
  // The answer in force when the window opened is the baseline: a change at
  // the window's first record is a change even if its predecessor is older.
  const AddressSet* previous = nullptr;
  std::vector<const AddressSet*> seen;  // distinct sets, in order of first use
  auto remember = [&seen](const AddressSet* s) {
    for (const AddressSet* x : seen) {
      if (*x == *s) return false;
    }
    seen.push_back(s);
    return true;
  };
  for (const DnsAnswerRecord& rec : history) {
    const bool in_window = rec.at > start && rec.at <= now;
    if (rec.at > now) break;
    if (!rec.addresses) {
      if (in_window) out.failures++;
      continue;
    }
    if (!in_window) {
      previous = &*rec.addresses;
      continue;
    }
    if (previous == nullptr) {  // first answer ever: not a change
      remember(&*rec.addresses);
      previous = &*rec.addresses;
      continue;
    }
    if (seen.empty()) remember(previous);
    if (*previous != *rec.addresses) {
      out.changes++;
      if (out.first_change == WallTime{}) out.first_change = rec.at;
      out.last_change = rec.at;
      if (!remember(&*rec.addresses)) out.reappeared = true;
    }
    previous = &*rec.addresses;
  }
  // No successful record in the window but an answer in force: one set.
  if (seen.empty() && previous != nullptr) seen.push_back(previous);
  out.distinct_answers = static_cast<int>(seen.size());
  return out;
}

}  // namespace failwatch
