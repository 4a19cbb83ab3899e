// Hand-built observations and snapshots for the health tests. Times are
// offsets in seconds from a fixed start so scripted sequences read like a
// log.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/snapshot.h"
#include "dns/dns_observation.h"
#include "health/health_inputs.h"
#include "postgres/pg_observation.h"

namespace failwatch::testing {

inline const WallTime kT0 = WallTime(std::chrono::seconds(1'700'000'000));

inline WallTime At(double seconds) {
  return kT0 + std::chrono::duration_cast<WallTime::duration>(
                   std::chrono::duration<double>(seconds));
}

// One DNS record: addresses, or nullopt for a failed lookup.
inline DnsAnswerRecord Rec(double t, std::optional<AddressSet> addrs) {
  DnsAnswerRecord r;
  r.at = At(t);
  r.addresses = std::move(addrs);
  if (!r.addresses) r.error_code = "ETIMEOUT";
  return r;
}

// An endpoint whose state is derived from its history, as the tracker
// would publish it.
inline EndpointDnsState Endpoint(std::string role,
                                 std::vector<DnsAnswerRecord> history) {
  EndpointDnsState e;
  e.role = std::move(role);
  e.host = e.role == "writer" ? "db.lab.test" : "ro.lab.test";
  e.port = 5432;
  e.endpoint = e.host + ":5432";
  e.history = std::move(history);
  const AddressSet* prev = nullptr;
  for (const auto& r : e.history) {
    if (r.addresses) {
      if (prev != nullptr && *prev != *r.addresses) {
        e.changes_total++;
        e.last_change = r.at;
      }
      prev = &*r.addresses;
      e.addresses = *r.addresses;
      e.last_success = r.at;
    }
  }
  if (!e.history.empty()) {
    e.last_ok = e.history.back().addresses.has_value();
    if (!e.last_ok) {
      e.last_error =
          Error{ErrorKind::kNotFound, "ENOTFOUND", "Domain name not found"};
    }
  }
  return e;
}

inline std::shared_ptr<DnsObservation> Dns(
    std::string database, std::vector<EndpointDnsState> endpoints) {
  auto o = std::make_shared<DnsObservation>();
  o->database = std::move(database);
  o->endpoints = std::move(endpoints);
  return o;
}

inline NodeState Node(std::string address, NodeRole role) {
  NodeState n;
  n.address = std::move(address);
  n.up = role != NodeRole::kUnreachable;
  n.role = role;
  n.in_recovery = role == NodeRole::kStandby;
  if (role == NodeRole::kUnreachable) {
    n.error = Error{ErrorKind::kUnavailable, "08001", "connection refused"};
  }
  if (role == NodeRole::kStandby) {
    StandbyStatus s;
    s.replay_lag_seconds = 0.2;
    s.replay_lag_bytes = 0;
    s.receiver_status = "streaming";
    s.upstream = "127.0.0.2:5432";
    n.standby = s;
  }
  return n;
}

inline EndpointTarget Writer(std::string address, NodeRole role,
                             bool superseded = false) {
  return EndpointTarget{"db.lab.test:5432", "writer", std::move(address), role,
                        superseded};
}

// A healthy two-node database: 127.0.0.2 primary, 127.0.0.3 standby, the
// writer endpoint on the primary.
inline std::shared_ptr<PgObservation> HealthyPg(double t = 0) {
  auto o = std::make_shared<PgObservation>();
  o->database = "orders";
  o->sampled_at = At(t);
  o->nodes = {Node("127.0.0.2:5432", NodeRole::kPrimary),
              Node("127.0.0.3:5432", NodeRole::kStandby)};
  o->primaries = 1;
  o->writer = "127.0.0.2:5432";
  o->endpoint_targets = {Writer("127.0.0.2:5432", NodeRole::kPrimary)};
  return o;
}

inline WriteProbePath Probe(std::string path, bool ok, std::string address,
                            std::string sqlstate = "", double t = 0) {
  WriteProbePath p;
  p.path = std::move(path);
  p.address = std::move(address);
  p.attempted = true;
  p.ok = ok;
  p.latency_seconds = 0.003;
  p.sqlstate = std::move(sqlstate);
  if (!ok) p.last_error = "cannot execute INSERT in a read-only transaction";
  p.last_attempt = At(t);
  if (ok) p.last_success = At(t);
  p.attempts_total = 1;
  return p;
}

inline TargetState State(std::string kind, std::string target,
                         std::shared_ptr<const Observation> obs, double t,
                         std::optional<Error> error = std::nullopt) {
  TargetState s;
  s.key = TargetKey{std::move(kind), std::move(target)};
  s.observation = std::move(obs);
  s.error = std::move(error);
  s.sampled = true;
  s.last_sample_time = At(t);
  if (!s.error) s.last_success_time = At(t);
  s.samples_total = 1;
  return s;
}

inline std::shared_ptr<Snapshot> MakeSnapshot(std::vector<TargetState> states) {
  auto snap = std::make_shared<Snapshot>();
  for (auto& s : states) snap->targets[s.key] = std::move(s);
  return snap;
}

inline DatabaseInputs DbInputs(std::shared_ptr<const DnsObservation> dns,
                               std::shared_ptr<const PgObservation> pg) {
  DatabaseInputs d;
  d.name = "orders";
  d.dns = std::move(dns);
  d.pg = std::move(pg);
  return d;
}

inline HealthInputs Inputs(double now, std::vector<DatabaseInputs> dbs) {
  HealthInputs in;
  in.now = At(now);
  in.databases = std::move(dbs);
  return in;
}

}  // namespace failwatch::testing

namespace failwatch::testing {

template <typename T>
const T* FindCheck(const std::vector<T>& items, const std::string& check,
                   const std::string& target) {
  for (const auto& c : items) {
    if (c.check == check && c.target == target) return &c;
  }
  return nullptr;
}

}  // namespace failwatch::testing
