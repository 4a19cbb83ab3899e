// A small bounded pool for work that must stay off the HTTP I/O thread
// (bcrypt, rendering /metrics and the pages). Bounded twice: a fixed number
// of threads (the concurrency) and a maximum of queued jobs, beyond which
// TryPost refuses and the caller answers 503 instead of queueing forever.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace failwatch::http {

class WorkQueue {
 public:
  WorkQueue(int threads, std::size_t max_queued);
  ~WorkQueue() { Shutdown(/*wait=*/true); }
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // False when the queue is full or shut down; the job is not run.
  bool TryPost(std::function<void()> job);

  // Drops queued jobs. wait=true joins the threads (running jobs finish);
  // wait=false detaches them, for jobs that only touch what they captured
  // (a bcrypt of cost 16 takes seconds; SIGTERM must not wait for it).
  void Shutdown(bool wait);

 private:
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::function<void()>> jobs;
    bool stopping = false;
  };
  static void Loop(std::shared_ptr<State> state);

  std::shared_ptr<State> state_ = std::make_shared<State>();
  std::size_t max_queued_;
  std::vector<std::thread> threads_;
};

inline WorkQueue::WorkQueue(int threads, std::size_t max_queued)
    : max_queued_(max_queued) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back(&Loop, state_);
}

inline bool WorkQueue::TryPost(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->stopping || state_->jobs.size() >= max_queued_) return false;
    state_->jobs.push_back(std::move(job));
  }
  state_->cv.notify_one();
  return true;
}

inline void WorkQueue::Shutdown(bool wait) {
  std::deque<std::function<void()>> dropped;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->stopping = true;
    dropped.swap(state_->jobs);
  }
  state_->cv.notify_all();
  for (std::thread& t : threads_) {
    if (!t.joinable()) continue;
    if (wait) {
      t.join();
    } else {
      t.detach();
    }
  }
  threads_.clear();
}

inline void WorkQueue::Loop(std::shared_ptr<State> state) {
  while (true) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lock(state->mu);
      state->cv.wait(lock,
                     [&] { return state->stopping || !state->jobs.empty(); });
      if (state->stopping) return;
      job = std::move(state->jobs.front());
      state->jobs.pop_front();
    }
    job();
  }
}

}  // namespace failwatch::http
