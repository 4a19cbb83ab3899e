// Runs every target on its own schedule, each on its own worker thread, so
// a slow or hung target never delays another or the HTTP server. A
// supervisor thread marks samples that overrun their deadline as failed
// ("abandoned") without waiting for them, and beats the heartbeat /healthz
// reads.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "core/collector.h"
#include "core/snapshot.h"

namespace failwatch {

struct ScheduledTarget {
  std::shared_ptr<Collector> collector;
  Schedule schedule;
};

// The --once phase of each target (same order): 0 for a target that reads
// nothing, else one more than the highest phase of the kinds it reads
// (Collector::reads), so each sample sees what it reads already published.
// Kinds no target has are ignored; a cycle is broken at the kind read back.
std::vector<int> OncePhases(const std::vector<ScheduledTarget>& targets);

class Scheduler {
 public:
  // How long past its deadline a sample may run before it is abandoned.
  // Collectors honour deadlines themselves; this is the safety net.
  static constexpr Millis kAbandonGrace{200};
  static constexpr Millis kSupervisorTick{100};

  Scheduler(SnapshotStore& store, const Clock& clock);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Registers the targets in the snapshot (unsampled) and starts sampling.
  // Targets in the snapshot that are not in `targets` are removed.
  void Start(std::vector<ScheduledTarget> targets);
  // Stops all workers. A worker stuck in a sample is detached after
  // `grace`; it owns what it needs, so that is safe.
  void Stop(Millis grace = Millis(2000));

  // One sample of every target, concurrently; returns when each finished or
  // was abandoned. For --once and tests. Must not be used while started.
  void RunOnce(std::vector<ScheduledTarget> targets);

  // Steady time of the supervisor's last beat; stale = scheduler stuck.
  SteadyTime LastHeartbeat() const;

 private:
  struct Worker;

  void RegisterTargets(const std::vector<ScheduledTarget>& targets);
  void RunWorker(const std::shared_ptr<Worker>& worker);
  // Waits for the worker's next tick; false once the worker is retired.
  bool WaitForTick(Worker& worker, SteadyTime next);
  // The tick after `next`, recording whole intervals a long sample missed.
  SteadyTime NextTick(const Worker& worker, SteadyTime next);
  bool Retired(const Worker& worker);
  // Runs one sample and publishes its result unless it was abandoned.
  void SampleOnce(Worker& worker);
  // Claims the worker's collector for one sample; false (and the tick
  // recorded as skipped) while another worker is still inside its Sample().
  bool BeginSample(Worker& worker, SteadyTime started, SteadyTime deadline);
  // Clears the in-flight mark; false when a reload abandoned the sample
  // meanwhile (its result is discarded).
  bool EndSample(Worker& worker, SteadyTime started, SteadyTime finished);
  void RecordSkipped(const TargetKey& key, std::uint64_t ticks);
  void Supervise();
  // Marks in-flight samples past deadline + grace abandoned. mu_ held.
  void MarkOverdue(const std::vector<std::shared_ptr<Worker>>& workers,
                   SteadyTime now, std::vector<std::shared_ptr<Worker>>& out);
  void PublishAbandoned(const Worker& worker, SteadyTime now, WallTime wall);
  void RunPhase(std::vector<ScheduledTarget>& targets);

  SnapshotStore& store_;
  const Clock& clock_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::vector<std::shared_ptr<Worker>> workers_;
  // Workers Stop() detached inside a sample. A reload may hand their
  // collector to a new worker, so the supervisor keeps abandoning them and
  // `sampling_` keeps the new worker out until they return.
  std::vector<std::shared_ptr<Worker>> retired_;
  // Collectors inside Sample() right now: Collector promises one call at a
  // time. The sampling worker holds the shared_ptr, so an address here is
  // never reused by another collector while it is listed.
  std::set<const Collector*> sampling_;
  std::thread supervisor_;
  std::atomic<long long> heartbeat_ns_{0};
};

}  // namespace failwatch
