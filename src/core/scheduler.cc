#include "core/scheduler.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <future>
#include <map>
#include <set>

#include "core/memory_release.h"

namespace failwatch {

struct Scheduler::Worker {
  ScheduledTarget target;
  TargetKey key;
  std::thread thread;
  std::promise<void> exited;
  std::future<void> exited_future = exited.get_future();

  // Guarded by Scheduler::mu_.
  bool in_flight = false;
  bool abandoned = false;
  // Set by Stop(): the worker exits at its next tick, never sampling again,
  // even after a Start() clears stopping_ for the next workers.
  bool retired = false;
  SteadyTime started{};
  SteadyTime deadline{};
};

Scheduler::Scheduler(SnapshotStore& store, const Clock& clock)
    : store_(store), clock_(clock) {
  heartbeat_ns_ = clock_.Steady().time_since_epoch().count();
}

Scheduler::~Scheduler() { Stop(); }

SteadyTime Scheduler::LastHeartbeat() const {
  return SteadyTime(SteadyTime::duration(heartbeat_ns_.load()));
}

void Scheduler::RegisterTargets(const std::vector<ScheduledTarget>& targets) {
  store_.Update([&](Snapshot& snap) {
    std::map<TargetKey, TargetState> next;
    for (const auto& t : targets) {
      TargetKey key{t.collector->kind(), t.collector->target()};
      auto it = snap.targets.find(key);
      TargetState state = it != snap.targets.end() ? it->second : TargetState{};
      state.key = key;
      state.schedule = t.schedule;
      next[key] = std::move(state);
    }
    snap.targets = std::move(next);
  });
}

void Scheduler::Start(std::vector<ScheduledTarget> targets) {
  Stop();
  RegisterTargets(targets);
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = false;
    for (auto& t : targets) {
      auto w = std::make_shared<Worker>();
      w->key = TargetKey{t.collector->kind(), t.collector->target()};
      w->target = std::move(t);
      workers_.push_back(w);
    }
  }
  for (auto& w : workers_) {
    w->thread = std::thread([this, w] { RunWorker(w); });
  }
  supervisor_ = std::thread([this] { Supervise(); });
}

void Scheduler::Stop(Millis grace) {
  std::vector<std::shared_ptr<Worker>> workers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    workers.swap(workers_);
    for (auto& w : workers) w->retired = true;
  }
  cv_.notify_all();
  if (supervisor_.joinable()) supervisor_.join();
  const SteadyTime until = std::chrono::steady_clock::now() + grace;
  for (auto& w : workers) {
    if (!w->thread.joinable()) continue;
    if (w->exited_future.wait_until(until) == std::future_status::ready) {
      w->thread.join();
    } else {
      spdlog::warn(
          "worker still in a sample at shutdown, detaching "
          "collector={} target={}",
          w->key.kind, w->key.target);
      w->thread.detach();
      std::lock_guard<std::mutex> lock(mu_);
      retired_.push_back(w);
    }
  }
}

void Scheduler::RunWorker(const std::shared_ptr<Worker>& worker) {
  SteadyTime next = clock_.Steady();
  while (WaitForTick(*worker, next)) {
    SampleOnce(*worker);
    // A worker detached mid-sample is replaced: its cadence is not ours.
    if (Retired(*worker)) break;
    next = NextTick(*worker, next);
  }
  worker->exited.set_value();
}

bool Scheduler::WaitForTick(Worker& worker, SteadyTime next) {
  std::unique_lock<std::mutex> lock(mu_);
  // Real-time wait: the scheduler always runs on the system clock; a
  // FakeClock is for the pure parts.
  cv_.wait_until(lock, next, [&] { return worker.retired; });
  return !worker.retired;
}

bool Scheduler::Retired(const Worker& worker) {
  std::lock_guard<std::mutex> lock(mu_);
  return worker.retired;
}

SteadyTime Scheduler::NextTick(const Worker& worker, SteadyTime next) {
  // Keep a fixed cadence; if a sample overran whole intervals, skip them
  // rather than bursting to catch up.
  const Millis interval = worker.target.schedule.interval;
  next += interval;
  const SteadyTime now = clock_.Steady();
  if (next <= now) {
    auto missed = (now - next) / interval + 1;
    next += interval * missed;
    RecordSkipped(worker.key, static_cast<std::uint64_t>(missed));
  }
  return next;
}

void Scheduler::RecordSkipped(const TargetKey& key, std::uint64_t ticks) {
  store_.Update([&](Snapshot& snap) {
    auto it = snap.targets.find(key);
    if (it != snap.targets.end()) it->second.skipped_total += ticks;
  });
}

bool Scheduler::BeginSample(Worker& worker, SteadyTime started,
                            SteadyTime deadline) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (sampling_.insert(worker.target.collector.get()).second) {
      worker.in_flight = true;
      worker.abandoned = false;
      worker.started = started;
      worker.deadline = deadline;
      return true;
    }
  }
  // Only a worker retired by a reload that kept this collector can still be
  // inside it; the supervisor publishes its overrun.
  spdlog::debug(
      "previous sample still running, tick skipped collector={} "
      "target={}",
      worker.key.kind, worker.key.target);
  RecordSkipped(worker.key, 1);
  return false;
}

bool Scheduler::EndSample(Worker& worker, SteadyTime started,
                          SteadyTime finished) {
  bool abandoned;
  {
    std::lock_guard<std::mutex> lock(mu_);
    worker.in_flight = false;
    sampling_.erase(worker.target.collector.get());
    abandoned = worker.abandoned;
  }
  if (abandoned) {
    spdlog::warn(
        "abandoned sample returned late, result discarded "
        "collector={} target={} duration_seconds={:.3f}",
        worker.key.kind, worker.key.target, ToSeconds(finished - started));
  }
  return !abandoned;
}

void Scheduler::SampleOnce(Worker& worker) {
  SampleContext ctx;
  ctx.clock = &clock_;
  ctx.now = clock_.Wall();
  const SteadyTime started = clock_.Steady();
  ctx.deadline = started + worker.target.schedule.timeout;
  ctx.snapshot = store_.Current();
  if (!BeginSample(worker, started, ctx.deadline)) return;

  SampleOutput out = worker.target.collector->Sample(ctx);
  // The collector is done with the previous snapshot: dropping it here lets
  // the publish below free that snapshot's observations before the trim
  // (otherwise their pages stay in the arenas until the next sample: one
  // whole Kafka observation, ~34 MB at 100 000 group-partitions).
  ctx.snapshot.reset();

  const SteadyTime finished = clock_.Steady();
  if (!EndSample(worker, started, finished)) return;
  const bool late = finished > ctx.deadline;
  if (late && !out.error) {
    out.error = MakeError(ErrorKind::kTimeout, "deadline_exceeded",
                          "sample finished after its deadline");
  }
  if (out.error) {
    spdlog::debug("sample failed collector={} target={} error=\"{}\"",
                  worker.key.kind, worker.key.target, out.error->ToString());
  }
  // Rendered here, on this target's thread, so no scrape pays for it; the
  // structs are freed before the publish (they are several times larger).
  auto rendered = RenderFamilies(out.families);
  out.families =
      std::vector<prometheus::MetricFamily>();  // frees, `= {}` keeps
  store_.Update([&](Snapshot& snap) {
    auto it = snap.targets.find(worker.key);
    if (it == snap.targets.end()) return;  // removed by a reload meanwhile
    TargetState& s = it->second;
    s.rendered = rendered;
    if (out.observation) s.observation = out.observation;
    s.error = out.error;
    s.sampled = true;
    s.last_sample_time = ctx.now;
    s.last_duration_seconds = ToSeconds(finished - started);
    s.samples_total++;
    if (out.error) {
      s.failures_total++;
      if (late) s.deadline_exceeded_total++;
    } else {
      s.last_success_time = ctx.now;
    }
  });
  // The previous snapshot's state is gone now too.
  ReleaseFreedMemory();
}

void Scheduler::Supervise() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    const SteadyTime now = clock_.Steady();
    heartbeat_ns_ = now.time_since_epoch().count();
    // A retired worker out of its sample never samples again.
    std::erase_if(retired_, [](const auto& w) { return !w->in_flight; });
    std::vector<std::shared_ptr<Worker>> overdue;
    MarkOverdue(workers_, now, overdue);
    MarkOverdue(retired_, now, overdue);
    if (!overdue.empty()) {
      lock.unlock();
      const WallTime wall = clock_.Wall();
      for (const auto& w : overdue) PublishAbandoned(*w, now, wall);
      lock.lock();
      continue;
    }
    cv_.wait_for(lock, kSupervisorTick, [&] { return stopping_; });
  }
}

void Scheduler::MarkOverdue(const std::vector<std::shared_ptr<Worker>>& workers,
                            SteadyTime now,
                            std::vector<std::shared_ptr<Worker>>& out) {
  for (const auto& w : workers) {
    if (w->in_flight && !w->abandoned && now > w->deadline + kAbandonGrace) {
      w->abandoned = true;
      out.push_back(w);
    }
  }
}

void Scheduler::PublishAbandoned(const Worker& w, SteadyTime now,
                                 WallTime wall) {
  spdlog::warn(
      "sample overran its deadline, abandoned collector={} "
      "target={} timeout={}ms",
      w.key.kind, w.key.target, w.target.schedule.timeout.count());
  const double ran = ToSeconds(now - w.started);
  store_.Update([&](Snapshot& snap) {
    auto it = snap.targets.find(w.key);
    if (it == snap.targets.end()) return;
    TargetState& s = it->second;
    // No stale data served as current.
    s.rendered = nullptr;
    s.error = MakeError(ErrorKind::kTimeout, "deadline_exceeded",
                        "sample overran its deadline and was abandoned");
    s.sampled = true;
    s.last_sample_time = wall;
    s.last_duration_seconds = ran;
    s.samples_total++;
    s.failures_total++;
    s.deadline_exceeded_total++;
  });
}

namespace {

int KindPhase(const std::string& kind,
              const std::map<std::string, std::set<std::string>>& reads,
              std::map<std::string, int>& memo, std::set<std::string>& open) {
  if (auto it = memo.find(kind); it != memo.end()) return it->second;
  if (!open.insert(kind).second) return -1;  // a cycle: read it as it is
  int phase = 0;
  for (const std::string& dep : reads.at(kind)) {
    if (!reads.contains(dep)) continue;
    phase = std::max(phase, KindPhase(dep, reads, memo, open) + 1);
  }
  open.erase(kind);
  return memo[kind] = phase;
}

}  // namespace

std::vector<int> OncePhases(const std::vector<ScheduledTarget>& targets) {
  std::map<std::string, std::set<std::string>> reads;  // kind -> kinds
  for (const auto& t : targets) {
    auto& r = reads[t.collector->kind()];
    for (auto& k : t.collector->reads()) {
      if (k != t.collector->kind()) r.insert(k);
    }
  }
  std::map<std::string, int> memo;
  std::set<std::string> open;
  std::vector<int> out;
  for (const auto& t : targets) {
    out.push_back(KindPhase(t.collector->kind(), reads, memo, open));
  }
  return out;
}

void Scheduler::RunOnce(std::vector<ScheduledTarget> targets) {
  RegisterTargets(targets);
  const std::vector<int> phase_of = OncePhases(targets);
  std::map<int, std::vector<ScheduledTarget>> phases;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    phases[phase_of[i]].push_back(std::move(targets[i]));
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = false;
  }
  supervisor_ = std::thread([this] { Supervise(); });
  for (auto& [phase, phase_targets] : phases) RunPhase(phase_targets);
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    workers_.clear();
  }
  cv_.notify_all();
  supervisor_.join();
}

void Scheduler::RunPhase(std::vector<ScheduledTarget>& targets) {
  std::vector<std::shared_ptr<Worker>> workers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& t : targets) {
      auto w = std::make_shared<Worker>();
      w->key = TargetKey{t.collector->kind(), t.collector->target()};
      w->target = std::move(t);
      workers.push_back(w);
    }
    workers_ = workers;
  }
  for (auto& w : workers) {
    w->thread = std::thread([this, w] {
      SampleOnce(*w);
      w->exited.set_value();
    });
  }
  // Wait for each worker until its deadline plus grace; the supervisor has
  // published an abandoned sample by then.
  for (auto& w : workers) {
    const SteadyTime until = std::chrono::steady_clock::now() +
                             w->target.schedule.timeout + kAbandonGrace +
                             2 * kSupervisorTick;
    if (w->exited_future.wait_until(until) == std::future_status::ready) {
      w->thread.join();
    } else {
      // Give the supervisor a chance to mark it, then let it go.
      std::this_thread::sleep_for(2 * kSupervisorTick);
      w->thread.detach();
    }
  }
}

}  // namespace failwatch
