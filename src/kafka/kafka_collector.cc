#include "kafka/kafka_collector.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <optional>

#include "core/io_clock.h"
#include "kafka/admin_worker_client.h"
#include "kafka/canary_metrics.h"
#include "kafka/canary_runner.h"
#include "kafka/data_handle_reset.h"
#include "kafka/dlt_tracker.h"
#include "kafka/group_discovery.h"
#include "kafka/group_lifecycle.h"
#include "kafka/kafka_metrics.h"
#include "kafka/kafka_observation.h"
#include "kafka/kafka_reader.h"
#include "kafka/kafka_tracker.h"
#include "kafka/lag_flags.h"
#include "kafka/lag_timestamps.h"
#include "kafka/rdkafka_handle.h"
#include "kafka/record_reader.h"

namespace failwatch {
namespace {

class KafkaCollector final : public Collector {
 public:
  KafkaCollector(KafkaClusterConfig cluster, KafkaOptions options)
      : cluster_(std::move(cluster)),
        options_(std::move(options)),
        tracker_(KafkaTracker::Create(cluster_, options_)),
        discovery_(WithoutGroups(cluster_), options_),
        dlt_(cluster_, options_),
        reset_policy_(options_.data_handle_reset_after_failures,
                      options_.data_handle_reset_backoff_max) {
    // The config loader checks each property alone (rdkafka_property_check.h);
    // this checks them with failwatch's own settings, once per collector
    // (startup and reload): a bad one is logged now and fails every sample
    // with the same message, instead of surfacing as a connection error.
    if (Status s = ValidateKafkaProperties(cluster_); !s.ok()) {
      config_error_ = s.error();
    }
    // The trackers hold what they need of the groups; the rest connects.
    cluster_ = WithoutGroups(cluster_);
    if (!config_error_ && options_.admin_worker) {
      admin_ = std::make_unique<AdminWorkerClient>(cluster_, options_);
    }
    if (config_error_) {
      spdlog::error("kafka cluster not started cluster={} error=\"{}\"",
                    cluster_.name, config_error_->ToString());
    }
  }

  ~KafkaCollector() override {
    // A handle the cluster stopped answering can take a while to destroy.
    DestroyDetached(std::move(data_), abandoned_data_);
  }

  const std::string& kind() const override { return kind_; }
  const std::string& target() const override { return cluster_.name; }

  SampleOutput Sample(const SampleContext& ctx) override {
    if (config_error_) {
      SampleOutput out;
      out.error = config_error_;
      return out;
    }
    // The budget is read on the sampler's clock (ctx.clock: the reset
    // backoff's time line). librdkafka waits in real time, so the reads get
    // it as a deadline on IoClock (core/io_clock.h), where the phases and
    // budget shares are measured too; outside tests both are one clock.
    budget_ = ctx.deadline - ctx.clock->Steady();
    sample_start_ = IoClock().Steady();
    // librdkafka calls return at their timeout, not before: keep a margin
    // so a failing sample still returns before the deadline.
    const SteadyTime deadline =
        sample_start_ + budget_ -
        std::min<SteadyTime::duration>(Millis(50), budget_ / 20);
    stats_.phase_seconds.clear();
    if (!data_) {
      auto h = CreateHandle(cluster_, HandleRole::kData);
      if (!h.ok()) return Fail(ctx, h.error());
      data_ = std::move(h).value();
    }
    SampleReadings in;
    in.now = ctx.now;
    if (auto error = ReadMetadataInto(in, deadline)) return Fail(ctx, *error);
    ReadWatermarksInto(in, deadline);
    const auto plan = tracker_->PlanFetch(in.metadata, view(), ctx.now);
    ReadCommittedInto(in, plan, deadline);
    DiscoverForNextSample(plan, deadline);
    in.discovery = view();
    return Fold(ctx, in, deadline);
  }

 private:
  std::optional<Error> ReadMetadataInto(SampleReadings& in,
                                        SteadyTime deadline) {
    const auto t0 = IoClock().Steady();
    auto metadata = ReadMetadata(data_.get(), deadline);
    Phase("metadata", t0);
    if (!metadata.ok()) return metadata.error();
    in.metadata = std::move(metadata).value();
    return std::nullopt;
  }

  void ReadWatermarksInto(SampleReadings& in, SteadyTime deadline) {
    tracker_->SetDltTopics(dlt_.dlt_topics());
    const auto partitions = tracker_->PartitionsOfInterest(in.metadata);
    const auto t0 = IoClock().Steady();
    auto wm =
        options_.batched_watermarks
            ? ReadWatermarksBatched(data_.get(), partitions,
                                    {options_.watermark_max_partitions,
                                     options_.watermark_parallel_requests},
                                    deadline)
            : ReadWatermarksPerPartition(data_.get(), partitions, deadline);
    Phase("watermarks", t0);
    if (wm.ok()) {
      in.watermarks = std::move(wm).value();
    } else {
      in.watermark_error = wm.error();
    }
  }

  void ReadCommittedInto(SampleReadings& in,
                         const std::vector<CommittedRequest>& plan,
                         SteadyTime deadline) {
    const auto t0 = IoClock().Steady();
    const FetchLimits limits{options_.max_concurrent_group_fetches,
                             options_.offset_fetch_max_partitions};
    in.committed = ReadCommitted(plan, limits, deadline);
    // Brokers that answer a NULL list with nothing (or groups with no
    // commit) get an explicit probe in the same sample.
    const auto follow_up = tracker_->PlanProbeFollowUp(in.committed);
    if (!follow_up.empty()) {
      auto more = ReadCommitted(follow_up, limits, deadline);
      for (auto& [group, res] : more) {
        in.committed.insert_or_assign(group, std::move(res));
      }
    }
    Phase("committed", t0);
  }

  // Discovery feeds the next sample; it gets a share of the budget, and a
  // silent discovery handle counts as wedged only when the data handle
  // just answered.
  void DiscoverForNextSample(const std::vector<CommittedRequest>& plan,
                             SteadyTime deadline) {
    const auto t0 = IoClock().Steady();
    std::vector<std::string> groups;
    for (const auto& r : plan) groups.push_back(r.group);
    const auto left = deadline - t0;
    const auto share = std::chrono::duration_cast<SteadyTime::duration>(
        (deadline - sample_start_) * options_.discovery_budget_share);
    RunDiscovery(groups, t0, t0 + std::min(left, share));
    Phase("discovery", t0);
  }

  // The readings into the observation, then the reads that depend on it
  // (lag timestamps, dead-letter records) and the canary's state.
  SampleOutput Fold(const SampleContext& ctx, const SampleReadings& in,
                    SteadyTime deadline) {
    reset_policy_.OnSuccess();
    stats_.data_handle_reset_backoff_seconds = 0;
    auto obs = tracker_->Update(in);
    stats_.topic_probes_pending = tracker_->probes_pending();
    stats_.topic_probe_partitions_total = tracker_->probe_partitions_total();
    stats_.offset_fetch_all = tracker_->all_fetch_state();
    FlagExpiredCommits(*obs);
    ReadLagTimestamps(*obs, deadline);
    ReadDlts(*obs, in, deadline);
    obs->canary = CanaryNow(ctx);
    // Only a read sample: a failed one keeps the previous describe.
    LogGroupLifecycleChanges(cluster_.name, lifecycle_.Observe(*obs));
    SampleOutput out;
    Finish(out, *obs);
    if (in.watermark_error) out.error = in.watermark_error;
    out.observation = std::move(obs);
    return out;
  }

  // Coordinator admin calls go to the worker process when there is one.
  std::map<std::string, Result<CommittedOffsets>> ReadCommitted(
      const std::vector<CommittedRequest>& plan, const FetchLimits& limits,
      SteadyTime deadline) {
    if (admin_) return admin_->ReadCommitted(plan, limits, deadline);
    return ReadCommittedOffsets(data_.get(), plan, limits, deadline);
  }

  // A silent discovery handle counts as wedged only when the data handle
  // just answered (data_ok). A lost worker keeps the last view.
  void RunDiscovery(const std::vector<std::string>& groups, SteadyTime now,
                    SteadyTime deadline) {
    if (!admin_) {
      discovery_.Run(groups, /*data_ok=*/true, now, deadline);
      return;
    }
    if (!options_.group_discovery) return;
    auto answer = admin_->Discover(groups, /*data_ok=*/true, deadline);
    if (!answer.ok()) return;
    if (answer.value().view) worker_view_ = std::move(*answer.value().view);
    worker_discovery_ = answer.value();
    worker_discovery_.view.reset();
  }

  const DiscoveryView& view() const {
    return admin_ ? worker_view_ : discovery_.view();
  }

  void Phase(const char* name, SteadyTime start) {
    stats_.phase_seconds[name] = ToSeconds(IoClock().Steady() - start);
  }

  // Exact lag in seconds for the most lagging partitions, when enabled,
  // within a share of the budget.
  void ReadLagTimestamps(KafkaObservation& obs, SteadyTime deadline) {
    stats_.lag_seconds_from_records = 0;
    if (options_.lag_timestamp_reads == 0) return;
    const auto t0 = IoClock().Steady();
    const auto reads = PlanLagTimestampReads(obs, options_.lag_timestamp_reads);
    if (!reads.empty()) {
      const auto share = std::chrono::duration_cast<SteadyTime::duration>(
          (deadline - sample_start_) * options_.lag_timestamp_budget_share);
      const auto results = ReadRecords(data_.get(), reads, false,
                                       std::min(deadline, t0 + share));
      stats_.lag_seconds_from_records = ApplyLagTimestamps(obs, reads, results);
      stats_.lag_timestamp_reads_total += reads.size();
      for (const auto& r : results) {
        if (!r.ok()) ++stats_.lag_timestamp_read_failures_total;
      }
    }
    Phase("lag_timestamps", t0);
  }

  // Dead-letter state: depth and arrivals from this sample's offsets, then
  // the few record reads whose offsets moved, within a share of the budget.
  void ReadDlts(KafkaObservation& obs, const SampleReadings& in,
                SteadyTime deadline) {
    const auto t0 = IoClock().Steady();
    const auto reads =
        dlt_.Plan(obs, in.metadata, in.watermarks, !in.watermark_error);
    std::vector<Result<std::vector<RecordInfo>>> results;
    if (!reads.empty()) {
      const auto share = std::chrono::duration_cast<SteadyTime::duration>(
          (deadline - sample_start_) * options_.dlt_budget_share);
      results = ReadRecords(data_.get(), reads, options_.dlt_read_headers,
                            std::min(deadline, t0 + share));
    }
    dlt_.Apply(obs, results);
    stats_.dlt_reads_total += reads.size();
    for (const auto& r : results) {
      if (!r.ok()) ++stats_.dlt_read_failures_total;
    }
    Phase("dlt", t0);
  }

  SampleOutput Fail(const SampleContext& ctx, const Error& error) {
    SampleOutput out;
    out.error = error;
    // The sample's budget is the backoff's unit.
    const auto budget = std::chrono::duration_cast<Millis>(budget_);
    const int failures = reset_policy_.consecutive_failures() + 1;
    if (data_ && reset_policy_.OnFailure(ctx.clock->Steady(), budget)) {
      spdlog::warn(
          "kafka data handle reset after repeated failures "
          "cluster={} failures={} next_reset_after_s={:.3f} error=\"{}\"",
          cluster_.name, failures, ToSeconds(reset_policy_.backoff()),
          error.ToString());
      DestroyDetached(std::move(data_), abandoned_data_);
      data_.reset();
      ++stats_.data_handle_resets_total;
    }
    stats_.data_handle_reset_backoff_seconds =
        ToSeconds(reset_policy_.backoff());
    auto obs = tracker_->UpdateFailed(error, ctx.now, view());
    if (std::optional<CanaryState> canary = CanaryNow(ctx)) {
      // The canary tells most when the cluster is unreadable.
      auto copy = std::make_shared<KafkaObservation>(*obs);
      copy->canary = std::move(canary);
      obs = std::move(copy);
    }
    Finish(out, *obs);
    out.observation = std::move(obs);
    return out;
  }

  void Finish(SampleOutput& out, const KafkaObservation& obs) {
    if (admin_) {
      stats_.discovery_handles_replaced_total =
          worker_discovery_.handles_replaced;
      stats_.discovery_handles_abandoned = worker_discovery_.abandoned_pending;
      stats_.discovery_disabled =
          !options_.group_discovery || worker_discovery_.disabled;
      stats_.admin_worker_enabled = true;
      stats_.admin_worker_restarts = admin_->restarts();
    } else {
      stats_.discovery_handles_replaced_total = discovery_.handles_replaced();
      stats_.discovery_handles_abandoned = discovery_.abandoned_pending();
      stats_.discovery_disabled = discovery_.disabled();
    }
    out.families = BuildKafkaFamilies(obs, options_, stats_);
    AppendGroupLifecycleFamilies(cluster_.name, lifecycle_, out.families);
    AppendLagCaveatFamilies(obs, out.families);
    if (obs.canary)
      AppendCanaryFamilies(cluster_.name, *obs.canary, out.families);
  }

  // The canary runs on its own thread from the first sample on (with the
  // sampler's clock); each sample publishes its state.
  std::optional<CanaryState> CanaryNow(const SampleContext& ctx) {
    if (!cluster_.canary.enabled) return std::nullopt;
    if (!canary_) {
      canary_ = std::make_unique<CanaryRunner>(
          cluster_, cluster_.schedule.interval, *ctx.clock);
    }
    return canary_->State();
  }

  const std::string kind_ = kKafkaKind;
  KafkaClusterConfig cluster_;
  KafkaOptions options_;
  std::optional<Error> config_error_;
  std::unique_ptr<KafkaTracker> tracker_;
  RdKafkaPtr data_;
  std::shared_ptr<std::atomic<int>> abandoned_data_ =
      std::make_shared<std::atomic<int>>(0);
  GroupDiscovery discovery_;  // in-process (options_.admin_worker false)
  std::unique_ptr<AdminWorkerClient> admin_;
  DiscoveryView worker_view_;
  DiscoveryAnswer worker_discovery_;
  DltTracker dlt_;
  KafkaCollectorStats stats_;
  DataHandleResetPolicy reset_policy_;
  std::unique_ptr<CanaryRunner> canary_;
  GroupLifecycle lifecycle_;
  SteadyTime::duration budget_{};  // this sample's, on ctx.clock
  SteadyTime sample_start_{};      // on IoClock
};

}  // namespace

std::shared_ptr<Collector> MakeKafkaCollector(
    const KafkaClusterConfig& cluster) {
  return MakeKafkaCollector(cluster, KafkaOptionsFromConfig(cluster));
}

std::shared_ptr<Collector> MakeKafkaCollector(const KafkaClusterConfig& cluster,
                                              const KafkaOptions& options) {
  return std::make_shared<KafkaCollector>(cluster, options);
}

}  // namespace failwatch
