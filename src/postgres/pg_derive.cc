#include "postgres/pg_derive.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace failwatch {
namespace {

WallTime FromEpoch(double seconds) {
  return WallTime(std::chrono::duration_cast<WallTime::duration>(
      std::chrono::duration<double>(seconds)));
}

// One backend of a group (or, with start 0, the backends beyond the cut
// backend_start array).
struct Backend {
  double start = 0;  // epoch seconds; 0 = unknown
  StatementVerb verb = StatementVerb::kNone;
  double state_change = 0;
};

template <typename Fn>
void ForEachBackend(const ActivityGroupRow& g, Fn fn) {
  // backend_starts may be shorter than count if the array was cut; the
  // remainder is counted without a time.
  const std::size_t n = g.backend_starts.size();
  for (std::size_t k = 0; k < n; ++k) {
    Backend b{g.backend_starts[k]};
    if (k < g.last_verbs.size()) b.verb = g.last_verbs[k];
    if (k < g.state_changes.size()) b.state_change = g.state_changes[k];
    fn(1, b);
  }
  if (g.count > static_cast<std::int64_t>(n)) {
    fn(g.count - static_cast<std::int64_t>(n), Backend{});
  }
}

// Folds a write into (count, verb, time): the verb of the latest write wins.
void AddWrite(std::int64_t n, const Backend& b, std::int64_t& writes,
              std::string& verb, WallTime& at) {
  if (!IsWrite(b.verb)) return;
  writes += n;
  const WallTime t =
      b.state_change > 0 ? FromEpoch(b.state_change) : WallTime{};
  if (verb.empty() || t >= at) {
    verb = StatementVerbName(b.verb);
    at = t;
  }
}

using StaleKey = std::tuple<std::string, std::string, StaleCause>;
using StaleMap = std::map<StaleKey, StaleAppConnections>;

// Adds every backend of `g` on `node` to the entries of `app`, split by
// cause relative to the promotion (epoch = unknown).
void AddGroup(StaleMap& out, const std::string& app, const NodeState& node,
              const ActivityGroupRow& g, WallTime promotion_time) {
  ForEachBackend(g, [&](std::int64_t n, const Backend& b) {
    StaleCause cause = StaleCause::kUnknown;
    if (promotion_time != WallTime{} && b.start > 0) {
      cause = FromEpoch(b.start) < promotion_time
                  ? StaleCause::kKeptFromBeforePromotion
                  : StaleCause::kConnectedAfterPromotion;
    }
    auto& s = out[{app, node.address, cause}];
    s.app = app;
    s.node = node.address;
    s.node_role = node.role;
    s.cause = cause;
    s.count += n;
    const WallTime t = FromEpoch(b.start);
    if (b.start > 0 &&
        (s.oldest_backend_start == WallTime{} || t < s.oldest_backend_start)) {
      s.oldest_backend_start = t;
    }
    // Text is fetched only in recovery; the guard keeps it that way.
    if (node.in_recovery) {
      AddWrite(n, b, s.writes, s.write_verb, s.last_write_at);
    }
    auto& addrs = s.client_addrs;
    auto at = std::lower_bound(addrs.begin(), addrs.end(), g.client_addr);
    if (!g.client_addr.empty() && (at == addrs.end() || *at != g.client_addr) &&
        addrs.size() < StaleAppConnections::kMaxClientAddrs) {
      addrs.insert(at, g.client_addr);
    }
  });
}

std::vector<StaleAppConnections> Values(StaleMap m) {
  std::vector<StaleAppConnections> out;
  for (auto& [key, s] : m) out.push_back(std::move(s));
  return out;
}

const NodeState* FindUpNode(const std::vector<NodeState>& nodes,
                            const std::string& address) {
  for (const auto& n : nodes) {
    if (n.address == address) return n.up ? &n : nullptr;
  }
  return nullptr;
}

}  // namespace

void ApplyNodeStatus(const NodeStatusRow& row, NodeState& node) {
  node.up = true;
  node.in_recovery = row.in_recovery;
  node.read_only = row.read_only;
  node.role = row.in_recovery ? NodeRole::kStandby : NodeRole::kPrimary;
  node.server_version_num = row.server_version_num;
  node.postmaster_start = FromEpoch(row.postmaster_start);
  node.timeline.reset();
  if (!row.in_recovery && row.wal_file) {
    node.timeline = TimelineFromWalFile(*row.wal_file);
  } else if (row.in_recovery && row.received_tli) {
    node.timeline = row.received_tli;
  }
  if (!node.timeline) node.timeline = row.checkpoint_tli;
  node.xact_rollback_total = row.xact_rollback_total;
  node.standby.reset();
  if (row.in_recovery) {
    StandbyStatus s;
    s.replay_lag_seconds = row.replay_lag_seconds;
    s.replay_lag_bytes = row.replay_lag_bytes;
    s.receiver_status = row.receiver_status.value_or("");
    if (row.sender_host) {
      HostPort hp{*row.sender_host,
                  static_cast<std::uint16_t>(row.sender_port.value_or(0))};
      s.upstream = hp.ToString();
    }
    node.standby = std::move(s);
  }
}

std::uint64_t PromotionLedger::Of(const std::string& address) const {
  auto it = by_node_.find(address);
  return it == by_node_.end() ? 0 : it->second;
}

void PromotionLedger::Record(const std::string& address,
                             std::uint64_t node_total) {
  std::uint64_t& kept = by_node_[address];
  kept = std::max(kept, node_total);
}

std::uint64_t PromotionLedger::Total() const {
  std::uint64_t total = 0;
  for (const auto& [address, n] : by_node_) total += n;
  return total;
}

bool DetectTransition(const NodeState& prev, NodeState& cur, WallTime now) {
  cur.promotions_total = prev.promotions_total;
  cur.last_promotion = prev.last_promotion;
  cur.last_demotion = prev.last_demotion;
  if (!prev.up || !cur.up) return false;
  bool promoted = false;
  if (!cur.in_recovery) {
    if (prev.in_recovery) {
      promoted = true;
    } else if (prev.timeline && cur.timeline &&
               *cur.timeline > *prev.timeline) {
      // Promoted and back to primary while we were not looking (e.g. the
      // node was unreachable during a quick standby phase).
      promoted = true;
    }
  } else if (!prev.in_recovery) {
    cur.last_demotion = now;
  }
  if (promoted) {
    cur.promotions_total++;
    cur.last_promotion = now;
  }
  return promoted;
}

RollbackStepResult RollbackStep(const RollbackBaseline& prev,
                                std::optional<std::int64_t> current,
                                std::int64_t own_failures) {
  RollbackStepResult r;
  own_failures = std::max<std::int64_t>(own_failures, 0);
  if (!current) return r;  // not read: no baseline
  r.next.valid = true;
  r.next.rollbacks = *current;
  if (!prev.valid || *current < prev.rollbacks) {
    // First value or a reset: own failures of this sample may still show.
    r.next.carry = own_failures;
    return r;
  }
  const std::int64_t delta = *current - prev.rollbacks;
  const std::int64_t expected = own_failures + prev.carry;
  r.excess = std::max<std::int64_t>(0, delta - expected);
  r.next.carry =
      std::min(std::max<std::int64_t>(0, expected - delta), own_failures);
  return r;
}

void TrackRollbacks(RollbackHistory& history, NodeState& node,
                    std::int64_t own_failures, WallTime now) {
  node.rollbacks_recent = 0;
  node.rollbacks_window_start = WallTime{};
  node.rollbacks_rising = false;
  if (!node.up || !node.xact_rollback_total) {
    history = RollbackHistory{};
    return;
  }
  if (history.baseline.valid && node.in_recovery != history.in_recovery) {
    history.window.clear();
  }
  history.in_recovery = node.in_recovery;
  const bool had_baseline = history.baseline.valid;
  RollbackStepResult step =
      RollbackStep(history.baseline, node.xact_rollback_total, own_failures);
  if (had_baseline && step.next.rollbacks >= history.baseline.rollbacks) {
    history.window.push_back({history.last_sample, step.excess});
  } else {
    history.window.clear();  // first value or a counter reset
  }
  history.baseline = step.next;
  history.last_sample = now;
  if (history.window.size() > kRollbackWindowSamples) {
    history.window.erase(history.window.begin());
  }
  if (history.window.empty()) return;
  for (const auto& s : history.window) node.rollbacks_recent += s.excess;
  node.rollbacks_window_start = history.window.front().from;
  node.rollbacks_rising = node.rollbacks_recent >= kRollbacksRisingMin;
}

std::string MarkSupersededAndFindWriter(std::vector<NodeState>& nodes) {
  std::uint32_t top = 0;
  for (const auto& n : nodes) {
    if (n.up && n.role == NodeRole::kPrimary && n.timeline) {
      top = std::max(top, *n.timeline);
    }
  }
  std::string writer;
  int at_top = 0;
  for (auto& n : nodes) {
    n.superseded = false;
    if (!n.up || n.role != NodeRole::kPrimary) continue;
    if (n.timeline && *n.timeline < top) {
      n.superseded = true;
      continue;
    }
    at_top++;
    writer = n.address;
  }
  return at_top == 1 ? writer : std::string();
}

bool GlobMatch(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0;
  std::size_t star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::vector<StaleAppConnections> ClassifyStaleConnections(
    const std::vector<AppConfig>& apps, const std::vector<NodeState>& nodes,
    const std::vector<NodeActivity>& activity, WallTime promotion_time) {
  StaleMap out;
  for (const auto& node_activity : activity) {
    const NodeState* node = FindUpNode(nodes, node_activity.node);
    if (node == nullptr) continue;
    const bool wrong_for_primary =
        node->role != NodeRole::kPrimary || node->superseded;
    for (const auto& app : apps) {
      if (app.expects == AppConfig::Expects::kAny || !wrong_for_primary) {
        continue;
      }
      for (const auto& g : node_activity.groups) {
        if (!GlobMatch(app.application_name, g.application_name)) continue;
        AddGroup(out, app.application_name, *node, g, promotion_time);
      }
    }
  }
  for (auto& [key, st] : out) {
    const NodeState* node = FindUpNode(nodes, st.node);
    if (node == nullptr || !node->in_recovery) continue;
    st.rollbacks_recent = node->rollbacks_recent;
    st.rollbacks_rising = node->rollbacks_rising;
    st.rollbacks_window_start = node->rollbacks_window_start;
  }
  return Values(std::move(out));
}

std::string ClientIdentity(const ActivityGroupRow& g) {
  if (!g.application_name.empty()) return g.application_name;
  if (!g.client_addr.empty()) return g.client_addr;
  return "unknown";
}

std::vector<StaleAppConnections> FindUnconfiguredClients(
    const std::vector<AppConfig>& apps, const std::vector<NodeState>& nodes,
    const std::vector<NodeActivity>& activity, WallTime promotion_time) {
  StaleMap out;
  for (const auto& node_activity : activity) {
    const NodeState* node = FindUpNode(nodes, node_activity.node);
    if (node == nullptr || !node->in_recovery) continue;
    for (const auto& g : node_activity.groups) {
      const bool configured =
          std::any_of(apps.begin(), apps.end(), [&](const AppConfig& a) {
            return GlobMatch(a.application_name, g.application_name);
          });
      if (!configured) {
        AddGroup(out, ClientIdentity(g), *node, g, promotion_time);
      }
    }
  }
  return Values(std::move(out));
}

std::vector<StaleAppConnections> TrackUnconfiguredWriters(
    std::vector<StaleAppConnections> clients, WallTime now, Millis linger,
    WriterMemory& memory) {
  std::set<WriterMemory::key_type> present;
  for (const auto& c : clients) {
    present.insert({c.app, c.node});
    if (c.writes > 0) memory[{c.app, c.node}] = {now, c.node_role};
  }
  std::vector<StaleAppConnections> out;
  for (auto& c : clients) {
    auto it = memory.find({c.app, c.node});
    if (it == memory.end()) continue;  // never wrote: a legitimate reader
    it->second = {now, c.node_role};
    out.push_back(std::move(c));
  }
  for (auto it = memory.begin(); it != memory.end();) {
    if (present.count(it->first) > 0) {
      ++it;
    } else if (now - it->second.last_seen >= linger) {
      it = memory.erase(it);
    } else {
      // Gone: listed with no connections so the check reports it ok.
      StaleAppConnections gone;
      gone.app = it->first.first;
      gone.node = it->first.second;
      gone.node_role = it->second.role;
      out.push_back(std::move(gone));
      ++it;
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.app, a.node, a.cause) < std::tie(b.app, b.node, b.cause);
  });
  return out;
}

std::vector<AppConnectionGroup> BoundedGroups(const NodeActivity& activity,
                                              std::size_t max_groups) {
  std::vector<const ActivityGroupRow*> sorted;
  for (const auto& g : activity.groups) sorted.push_back(&g);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const ActivityGroupRow* a, const ActivityGroupRow* b) {
                     return a->count > b->count;
                   });
  std::vector<AppConnectionGroup> out;
  AppConnectionGroup other;
  other.node = activity.node;
  other.application_name = other.usename = other.client_addr = other.state =
      other.datname = "other";
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    const ActivityGroupRow& g = *sorted[i];
    WallTime oldest = g.backend_starts.empty()
                          ? WallTime{}
                          : FromEpoch(g.backend_starts.front());
    if (i < max_groups) {
      AppConnectionGroup e;
      e.node = activity.node;
      e.application_name = g.application_name;
      e.usename = g.usename;
      e.client_addr = g.client_addr;
      e.state = g.state;
      e.datname = g.datname;
      e.count = g.count;
      e.oldest_backend_start = oldest;
      ForEachBackend(g, [&](std::int64_t n, const Backend& b) {
        AddWrite(n, b, e.write_backends, e.last_write_verb, e.last_write_at);
      });
      out.push_back(std::move(e));
      continue;
    }
    ForEachBackend(g, [&](std::int64_t n, const Backend& b) {
      AddWrite(n, b, other.write_backends, other.last_write_verb,
               other.last_write_at);
    });
    other.count += g.count;
    if (oldest != WallTime{} && (other.oldest_backend_start == WallTime{} ||
                                 oldest < other.oldest_backend_start)) {
      other.oldest_backend_start = oldest;
    }
  }
  if (other.count > 0) out.push_back(std::move(other));
  return out;
}

Millis BackoffDelay(int failures, Millis base, Millis max) {
  if (failures <= 0) return Millis(0);
  Millis d = base;
  for (int i = 1; i < failures && d < max; ++i) d *= 2;
  return std::min(d, max);
}

bool ShouldDropSession(std::string_view sqlstate) {
  return sqlstate.starts_with("08") || sqlstate.starts_with("57P") ||
         sqlstate == "25006";
}

}  // namespace failwatch
