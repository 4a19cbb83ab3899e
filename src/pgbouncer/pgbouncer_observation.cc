#include "pgbouncer/pgbouncer_observation.h"

#include <algorithm>

namespace failwatch {

std::string PgBouncerTarget(const std::string& database,
                            const std::string& address) {
  return database + "/" + address;
}

const char* PoolTargetName(PoolTarget t) {
  switch (t) {
    case PoolTarget::kWriter:
      return "writer";
    case PoolTarget::kReader:
      return "reader";
    case PoolTarget::kOther:
      return "other";
  }
  return "other";
}

const char* ServerRoleName(ServerRole r) {
  switch (r) {
    case ServerRole::kPrimary:
      return "primary";
    case ServerRole::kSupersededPrimary:
      return "superseded_primary";
    case ServerRole::kStandby:
      return "standby";
    case ServerRole::kUnreachable:
      return "unreachable";
    case ServerRole::kUnknown:
      return "unknown";
  }
  return "unknown";
}

bool IsStaleRole(ServerRole r) {
  return r == ServerRole::kSupersededPrimary || r == ServerRole::kStandby ||
         r == ServerRole::kUnreachable;
}

std::int64_t PgBouncerObservation::StaleTotal() const {
  std::int64_t n = 0;
  for (const auto& s : stale_servers) n += s.count;
  return n;
}

std::int64_t PgBouncerObservation::WaitingClients() const {
  std::int64_t n = 0;
  for (const auto& p : pools) n += p.cl_waiting;
  return n;
}

double PgBouncerObservation::MaxWaitSeconds() const {
  double m = 0;
  for (const auto& p : pools) m = std::max(m, p.maxwait_seconds);
  return m;
}

const PgBouncerPool* PgBouncerObservation::FindPool(
    const std::string& db, const std::string& user) const {
  for (const auto& p : pools) {
    if (p.database == db && p.user == user) return &p;
  }
  return nullptr;
}

}  // namespace failwatch
