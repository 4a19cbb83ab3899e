// Pure derivations from parsed rows and earlier state: a node's role and
// timeline, promotion/demotion events, the current writer, stale app
// connections, and bounded connection groups. No I/O, no clock reads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "postgres/pg_observation.h"
#include "postgres/pg_rows.h"
#include "postgres/postgres_options.h"

namespace failwatch {

// Fills role, recovery, read-only, timeline, version, start time and the
// standby part of `node` from the status row.
void ApplyNodeStatus(const NodeStatusRow& row, NodeState& node);

// Carries the event history of `prev` (the node's last state while it was
// up) into `cur` and records a promotion (recovery -> primary, or a
// primary's timeline went up) or a demotion (primary -> recovery) seen
// between them. Both must be up. Returns true on a promotion.
bool DetectTransition(const NodeState& prev, NodeState& cur, WallTime now);

// Promotions seen per node address for the collector's lifetime. The
// database's failwatch_pg_promotions_total is their sum, so the counter
// never drops when a node leaves the node set, and a node that comes back
// continues its own count.
class PromotionLedger {
 public:
  // The count a node's history starts from (0 for a node never seen).
  std::uint64_t Of(const std::string& address) const;
  // A node's own count this sample; a lower value never lowers the ledger.
  void Record(const std::string& address, std::uint64_t node_total);
  std::uint64_t Total() const;

 private:
  std::map<std::string, std::uint64_t> by_node_;
};

// The rollback baseline of one node between samples.
struct RollbackBaseline {
  bool valid = false;
  std::int64_t rollbacks = 0;  // xact_rollback_total at the last sample
  // failwatch's own failed transactions of the last sample not yet seen in
  // the counter (a backend flushes its statistics up to ~1 s late, and the
  // probe runs concurrently with the status query).
  std::int64_t carry = 0;
};

struct RollbackStepResult {
  std::int64_t excess = 0;  // rollbacks this sample beyond failwatch's own
  RollbackBaseline next;
};

// One sample of a node's rollback counter: `current` (nullopt = not read)
// and `own_failures`, failwatch's failed transactions on that node since
// the previous sample (write probes, failed monitoring queries). The excess
// is never negative; a missing value or a counter reset (current below the
// baseline: pg_stat_reset(), a crash restart) gives 0 and restarts the
// baseline. Own failures the counter does not show yet carry over one
// sample, so a late flush is not counted as someone else's rollback; no
// longer, because on PostgreSQL >= 15 a kept session whose failed write
// touched no table flushes its counters only when it next has other
// statistics to flush or exits (the sticky probe's may never show), and a
// growing carry would hide everyone else's rollbacks.
RollbackStepResult RollbackStep(const RollbackBaseline& prev,
                                std::optional<std::int64_t> current,
                                std::int64_t own_failures);

// A node's rollback history in the collector.
struct RollbackHistory {
  RollbackBaseline baseline;
  struct Sample {
    WallTime from{};  // the previous sample's time
    std::int64_t excess = 0;
  };
  std::vector<Sample> window;  // oldest first, at most kRollbackWindowSamples
  bool in_recovery = false;
  WallTime last_sample{};
};

// Feeds `node` (this sample's state; its xact_rollback_total) into
// `history` and fills node.rollbacks_recent/_window_start/_rising. A node
// that is not up restarts everything; a change between primary and
// recovery empties the window.
void TrackRollbacks(RollbackHistory& history, NodeState& node,
                    std::int64_t own_failures, WallTime now);

// Marks primaries on a lower timeline than the highest primary timeline as
// superseded; returns the writer's address (the single primary on the
// highest timeline), "" when there is none or it is ambiguous.
std::string MarkSupersededAndFindWriter(std::vector<NodeState>& nodes);

// Shell-style glob: '*' any run, '?' one character.
bool GlobMatch(std::string_view pattern, std::string_view text);

// Client backends of one node, as read by kActivitySql.
struct NodeActivity {
  std::string node;
  std::vector<ActivityGroupRow> groups;
};

// For each configured app, its connections on nodes that are not what it
// expects. `promotion_time` is the latest promotion in the database (epoch =
// unknown); a connection that started before it was kept by a pool, one
// after it was opened against a stale address.
std::vector<StaleAppConnections> ClassifyStaleConnections(
    const std::vector<AppConfig>& apps, const std::vector<NodeState>& nodes,
    const std::vector<NodeActivity>& activity, WallTime promotion_time);

// application_name, else client_addr, else "unknown": how a client no
// configured app matches is named (target "<database>/<identity>").
std::string ClientIdentity(const ActivityGroupRow& g);

// Clients on nodes in recovery that no configured app glob matches (of any
// `expects`), by identity, node and cause, with their write evidence.
std::vector<StaleAppConnections> FindUnconfiguredClients(
    const std::vector<AppConfig>& apps, const std::vector<NodeState>& nodes,
    const std::vector<NodeActivity>& activity, WallTime promotion_time);

// (identity, node) of unconfigured clients seen writing on a node in
// recovery -> when their connections were last seen there, and its role.
struct WriterSeen {
  WallTime last_seen{};
  NodeRole role = NodeRole::kUnknown;
};
using WriterMemory = std::map<std::pair<std::string, std::string>, WriterSeen>;

// Of `clients` (FindUnconfiguredClients), the ones to publish: an
// (identity, node) from its first write while any of its connections remain
// (so it reads ok once the writes stop), then, after they are gone, one
// entry with count 0 for `linger` (so the alarm clears through clear_after
// instead of vanishing). Readers that never wrote are not published: a
// reporting tool on a standby is fine. Sorted by (app, node, cause).
std::vector<StaleAppConnections> TrackUnconfiguredWriters(
    std::vector<StaleAppConnections> clients, WallTime now, Millis linger,
    WriterMemory& memory);

// Groups for export: the `max_groups` largest per node, the rest folded
// into one group with every label "other" (oldest start kept).
std::vector<AppConnectionGroup> BoundedGroups(const NodeActivity& activity,
                                              std::size_t max_groups);

// Reconnect delay after `failures` consecutive failures (>= 1).
Millis BackoffDelay(int failures, Millis base, Millis max);

// SQLSTATEs after which a session is dropped: connection exceptions (08),
// operator intervention (57P: admin shutdown, crash, cannot connect now) and
// read-only transaction (25006: the node was demoted under us).
bool ShouldDropSession(std::string_view sqlstate);

}  // namespace failwatch
