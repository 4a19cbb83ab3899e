#include "postgres/pg_derive.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace failwatch {
namespace {

WallTime FromEpoch(double seconds) {
  return WallTime(std::chrono::duration_cast<WallTime::duration>(
      std::chrono::duration<double>(seconds)));
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
  using Key = std::tuple<std::string, std::string, StaleCause>;
  std::map<Key, StaleAppConnections> out;
  const bool known = promotion_time != WallTime{};
  for (const auto& node_activity : activity) {
    const NodeState* node = nullptr;
    for (const auto& n : nodes) {
      if (n.address == node_activity.node) node = &n;
    }
    if (node == nullptr || !node->up) continue;
    const bool wrong_for_primary =
        node->role != NodeRole::kPrimary || node->superseded;
    for (const auto& app : apps) {
      if (app.expects == AppConfig::Expects::kAny || !wrong_for_primary) {
        continue;
      }
      for (const auto& g : node_activity.groups) {
        if (!GlobMatch(app.application_name, g.application_name)) continue;
        auto add = [&](StaleCause cause, std::int64_t n, double start) {
          auto& s = out[{app.application_name, node->address, cause}];
          s.app = app.application_name;
          s.node = node->address;
          s.node_role = node->role;
          s.cause = cause;
          s.count += n;
          WallTime t = FromEpoch(start);
          if (start > 0 && (s.oldest_backend_start == WallTime{} ||
                            t < s.oldest_backend_start)) {
            s.oldest_backend_start = t;
          }
        };
        // backend_starts may be shorter than count if the array was cut;
        // the remainder is counted without a time.
        std::int64_t classified = 0;
        for (double start : g.backend_starts) {
          StaleCause cause = StaleCause::kUnknown;
          if (known) {
            cause = FromEpoch(start) < promotion_time
                        ? StaleCause::kKeptFromBeforePromotion
                        : StaleCause::kConnectedAfterPromotion;
          }
          add(cause, 1, start);
          classified++;
        }
        if (g.count > classified) {
          add(StaleCause::kUnknown, g.count - classified, 0);
        }
      }
    }
  }
  std::vector<StaleAppConnections> result;
  for (auto& [key, s] : out) result.push_back(std::move(s));
  return result;
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
      out.push_back({activity.node, g.application_name, g.usename,
                     g.client_addr, g.state, g.datname, g.count, oldest});
      continue;
    }
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
