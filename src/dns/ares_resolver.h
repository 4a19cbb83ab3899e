// The DNS I/O: a c-ares channel that resolves hosts to A and AAAA answers,
// driven by c-ares's own event loop (poll on its sockets) and bounded by a
// deadline. Never getaddrinfo, never the hosts file: we want what the DNS
// servers answer, the same thing apps with cached IPs got at some point.
#pragma once

#include <chrono>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "dns/dns_answer.h"

struct ares_channeldata;

namespace failwatch {

struct ResolverOptions {
  // "ip[:port]", IPv6 as "[addr]:port". Empty = the system's resolv.conf.
  std::vector<std::string> servers;
  // The sample timeout. c-ares's per-try timeout is sized so that all its
  // tries over all servers fit in ~90% of it; the deadline passed to
  // Resolve() is still enforced on top by cancelling.
  Millis budget{800};
  bool operator==(const ResolverOptions&) const = default;
};

struct LookupResult {
  Result<DnsAnswer> answer;
  std::chrono::steady_clock::duration duration{};
};

class AresResolver {
 public:
  // Tries per server; with c-ares doubling the timeout on each round, all
  // attempts take n_servers * per_try * (2^kTries - 1).
  static constexpr int kTries = 2;

  static Result<std::unique_ptr<AresResolver>> Create(ResolverOptions options);
  ~AresResolver();
  AresResolver(const AresResolver&) = delete;
  AresResolver& operator=(const AresResolver&) = delete;

  // Resolves every host concurrently (A and AAAA each, all in flight on the
  // one channel). Returns one result per host, in order, by `deadline` plus
  // the poll granularity: whatever is still pending then is cancelled and
  // reported as ETIMEOUT. IP literals are answered without a query.
  // Not thread-safe: one call at a time.
  std::vector<LookupResult> Resolve(const std::vector<std::string>& hosts,
                                    SteadyTime deadline, const Clock& clock);

  const ResolverOptions& options() const { return options_; }
  int per_try_timeout_ms() const { return per_try_timeout_ms_; }
  int server_count() const { return server_count_; }
  // True when the channel reads resolv.conf and that file changed since the
  // channel was made (c-ares 1.18 never re-reads it).
  bool SystemConfigChanged() const;

 private:
  AresResolver(ResolverOptions options, ares_channeldata* channel,
               int per_try_timeout_ms, int server_count);

  ResolverOptions options_;
  ares_channeldata* channel_;
  int per_try_timeout_ms_;
  int server_count_;
  std::timespec resolv_conf_mtime_{};
};

}  // namespace failwatch
