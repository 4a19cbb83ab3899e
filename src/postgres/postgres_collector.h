// Samples every node of one database (configured members, the addresses
// its endpoints resolved to, nodes found in replication views) over one
// persistent non-blocking monitoring session per node, all concurrently
// under the sample's deadline. Publishes a PgObservation (kind "postgres",
// target = database name) and the failwatch_pg_* families.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/collector.h"
#include "postgres/node_set.h"
#include "postgres/pg_client.h"
#include "postgres/pg_derive.h"
#include "postgres/pg_observation.h"
#include "postgres/postgres_options.h"

namespace failwatch {

struct PostgresCollectorOptions {
  // Nodes that no source mentions any more are dropped after this long.
  Millis node_retention{std::chrono::minutes(10)};
  // Reconnect/requery delay after consecutive failures: base, 2x, ... max.
  Millis backoff_base{500};
  Millis backoff_max{std::chrono::seconds(30)};
  // Groups of pg_stat_activity exported per node; the rest is "other".
  std::size_t max_groups_per_node = 50;
  // An unconfigured client that wrote to a node in recovery stays listed
  // (with no connections) this long after its connections are gone, so the
  // check reports it ok and the alarm clears through clear_after (15 s by
  // default) before the target disappears.
  Millis unconfigured_writer_linger{std::chrono::minutes(5)};
  // Kept back from the deadline to build the output.
  Millis output_margin{30};
};

class PostgresCollector final : public Collector {
 public:
  // `client` null = libpq (LibpqClient()).
  explicit PostgresCollector(PgDatabaseOptions config,
                             PostgresCollectorOptions options = {},
                             std::shared_ptr<PgClient> client = nullptr);
  ~PostgresCollector() override;

  const std::string& kind() const override { return kind_; }
  const std::string& target() const override { return config_.name; }
  SampleOutput Sample(const SampleContext& ctx) override;
  // The DNS answers of its endpoints (the node set, endpoint targets).
  std::vector<std::string> reads() const override { return {kDnsKind}; }

 private:
  struct NodeRuntime;
  struct ProbeRuntime;
  // This sample's nodes and the session jobs for them and the probes.
  struct SamplePlan {
    std::vector<NodeSetEntry> entries;
    std::vector<SessionJob> jobs;
    std::vector<int> job_of;  // per entry: index into jobs, -1 = in backoff
    int fresh_job = -1;
    int sticky_job = -1;
    SteadyTime ran_until{};  // when the jobs ended, on ctx.clock
    const SessionJob* Job(int index) const {
      return index >= 0 ? &jobs[static_cast<std::size_t>(index)] : nullptr;
    }
  };

  SamplePlan Plan(const SampleContext& ctx, SteadyTime steady_now);
  void PlanProbes(const SampleContext& ctx, SamplePlan& plan);
  // failwatch's own failed transactions per node address this sample.
  std::map<std::string, std::int64_t> OwnFailures(const SamplePlan& plan) const;
  void FoldNodes(const SamplePlan& plan, WallTime now, PgObservation& obs,
                 std::vector<NodeActivity>& activity);
  void AddEndpointTargets(const SampleContext& ctx, PgObservation& obs) const;

  void UpdateNodeSet(const SampleContext& ctx);
  ConnTarget TargetFor(const HostPort& address,
                       const std::string& application_name) const;
  // A failed node is retried `Backoff` after `ran_until`.
  NodeState FinishNode(NodeRuntime& rt, const NodeSetEntry& entry,
                       const SessionJob* job, WallTime now,
                       SteadyTime ran_until);
  void FailNode(NodeRuntime& rt, NodeState& st, bool unverified,
                const std::string& code, const std::string& message,
                SteadyTime ran_until);
  // The node's status row parsed: details, transitions, learned nodes.
  void NodeAnswered(NodeRuntime& rt, NodeState& st, const NodeSetEntry& entry,
                    const SessionJob& job, WallTime now);
  void ReadDetails(NodeRuntime& rt, NodeState& st, const SessionJob& job);
  void LearnNodes(const NodeState& st, std::uint16_t port, WallTime now);
  Millis Backoff(int failures, const std::string& code) const;
  void RecordError(const std::string& node, const std::string& code);
  void FinishProbe(ProbeRuntime& probe, const SessionJob* job, WallTime now,
                   bool sticky);
  // The address the writer endpoint resolves to now ("" = unknown).
  std::optional<HostPort> CurrentWriterAddress(const SampleContext& ctx) const;

  const std::string kind_ = kPostgresKind;
  PgDatabaseOptions config_;
  PostgresCollectorOptions options_;
  std::shared_ptr<PgClient> client_;
  NodeSet node_set_;
  std::map<std::string, std::unique_ptr<NodeRuntime>> nodes_;
  std::unique_ptr<ProbeRuntime> fresh_;
  std::unique_ptr<ProbeRuntime> sticky_;
  std::string upsert_sql_;
  std::optional<Error> probe_config_error_;
  std::map<std::string, std::map<std::string, std::uint64_t>> errors_total_;
  WriterMemory unconfigured_writers_;
  PromotionLedger promotions_;
};

std::shared_ptr<Collector> MakePostgresCollector(
    const PgDatabaseOptions& config);

}  // namespace failwatch
