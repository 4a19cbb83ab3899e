#include "postgres/pg_observation.h"

namespace failwatch {

const char* NodeRoleName(NodeRole role) {
  switch (role) {
    case NodeRole::kPrimary:
      return "primary";
    case NodeRole::kStandby:
      return "standby";
    case NodeRole::kUnreachable:
      return "unreachable";
    case NodeRole::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::string NodeSourceName(unsigned sources) {
  std::string out;
  auto add = [&out](const char* name) {
    if (!out.empty()) out += '+';
    out += name;
  };
  if (sources & kSourceMember) add("member");
  if (sources & kSourceDns) add("dns");
  if (sources & kSourceDiscovered) add("discovered");
  return out;
}

const char* StaleCauseName(StaleCause cause) {
  switch (cause) {
    case StaleCause::kKeptFromBeforePromotion:
      return "kept_from_before_promotion";
    case StaleCause::kConnectedAfterPromotion:
      return "connected_after_promotion";
    case StaleCause::kUnknown:
      return "unknown";
  }
  return "unknown";
}

const NodeState* PgObservation::FindNode(const std::string& address) const {
  for (const auto& n : nodes) {
    if (n.address == address) return &n;
  }
  return nullptr;
}

const WriteProbePath* PgObservation::FindProbe(const std::string& path) const {
  for (const auto& p : write_probes) {
    if (p.path == path) return &p;
  }
  return nullptr;
}

std::int64_t PgObservation::StaleCount(const std::string& app) const {
  std::int64_t total = 0;
  for (const auto& s : stale_app_connections) {
    if (s.app == app) total += s.count;
  }
  return total;
}

}  // namespace failwatch
