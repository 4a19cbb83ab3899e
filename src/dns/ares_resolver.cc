#include "dns/ares_resolver.h"

#include <ares.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>

#include "dns/ares_status.h"

namespace failwatch {
namespace {

constexpr const char* kResolvConf = "/etc/resolv.conf";
// Endpoints resolve to a handful of addresses; more are ignored.
constexpr int kMaxAddressesPerFamily = 64;
constexpr int kMinPerTryTimeoutMs = 20;

Status InitLibrary() {
  static std::once_flag once;
  static int status = ARES_SUCCESS;
  std::call_once(once, [] { status = ares_library_init(ARES_LIB_INIT_ALL); });
  if (status != ARES_SUCCESS) {
    return MakeError(
        ErrorKind::kInternal, AresStatusName(status),
        std::string("ares_library_init: ") + ares_strerror(status));
  }
  return Status::Ok();
}

std::optional<std::timespec> ResolvConfMtime() {
  struct stat st {};
  if (stat(kResolvConf, &st) != 0) return std::nullopt;
  return st.st_mtim;
}

int CountServers(ares_channel channel) {
  ares_addr_port_node* servers = nullptr;
  if (ares_get_servers_ports(channel, &servers) != ARES_SUCCESS) return 1;
  int n = 0;
  for (auto* s = servers; s != nullptr; s = s->next) n++;
  ares_free_data(servers);
  return std::max(n, 1);
}

Result<ares_channel> InitChannel(int timeout_ms, int servers) {
  ares_options opts{};
  int mask = 0;
  // ares_query neither searches nor reads HOSTALIASES, but say so: a name is
  // asked exactly as configured.
  opts.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES;
  // By default c-ares treats SERVFAIL/REFUSED/NOTIMP as "try another
  // server", and once all tries are used 1.18 reports ECONNREFUSED ("could
  // not contact DNS servers"), which would send operators to look for a dead
  // server. With one server there is nothing to fail over to, so take the
  // rcode as the answer. With several, keep the failover apps' resolvers do.
  if (servers == 1) opts.flags |= ARES_FLAG_NOCHECKRESP;
  mask |= ARES_OPT_FLAGS;
  opts.timeout = timeout_ms;
  mask |= ARES_OPT_TIMEOUTMS;
  opts.tries = AresResolver::kTries;
  mask |= ARES_OPT_TRIES;
  // "b" = DNS only, never /etc/hosts.
  char lookups[] = "b";
  opts.lookups = lookups;
  mask |= ARES_OPT_LOOKUPS;
  ares_channel channel = nullptr;
  int rc = ares_init_options(&channel, &opts, mask);
  if (rc != ARES_SUCCESS) return AresError(rc, "ares_init_options");
  return channel;
}

std::string JoinServers(const std::vector<std::string>& servers) {
  std::string csv;
  for (const auto& s : servers) {
    if (!csv.empty()) csv += ',';
    csv += s;
  }
  return csv;
}

struct HostLookup {
  std::string host;
  std::optional<Result<DnsAnswer>> a;
  std::optional<Result<DnsAnswer>> aaaa;
  int pending = 0;
  SteadyTime finished{};
};

struct FamilyQuery {
  HostLookup* lookup = nullptr;
  int type = 0;  // ns_t_a or ns_t_aaaa
  const Clock* clock = nullptr;
  int* hosts_pending = nullptr;
};

std::string V4Text(const in_addr& addr) {
  char text[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &addr, text, sizeof(text));
  return text;
}

std::string V6Text(const ares_in6_addr& addr) {
  in6_addr native{};
  std::memcpy(&native, &addr, sizeof(native));
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(AF_INET6, &native, text, sizeof(text));
  return text;
}

Result<DnsAnswer> ParseReply(int type, const unsigned char* abuf, int alen) {
  DnsAnswer out;
  std::int64_t min_ttl = -1;
  auto note_ttl = [&min_ttl](int ttl) {
    std::int64_t t = std::max(ttl, 0);
    min_ttl = min_ttl < 0 ? t : std::min(min_ttl, t);
  };
  int n = kMaxAddressesPerFamily;
  if (type == ns_t_a) {
    ares_addrttl rows[kMaxAddressesPerFamily];
    int rc = ares_parse_a_reply(abuf, alen, nullptr, rows, &n);
    if (rc != ARES_SUCCESS) return AresError(rc, "parsing A reply");
    for (int i = 0; i < n; ++i) {
      out.addresses.insert(V4Text(rows[i].ipaddr));
      note_ttl(rows[i].ttl);
    }
  } else {
    ares_addr6ttl rows[kMaxAddressesPerFamily];
    int rc = ares_parse_aaaa_reply(abuf, alen, nullptr, rows, &n);
    if (rc != ARES_SUCCESS) return AresError(rc, "parsing AAAA reply");
    for (int i = 0; i < n; ++i) {
      out.addresses.insert(V6Text(rows[i].ip6addr));
      note_ttl(rows[i].ttl);
    }
  }
  if (out.addresses.empty()) {
    return MakeError(ErrorKind::kNotFound, std::string(kCodeNoData),
                     "reply holds no address");
  }
  out.ttl_seconds = static_cast<std::uint32_t>(min_ttl);
  return out;
}

void OnReply(void* arg, int status, int /*timeouts*/, unsigned char* abuf,
             int alen) {
  auto* q = static_cast<FamilyQuery*>(arg);
  const char* family = q->type == ns_t_a ? "A" : "AAAA";
  Result<DnsAnswer> result = DnsAnswer{};
  if (status == ARES_SUCCESS) {
    result = ParseReply(q->type, abuf, alen);
  } else if (status == ARES_ECANCELLED || status == ARES_EDESTRUCTION) {
    // We cancel only when the sample's deadline passed.
    result = MakeError(ErrorKind::kTimeout, std::string(kCodeTimeout),
                       std::string(family) + " query for " + q->lookup->host +
                           ": sample deadline passed");
  } else {
    result = AresError(status,
                       std::string(family) + " query for " + q->lookup->host);
  }
  (q->type == ns_t_a ? q->lookup->a : q->lookup->aaaa) = std::move(result);
  if (--q->lookup->pending == 0) {
    q->lookup->finished = q->clock->Steady();
    --*q->hosts_pending;
  }
}

int CeilMillis(std::chrono::steady_clock::duration d) {
  auto ms = std::chrono::ceil<Millis>(d).count();
  return static_cast<int>(std::clamp<long long>(ms, 0, 60'000));
}

// One lookup per host; IP literals are answered at once. Returns how many
// hosts need queries.
int PrepareLookups(const std::vector<std::string>& hosts, SteadyTime start,
                   std::vector<HostLookup>& lookups) {
  lookups.assign(hosts.size(), HostLookup{});
  int pending = 0;
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    HostLookup& l = lookups[i];
    l.host = hosts[i];
    if (auto literal = CanonicalIpLiteral(l.host)) {
      l.a = DnsAnswer{{*literal}, 0};
      l.aaaa = MakeError(ErrorKind::kNotFound, std::string(kCodeNoData), "");
      l.finished = start;
      continue;
    }
    l.pending = 2;
    pending++;
  }
  return pending;
}

// Queries go out only after every lookup is set up: a callback may run
// inside ares_query (a bad name fails at once).
void SendQueries(ares_channel channel, std::vector<HostLookup>& lookups,
                 std::vector<FamilyQuery>& queries, const Clock& clock,
                 int* hosts_pending) {
  for (std::size_t i = 0; i < lookups.size(); ++i) {
    HostLookup& l = lookups[i];
    if (l.pending == 0) continue;
    queries[2 * i] = {&l, ns_t_a, &clock, hosts_pending};
    queries[2 * i + 1] = {&l, ns_t_aaaa, &clock, hosts_pending};
    ares_query(channel, l.host.c_str(), ns_c_in, ns_t_a, OnReply,
               &queries[2 * i]);
    ares_query(channel, l.host.c_str(), ns_c_in, ns_t_aaaa, OnReply,
               &queries[2 * i + 1]);
  }
}

// How long poll() may wait: c-ares' next retry, at most until `deadline`.
int WaitMs(ares_channel channel, SteadyTime deadline, SteadyTime now) {
  const auto left =
      std::chrono::ceil<std::chrono::microseconds>(deadline - now);
  timeval max_tv{static_cast<time_t>(left.count() / 1'000'000),
                 static_cast<suseconds_t>(left.count() % 1'000'000)};
  timeval tv{};
  const timeval* wait = ares_timeout(channel, &max_tv, &tv);
  return CeilMillis(std::chrono::seconds(wait->tv_sec) +
                    std::chrono::microseconds(wait->tv_usec));
}

// One poll() round over the channel's sockets. False when the pending
// lookups were cancelled (deadline passed, poll failed): every callback
// has then run.
bool PollOnce(ares_channel channel, SteadyTime deadline, const Clock& clock) {
  const SteadyTime now = clock.Steady();
  if (now >= deadline) {
    ares_cancel(channel);  // runs every pending callback with ECANCELLED
    return false;
  }
  ares_socket_t socks[ARES_GETSOCK_MAXNUM];
  const int bits = ares_getsock(channel, socks, ARES_GETSOCK_MAXNUM);
  pollfd fds[ARES_GETSOCK_MAXNUM];
  nfds_t nfds = 0;
  for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
    short events = 0;
    if (ARES_GETSOCK_READABLE(bits, i)) events |= POLLIN;
    if (ARES_GETSOCK_WRITABLE(bits, i)) events |= POLLOUT;
    if (events == 0) continue;
    fds[nfds++] = pollfd{socks[i], events, 0};
  }
  const int rc = poll(fds, nfds, WaitMs(channel, deadline, now));
  if (rc < 0) {
    if (errno == EINTR) return true;
    spdlog::warn("dns poll failed error=\"{}\"", std::strerror(errno));
    ares_cancel(channel);
    return false;
  }
  if (rc == 0) {
    ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // timeouts
    return true;
  }
  for (nfds_t i = 0; i < nfds; ++i) {
    const short re = fds[i].revents;
    if (re == 0) continue;
    // Errors (an ICMP port unreachable shows as POLLERR) are read by
    // c-ares as a failed read, which is how it learns ECONNREFUSED.
    const bool readable = (re & (POLLIN | POLLERR | POLLHUP)) != 0;
    const bool writable = (re & POLLOUT) != 0;
    ares_process_fd(channel, readable ? fds[i].fd : ARES_SOCKET_BAD,
                    writable ? fds[i].fd : ARES_SOCKET_BAD);
  }
  return true;
}

std::vector<LookupResult> CollectResults(std::vector<HostLookup>& lookups,
                                         SteadyTime start, const Clock& clock) {
  std::vector<LookupResult> out;
  out.reserve(lookups.size());
  for (HostLookup& l : lookups) {
    auto missing = [&l] {
      return Result<DnsAnswer>(
          MakeError(ErrorKind::kTimeout, std::string(kCodeTimeout),
                    "lookup of " + l.host + " did not complete"));
    };
    Result<DnsAnswer> a = l.a ? std::move(*l.a) : missing();
    Result<DnsAnswer> aaaa = l.aaaa ? std::move(*l.aaaa) : missing();
    const SteadyTime end = l.pending == 0 ? l.finished : clock.Steady();
    out.push_back(LookupResult{CombineFamilies(a, aaaa), end - start});
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<AresResolver>> AresResolver::Create(
    ResolverOptions options) {
  if (Status s = InitLibrary(); !s) return s.error();
  int servers = static_cast<int>(options.servers.size());
  if (servers == 0) {
    // The timeout must be set at init, but how many servers resolv.conf
    // lists is only known after one: count them on a throwaway channel.
    auto probe = InitChannel(1000, 0);
    if (!probe.ok()) return probe.error();
    servers = CountServers(*probe);
    ares_destroy(*probe);
  }
  const long long budget_ms = options.budget.count() * 9 / 10;
  const long long rounds = (1LL << kTries) - 1;  // 1 + 2 + 4 ...
  const int per_try = static_cast<int>(
      std::max<long long>(kMinPerTryTimeoutMs, budget_ms / (rounds * servers)));

  auto channel = InitChannel(per_try, servers);
  if (!channel.ok()) return channel.error();
  if (!options.servers.empty()) {
    const std::string csv = JoinServers(options.servers);
    int rc = ares_set_servers_ports_csv(*channel, csv.c_str());
    if (rc != ARES_SUCCESS) {
      ares_destroy(*channel);
      return AresError(rc, "dns servers \"" + csv + "\"");
    }
  }
  std::unique_ptr<AresResolver> r(
      new AresResolver(std::move(options), *channel, per_try, servers));
  if (r->options_.servers.empty()) {
    if (auto m = ResolvConfMtime()) r->resolv_conf_mtime_ = *m;
  }
  spdlog::debug(
      "dns resolver created servers=\"{}\" per_try_timeout_ms={} tries={}",
      r->options_.servers.empty() ? std::string("resolv.conf")
                                  : JoinServers(r->options_.servers),
      per_try, kTries);
  return r;
}

AresResolver::AresResolver(ResolverOptions options, ares_channeldata* channel,
                           int per_try_timeout_ms, int server_count)
    : options_(std::move(options)),
      channel_(channel),
      per_try_timeout_ms_(per_try_timeout_ms),
      server_count_(server_count) {}

AresResolver::~AresResolver() { ares_destroy(channel_); }

bool AresResolver::SystemConfigChanged() const {
  if (!options_.servers.empty()) return false;
  auto m = ResolvConfMtime();
  if (!m) return false;
  return m->tv_sec != resolv_conf_mtime_.tv_sec ||
         m->tv_nsec != resolv_conf_mtime_.tv_nsec;
}

std::vector<LookupResult> AresResolver::Resolve(
    const std::vector<std::string>& hosts, SteadyTime deadline,
    const Clock& clock) {
  const SteadyTime start = clock.Steady();
  std::vector<HostLookup> lookups;
  int hosts_pending = PrepareLookups(hosts, start, lookups);
  // Two per host; addresses must stay put while queries are in flight.
  std::vector<FamilyQuery> queries(hosts.size() * 2);
  SendQueries(channel_, lookups, queries, clock, &hosts_pending);
  while (hosts_pending > 0 && PollOnce(channel_, deadline, clock)) {
  }
  return CollectResults(lookups, start, clock);
}

}  // namespace failwatch
