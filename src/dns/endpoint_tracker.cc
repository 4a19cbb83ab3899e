#include "dns/endpoint_tracker.h"

#include <utility>

namespace failwatch {

EndpointTracker::EndpointTracker(const HostPort& endpoint, std::string role,
                                 std::size_t history_capacity)
    : history_(history_capacity) {
  state_.endpoint = endpoint.ToString();
  state_.host = endpoint.host;
  state_.port = endpoint.port;
  state_.role = std::move(role);
}

EndpointTracker::Outcome EndpointTracker::Record(
    const Result<DnsAnswer>& result, WallTime at,
    std::chrono::steady_clock::duration duration) {
  Outcome out;
  const bool was_ok = state_.last_ok;
  const bool first = !has_run();
  lookups_total_++;
  last_duration_seconds_ = ToSeconds(duration);

  DnsAnswerRecord rec;
  rec.at = at;
  if (result.ok()) {
    // Compared with the last successful answer, not the last sample: a
    // failure between two equal answers is an outage, not a move.
    if (ever_answered_) {
      out.diff = DiffAnswers(state_.addresses, result->addresses);
      out.changed = out.diff.changed();
    }
    if (out.changed) {
      state_.changes_total++;
      state_.last_change = at;
    }
    state_.addresses = result->addresses;
    state_.ttl_seconds = result->ttl_seconds;
    state_.last_ok = true;
    state_.last_error.reset();
    state_.last_success = at;
    ever_answered_ = true;
    out.became_ok = !was_ok;
    rec.addresses = result->addresses;
    rec.ttl_seconds = result->ttl_seconds;
  } else {
    const Error& err = result.error();
    out.became_failed =
        was_ok || first ||
        (state_.last_error && state_.last_error->code != err.code);
    state_.last_ok = false;
    state_.last_error = err;
    errors_total_[err.code]++;
    rec.error_code = err.code;
  }
  history_.Push(std::move(rec));
  return out;
}

EndpointDnsState EndpointTracker::Snapshot() const {
  EndpointDnsState s = state_;
  s.history = history_.ToVector();
  return s;
}

}  // namespace failwatch
