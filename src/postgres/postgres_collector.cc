#include "postgres/postgres_collector.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/snapshot.h"
#include "dns/dns_observation.h"
#include "postgres/pg_metrics.h"
#include "postgres/pg_queries.h"
#include "postgres/pg_session.h"
#include "postgres/write_probe_sql.h"

namespace failwatch {

struct PostgresCollector::NodeRuntime {
  std::unique_ptr<PgConnection> session;
  int failures = 0;
  SteadyTime next_attempt{};
  bool ever_up = false;
  std::optional<NodeState> last_up;  // the last state while up
  NodeState last;                    // the last published state
  std::vector<ActivityGroupRow> activity;
  RollbackHistory rollbacks;  // xact_rollback between samples
  std::string logged_code;    // to log state changes once, not every sample
};

struct PostgresCollector::ProbeRuntime {
  std::unique_ptr<PgConnection> session;
  WriteProbePath state;
  std::optional<HostPort> pinned;  // sticky: chosen once, never re-resolved
  WallTime pinned_at{};            // until sticky_max_lifetime passes
};

namespace {

// The first failing statement's SQLSTATE/message, else the job's error.
std::pair<std::string, std::string> JobFailure(const SessionJob& job) {
  for (const QueryResult& r : job.results) {
    if (!r.ok) return {r.sqlstate.empty() ? "08006" : r.sqlstate, r.message};
  }
  if (job.error) return {job.error->code, job.error->message};
  return {"", ""};
}

bool Answered(const std::string& code) {
  // The server answered but refused: reachable, role unknown.
  return !code.empty() && code != "timeout" && code != "08001" &&
         code != "08006";
}

}  // namespace

PostgresCollector::PostgresCollector(PgDatabaseOptions config,
                                     PostgresCollectorOptions options,
                                     std::shared_ptr<PgClient> client)
    : config_(std::move(config)),
      options_(options),
      client_(client ? std::move(client) : LibpqClient()),
      node_set_(options.node_retention) {
  if (config_.write_probe.enabled) {
    auto sql = HeartbeatUpsertSql(config_.write_probe.table,
                                  config_.write_probe.row_id.empty()
                                      ? "failwatch/" + config_.name
                                      : config_.write_probe.row_id);
    if (sql.ok()) {
      upsert_sql_ = *sql;
    } else {
      probe_config_error_ = sql.error();
    }
    fresh_ = std::make_unique<ProbeRuntime>();
    fresh_->session = client_->NewConnection();
    fresh_->state.path = "fresh";
    sticky_ = std::make_unique<ProbeRuntime>();
    sticky_->session = client_->NewConnection();
    sticky_->state.path = "sticky";
  }
}

PostgresCollector::~PostgresCollector() = default;

ConnTarget PostgresCollector::TargetFor(
    const HostPort& address, const std::string& application_name) const {
  ConnTarget t;
  if (IsIpLiteral(address.host)) {
    t.hostaddr = address.host;
    // host is only for TLS verification and must name the server the
    // certificate was issued for: the endpoint.
    t.host = IsIpLiteral(config_.endpoint.host) ? std::string()
                                                : config_.endpoint.host;
  } else {
    t.host = address.host;
  }
  t.port = address.port;
  t.user = config_.user;
  t.password = config_.password;
  t.dbname = config_.dbname;
  t.sslmode = config_.sslmode;
  t.application_name = application_name;
  t.connect_timeout_seconds = static_cast<int>(std::max<long long>(
      1,
      std::chrono::duration_cast<std::chrono::seconds>(config_.schedule.timeout)
          .count()));
  return t;
}

void PostgresCollector::UpdateNodeSet(const SampleContext& ctx) {
  node_set_.SetMembers(config_.members);
  std::shared_ptr<const DnsObservation> dns;
  if (ctx.snapshot) {
    dns = ctx.snapshot->Get(kDnsObservations, config_.name);
  }
  const WallTime since = ctx.now - options_.node_retention;
  if (dns) {
    for (const EndpointDnsState& e : dns->endpoints) {
      node_set_.SeenFromDns(e.AddressesSince(since), e.port, ctx.now);
    }
  } else {
    // Without the DNS collector, an endpoint given as an IP is a node.
    for (const auto& ep :
         {std::optional<HostPort>(config_.endpoint), config_.reader_endpoint}) {
      if (ep && IsIpLiteral(ep->host)) {
        node_set_.SeenFromDns({ep->host}, ep->port, ctx.now);
      }
    }
  }
  node_set_.Expire(ctx.now);
}

std::optional<HostPort> PostgresCollector::CurrentWriterAddress(
    const SampleContext& ctx) const {
  if (IsIpLiteral(config_.endpoint.host)) return config_.endpoint;
  if (!ctx.snapshot) return std::nullopt;
  auto dns = ctx.snapshot->Get(kDnsObservations, config_.name);
  if (!dns) return std::nullopt;
  const EndpointDnsState* writer = dns->Find("writer");
  if (writer == nullptr || writer->addresses.empty()) return std::nullopt;
  return HostPort{*writer->addresses.begin(), writer->port};
}

Millis PostgresCollector::Backoff(int failures, const std::string& code) const {
  // Never retry a failed node sooner than the next tick: a hung node would
  // otherwise cost a full deadline on every sample.
  Millis base = std::max(options_.backoff_base, config_.schedule.interval);
  if (Answered(code)) {
    // The server refused us (auth, privilege, too many connections):
    // retrying fast changes nothing and floods its log.
    return BackoffDelay(failures, base, std::max(base, options_.backoff_max));
  }
  // Down or restarting (a rewind, a promotion's restart): a refused connect
  // costs nothing, and the node coming back is exactly what must be seen
  // quickly. A hung node costs a deadline per try, so it backs off a little.
  const Millis cap = code == "timeout" ? 4 * base : base;
  return BackoffDelay(failures, base, cap);
}

void PostgresCollector::RecordError(const std::string& node,
                                    const std::string& code) {
  errors_total_[node][code.empty() ? "unknown" : code]++;
}

NodeState PostgresCollector::FinishNode(NodeRuntime& rt,
                                        const NodeSetEntry& entry,
                                        const SessionJob* job, WallTime now,
                                        SteadyTime ran_until) {
  const std::string address = entry.address.ToString();
  NodeState st;
  st.address = address;
  st.sources = entry.sources;
  st.sampled_at = now;
  const NodeState& history = rt.last_up ? *rt.last_up : rt.last;
  st.promotions_total = history.promotions_total;
  st.last_promotion = history.last_promotion;
  st.last_demotion = history.last_demotion;

  if (job == nullptr) {  // in backoff: repeat what we know
    st.role = rt.last.role == NodeRole::kUnknown ? NodeRole::kUnknown
                                                 : NodeRole::kUnreachable;
    st.error = rt.last.error;
    return st;
  }

  // A node only a replication view named, never reached, is a guess
  // (client_addr may be a NAT or loopback address): probed, not reported.
  const bool unverified = entry.sources == kSourceDiscovered && !rt.ever_up;
  const bool status_ok = !job->results.empty() && job->results[0].ok;
  if (!status_ok) {
    auto [code, message] = JobFailure(*job);
    FailNode(rt, st, unverified, code.empty() ? "08006" : code, message,
             ran_until);
    return st;
  }
  auto status = ParseNodeStatus(job->results[0].rows);
  if (!status.ok()) {
    FailNode(rt, st, unverified, status.error().code, status.error().message,
             ran_until);
    return st;
  }
  ApplyNodeStatus(*status, st);
  NodeAnswered(rt, st, entry, *job, now);
  return st;
}

void PostgresCollector::NodeAnswered(NodeRuntime& rt, NodeState& st,
                                     const NodeSetEntry& entry,
                                     const SessionJob& job, WallTime now) {
  const std::string& address = st.address;
  rt.failures = 0;
  rt.next_attempt = SteadyTime{};
  rt.ever_up = true;
  if (!rt.logged_code.empty()) {
    spdlog::info("postgres node recovered database={} node={} role={}",
                 config_.name, address, NodeRoleName(st.role));
    rt.logged_code.clear();
  }
  ReadDetails(rt, st, job);
  if (rt.last_up) {
    if (DetectTransition(*rt.last_up, st, now)) {
      spdlog::warn(
          "postgres promotion detected database={} node={} timeline={}",
          config_.name, address, st.timeline.value_or(0));
    } else if (st.last_demotion != rt.last_up->last_demotion) {
      spdlog::warn("postgres demotion detected database={} node={}",
                   config_.name, address);
    }
  }
  rt.last_up = st;
  LearnNodes(st, entry.address.port, now);
}

void PostgresCollector::FailNode(NodeRuntime& rt, NodeState& st,
                                 bool unverified, const std::string& code,
                                 const std::string& message,
                                 SteadyTime ran_until) {
  st.up = false;
  st.role = Answered(code) ? NodeRole::kUnknown : NodeRole::kUnreachable;
  ErrorKind kind = code == "timeout" ? ErrorKind::kTimeout
                   : Answered(code)  ? ErrorKind::kRejected
                                     : ErrorKind::kUnavailable;
  st.error = MakeError(kind, code, message);
  if (!unverified) RecordError(st.address, code);
  rt.failures++;
  // From the end of the sample, so a hung node is not retried at once.
  rt.next_attempt = ran_until + Backoff(rt.failures, code);
  if (ShouldDropSession(code) || code == "timeout") rt.session->Close();
  if (unverified) {
    spdlog::debug(
        "postgres discovered node unreachable database={} "
        "node={} code={}",
        config_.name, st.address, code);
  } else if (rt.logged_code != code) {
    spdlog::warn(
        "postgres node failed database={} node={} code={} error=\"{}\" "
        "retry_in_ms={}",
        config_.name, st.address, code, message,
        Backoff(rt.failures, code).count());
    rt.logged_code = code;
  }
}

// Replication and activity rows of an up node (statements 2 and 3).
void PostgresCollector::ReadDetails(NodeRuntime& rt, NodeState& st,
                                    const SessionJob& job_ref) {
  const SessionJob* job = &job_ref;
  const std::string& address = st.address;
  if (job->results.size() > 1 && job->results[1].ok) {
    auto repl = ParseReplicationRows(job->results[1].rows);
    if (repl.ok()) {
      st.replicas = std::move(*repl);
    } else {
      st.error = repl.error();
    }
  }
  rt.activity.clear();
  if (job->results.size() > 2 && job->results[2].ok) {
    auto act = ParseActivityRows(job->results[2].rows);
    if (act.ok()) {
      rt.activity = std::move(*act);
    } else {
      st.error = act.error();
    }
  } else {
    auto [code, message] = JobFailure(*job);
    st.error = MakeError(ErrorKind::kRejected, code, message);
    RecordError(address, code);
  }
  if (job->error && !st.error) st.error = job->error;
  if (job->error && ShouldDropSession(job->error->code)) rt.session->Close();
}

// Nodes named by the replication views join the node set.
void PostgresCollector::LearnNodes(const NodeState& st, std::uint16_t port,
                                   WallTime now) {
  for (const ReplicaStatus& r : st.replicas) {
    if (!r.client_addr.empty()) {
      node_set_.SeenDiscovered(HostPort{r.client_addr, port}, now);
    }
  }
  if (st.standby && !st.standby->upstream.empty()) {
    auto hp = ParseHostPort(st.standby->upstream, port);
    if (hp.ok()) node_set_.SeenDiscovered(*hp, now);
  }
}

void PostgresCollector::FinishProbe(ProbeRuntime& probe, const SessionJob* job,
                                    WallTime now, bool sticky) {
  WriteProbePath& p = probe.state;
  p.attempted = true;
  p.attempts_total++;
  p.last_attempt = now;
  if (job == nullptr) {  // nothing to write to
    p.ok = false;
    p.latency_seconds = 0;
    p.sqlstate = probe_config_error_ ? probe_config_error_->code : "no_address";
    p.last_error = probe_config_error_
                       ? probe_config_error_->message
                       : "the writer endpoint has no address yet";
    p.failures_total[p.sqlstate]++;
    return;
  }
  p.latency_seconds = ToSeconds(job->finished - job->started);
  auto [code, message] = JobFailure(*job);
  if (code.empty()) {
    p.ok = true;
    p.sqlstate.clear();
    p.last_error.clear();
    p.last_success = now;
  } else {
    p.ok = false;
    p.sqlstate = code;
    p.last_error = message;
    p.failures_total[code]++;
  }
  if (!sticky) {
    probe.session->Close();
    return;
  }
  // Like HikariCP: evict only on connection-level errors, never on 25006.
  if (!code.empty() && code != "25006" &&
      (code.starts_with("08") || code.starts_with("57P") || code == "timeout" ||
       !probe.session->connected())) {
    probe.session->Close();
  }
}

PostgresCollector::SamplePlan PostgresCollector::Plan(const SampleContext& ctx,
                                                      SteadyTime steady_now) {
  SamplePlan plan;
  UpdateNodeSet(ctx);
  plan.entries = node_set_.Entries();
  // Forget runtimes of nodes that left the set.
  for (auto it = nodes_.begin(); it != nodes_.end();) {
    bool present =
        std::any_of(plan.entries.begin(), plan.entries.end(),
                    [&](auto& e) { return e.address.ToString() == it->first; });
    it = present ? std::next(it) : nodes_.erase(it);
  }
  plan.jobs.reserve(plan.entries.size() + 2);
  plan.job_of.assign(plan.entries.size(), -1);
  for (std::size_t i = 0; i < plan.entries.size(); ++i) {
    const std::string address = plan.entries[i].address.ToString();
    auto& rt = nodes_[address];
    if (!rt) {
      rt = std::make_unique<NodeRuntime>();
      rt->session = client_->NewConnection();
      // A node back in the set continues its promotion count.
      rt->last.promotions_total = promotions_.Of(address);
    }
    if (rt->failures > 0 && steady_now < rt->next_attempt) continue;
    SessionJob job;
    job.session = rt->session.get();
    job.target = TargetFor(plan.entries[i].address, kMonitorApplicationName);
    job.sql = NodeSampleSql();
    plan.job_of[i] = static_cast<int>(plan.jobs.size());
    plan.jobs.push_back(std::move(job));
  }
  if (fresh_ && !probe_config_error_) PlanProbes(ctx, plan);
  return plan;
}

void PostgresCollector::PlanProbes(const SampleContext& ctx, SamplePlan& plan) {
  auto add_job = [&](ProbeRuntime& probe, const HostPort& to,
                     const char* path) {
    probe.state.address = to.ToString();
    SessionJob job;
    job.session = probe.session.get();
    job.target = TargetFor(to, std::string(kProbeApplicationPrefix) + path);
    job.sql = upsert_sql_;
    plan.jobs.push_back(std::move(job));
    return static_cast<int>(plan.jobs.size()) - 1;
  };
  auto writer = CurrentWriterAddress(ctx);
  if (writer) {
    fresh_->session->Close();
    plan.fresh_job = add_job(*fresh_, *writer, "fresh");
  }
  if (sticky_->pinned &&
      ctx.now - sticky_->pinned_at >= config_.write_probe.sticky_max_lifetime) {
    // A pool's maxLifetime: the only thing that ever moves a naive pool
    // off a demoted node short of a restart.
    spdlog::info(
        "postgres sticky write probe recycled database={} old={} "
        "max_lifetime_ms={}",
        config_.name, sticky_->pinned->ToString(),
        config_.write_probe.sticky_max_lifetime.count());
    sticky_->session->Close();
    sticky_->pinned.reset();
  }
  if (!sticky_->pinned && writer) {
    sticky_->pinned = writer;
    sticky_->pinned_at = ctx.now;
  }
  if (sticky_->pinned) {
    plan.sticky_job = add_job(*sticky_, *sticky_->pinned, "sticky");
  }
}

std::map<std::string, std::int64_t> PostgresCollector::OwnFailures(
    const SamplePlan& plan) const {
  // Each failed probe write and each failed monitoring round trip rolls
  // back one transaction there (counted even when it may not have reached
  // the server: too many only hides rollbacks for a sample).
  std::map<std::string, std::int64_t> own_failures;
  auto count = [&](const std::string& address, const SessionJob* job) {
    if (job != nullptr && !JobFailure(*job).first.empty()) {
      own_failures[address]++;
    }
  };
  if (fresh_) count(fresh_->state.address, plan.Job(plan.fresh_job));
  if (sticky_) count(sticky_->state.address, plan.Job(plan.sticky_job));
  for (std::size_t i = 0; i < plan.entries.size(); ++i) {
    count(plan.entries[i].address.ToString(), plan.Job(plan.job_of[i]));
  }
  return own_failures;
}

void PostgresCollector::FoldNodes(const SamplePlan& plan, WallTime now,
                                  PgObservation& obs,
                                  std::vector<NodeActivity>& activity) {
  std::map<std::string, std::int64_t> own_failures = OwnFailures(plan);
  for (std::size_t i = 0; i < plan.entries.size(); ++i) {
    const std::string address = plan.entries[i].address.ToString();
    NodeRuntime& rt = *nodes_[address];
    NodeState st = FinishNode(rt, plan.entries[i], plan.Job(plan.job_of[i]),
                              now, plan.ran_until);
    TrackRollbacks(rt.rollbacks, st, own_failures[address], now);
    promotions_.Record(address, st.promotions_total);
    rt.last = st;
    // Unverified discovered nodes (see FinishNode) are not reported.
    if (plan.entries[i].sources == kSourceDiscovered && !rt.ever_up) continue;
    if (st.up) activity.push_back({address, rt.activity});
    obs.nodes.push_back(std::move(st));
  }
  obs.writer = MarkSupersededAndFindWriter(obs.nodes);
  for (const NodeState& n : obs.nodes) {
    if (n.up && n.role == NodeRole::kPrimary) obs.primaries++;
    obs.last_promotion = std::max(obs.last_promotion, n.last_promotion);
  }
  // Nodes that left the set keep their promotions in the database total.
  obs.promotions_total = promotions_.Total();
}

void PostgresCollector::AddEndpointTargets(const SampleContext& ctx,
                                           PgObservation& obs) const {
  // Endpoint -> node role, for the addresses the endpoints resolve to now.
  std::shared_ptr<const DnsObservation> dns;
  if (ctx.snapshot) dns = ctx.snapshot->Get(kDnsObservations, config_.name);
  auto add_target = [&](const std::string& endpoint, const std::string& role,
                        const HostPort& hp) {
    EndpointTarget t;
    t.endpoint = endpoint;
    t.endpoint_role = role;
    t.address = hp.ToString();
    if (const NodeState* n = obs.FindNode(t.address)) {
      t.node_role = n->role;
      t.superseded = n->superseded;
    }
    obs.endpoint_targets.push_back(std::move(t));
  };
  if (dns) {
    for (const EndpointDnsState& e : dns->endpoints) {
      for (const std::string& ip : e.addresses) {
        add_target(e.endpoint, e.role, HostPort{ip, e.port});
      }
    }
    return;
  }
  if (IsIpLiteral(config_.endpoint.host)) {
    add_target(config_.endpoint.ToString(), "writer", config_.endpoint);
  }
  if (config_.reader_endpoint && IsIpLiteral(config_.reader_endpoint->host)) {
    add_target(config_.reader_endpoint->ToString(), "reader",
               *config_.reader_endpoint);
  }
}

SampleOutput PostgresCollector::Sample(const SampleContext& ctx) {
  const WallTime now = ctx.now;
  const SteadyTime steady_now = ctx.clock->Steady();
  Millis budget = ctx.Remaining();
  Millis margin = std::clamp(budget / 10, Millis(5), options_.output_margin);
  const SteadyTime deadline = steady_now + budget - margin;

  SamplePlan plan = Plan(ctx, steady_now);
  std::vector<SessionJob*> job_ptrs;
  for (auto& j : plan.jobs) job_ptrs.push_back(&j);
  client_->Run(job_ptrs, deadline, *ctx.clock);
  plan.ran_until = ctx.clock->Steady();

  auto obs = std::make_shared<PgObservation>();
  obs->database = config_.name;
  obs->sampled_at = now;
  std::vector<NodeActivity> activity;
  FoldNodes(plan, now, *obs, activity);
  for (const NodeActivity& a : activity) {
    for (auto& g : BoundedGroups(a, options_.max_groups_per_node)) {
      obs->app_connections.push_back(std::move(g));
    }
  }
  obs->stale_app_connections = ClassifyStaleConnections(
      config_.apps, obs->nodes, activity, obs->last_promotion);
  obs->unconfigured_writers = TrackUnconfiguredWriters(
      FindUnconfiguredClients(config_.apps, obs->nodes, activity,
                              obs->last_promotion),
      now, options_.unconfigured_writer_linger, unconfigured_writers_);
  AddEndpointTargets(ctx, *obs);

  if (fresh_) {
    if (probe_config_error_ || plan.fresh_job < 0) {
      fresh_->state.address.clear();
    }
    FinishProbe(*fresh_, plan.Job(plan.fresh_job), now, false);
    FinishProbe(*sticky_, plan.Job(plan.sticky_job), now, true);
    obs->write_probes = {fresh_->state, sticky_->state};
  }
  obs->errors_total = errors_total_;

  SampleOutput out;
  out.families = BuildPgFamilies(*obs, config_);
  bool any_up = std::any_of(obs->nodes.begin(), obs->nodes.end(),
                            [](const NodeState& n) { return n.up; });
  if (!any_up) {
    out.error = MakeError(
        ErrorKind::kUnavailable, "no_node_up",
        obs->nodes.empty() ? "no node known yet" : "no node answered");
  }
  out.observation = std::move(obs);
  return out;
}

std::shared_ptr<Collector> MakePostgresCollector(
    const PgDatabaseOptions& config) {
  return std::make_shared<PostgresCollector>(config);
}

}  // namespace failwatch
