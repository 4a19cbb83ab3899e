#include "kafka/rdkafka_handle.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <mutex>
#include <string_view>
#include <vector>
#include <thread>

#include "core/io_clock.h"

namespace failwatch {
namespace {

// The user's property values per client.id, so librdkafka's log lines
// (CONFWARN quotes what it was given) can be redacted: values are never
// logged. Replaced whenever a handle for that client.id is configured.
std::mutex& RedactionMutex() {
  static std::mutex mu;
  return mu;
}
std::map<std::string, std::vector<std::string>>& RedactionValues() {
  static std::map<std::string, std::vector<std::string>> values;
  return values;
}

void RegisterValues(const std::string& client_id,
                    const KafkaClusterConfig& cluster) {
  std::vector<std::string> values;
  for (const auto& [key, value] : cluster.properties) {
    if (!value.Reveal().empty()) values.push_back(value.Reveal());
  }
  // Longest first, so a value containing another is replaced whole.
  std::sort(values.begin(), values.end(),
            [](const std::string& a, const std::string& b) {
              return a.size() > b.size();
            });
  std::lock_guard<std::mutex> lock(RedactionMutex());
  RedactionValues()[client_id] = std::move(values);
}

void LogCallback(const rd_kafka_t* rk, int level, const char* fac,
                 const char* buf) {
  const std::string text = RedactKafkaLog(rd_kafka_name(rk), buf);
  // syslog levels: 0..4 = emerg..warning.
  if (level <= 4) {
    spdlog::warn("librdkafka client={} facility={} text=\"{}\"",
                 rd_kafka_name(rk), fac, text);
  } else {
    spdlog::debug("librdkafka client={} facility={} text=\"{}\"",
                  rd_kafka_name(rk), fac, text);
  }
}

const char* ConfResName(rd_kafka_conf_res_t res) {
  switch (res) {
    case RD_KAFKA_CONF_UNKNOWN:
      return "unknown property";
    case RD_KAFKA_CONF_INVALID:
      return "invalid value";
    default:
      return "rejected";
  }
}

struct ConfDestroy {
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
};
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDestroy>;

using Settings = std::vector<std::pair<std::string, std::string>>;

// What failwatch sets on a handle of `role` before the user's properties.
Settings RoleSettings(HandleRole role) {
  if (role != HandleRole::kData) return {};
  return {
      // failwatch only reads: never create topics, never commit.
      {"allow.auto.create.topics", "false"},
      {"enable.auto.commit", "false"},
      // Dead-letter record reads (record_reader.h): an end-of-partition
      // event says "no more records" instead of waiting for the deadline,
      // and small prefetches keep a read of 1-100 records from pulling
      // megabytes.
      {"enable.partition.eof", "true"},
      {"queued.min.messages", "100"},
      // A fetch still long-polling after a read stopped would hold up the
      // next sample's Metadata on that broker connection (requests are
      // answered in order) for up to the 500 ms default.
      {"fetch.wait.max.ms", "10"},
      {"fetch.message.max.bytes", "262144"},
  };
}

std::string ClientId(const KafkaClusterConfig& cluster, HandleRole role) {
  return std::string("failwatch-") +
         (role == HandleRole::kData ? "data-" : "discovery-") + cluster.name;
}

Result<ConfPtr> BuildConf(const KafkaClusterConfig& cluster,
                          const std::string& client_id,
                          const Settings& settings) {
  ConfPtr conf(rd_kafka_conf_new());
  char errstr[512];
  auto set = [&](const std::string& key, const std::string& value,
                 bool from_user) -> Status {
    rd_kafka_conf_res_t res = rd_kafka_conf_set(
        conf.get(), key.c_str(), value.c_str(), errstr, sizeof(errstr));
    if (res == RD_KAFKA_CONF_OK) return Status::Ok();
    // errstr is not used: it quotes the value.
    return MakeError(ErrorKind::kInvalid, "bad_property",
                     "kafka cluster \"" + cluster.name + "\": property \"" +
                         key + "\": " + ConfResName(res) +
                         (from_user ? "" : " (set by failwatch)"));
  };

  std::string bootstrap;
  for (const auto& b : cluster.brokers) {
    if (!bootstrap.empty()) bootstrap += ",";
    bootstrap += b.ToString();
  }
  if (Status s = set("client.id", client_id, false); !s.ok()) return s.error();
  if (!bootstrap.empty()) {
    if (Status s = set("bootstrap.servers", bootstrap, false); !s.ok()) {
      return s.error();
    }
  }
  for (const auto& [key, value] : settings) {
    if (Status s = set(key, value, false); !s.ok()) return s.error();
  }
  for (const auto& [key, value] : cluster.properties) {
    if (key == "group.id") {
      return MakeError(ErrorKind::kInvalid, "bad_property",
                       "kafka cluster \"" + cluster.name +
                           "\": property \"group.id\" is not allowed "
                           "(failwatch must not join groups)");
    }
    if (Status s = set(key, value.Reveal(), true); !s.ok()) return s.error();
  }
  if (bootstrap.empty() && !cluster.properties.contains("bootstrap.servers")) {
    return MakeError(ErrorKind::kInvalid, "no_brokers",
                     "kafka cluster \"" + cluster.name +
                         "\": no brokers and no bootstrap.servers property");
  }
  RegisterValues(client_id, cluster);
  rd_kafka_conf_set_log_cb(conf.get(), LogCallback);
  return conf;
}

}  // namespace

std::string RedactKafkaLog(std::string_view client_name,
                           std::string_view text) {
  // librdkafka names a client "<client.id>#<type>-<n>".
  std::string_view id = client_name.substr(0, client_name.rfind('#'));
  std::string out(text);
  std::lock_guard<std::mutex> lock(RedactionMutex());
  auto it = RedactionValues().find(std::string(id));
  if (it == RedactionValues().end()) return out;
  for (const std::string& v : it->second) {
    for (std::size_t pos = out.find(v); pos != std::string::npos;
         pos = out.find(v, pos + kRedacted.size())) {
      out.replace(pos, v.size(), kRedacted);
    }
  }
  return out;
}

void RdKafkaDestroy::operator()(rd_kafka_t* rk) const {
  if (rk != nullptr) rd_kafka_destroy(rk);
}

Result<RdKafkaPtr> CreateHandle(const KafkaClusterConfig& cluster,
                                HandleRole role) {
  // Admin requests work on any handle type; the data handle is a consumer
  // because offsets_for_times is a consumer call.
  return CreateClient(
      cluster, ClientId(cluster, role),
      role == HandleRole::kData ? RD_KAFKA_CONSUMER : RD_KAFKA_PRODUCER,
      RoleSettings(role));
}

Result<RdKafkaPtr> CreateClient(
    const KafkaClusterConfig& cluster, const std::string& client_id,
    rd_kafka_type_t type,
    const std::vector<std::pair<std::string, std::string>>& settings,
    const std::function<void(rd_kafka_conf_t*)>& customize) {
  auto conf = BuildConf(cluster, client_id, settings);
  if (!conf.ok()) return conf.error();
  if (customize) customize(conf->get());
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf->release(), errstr, sizeof(errstr));
  if (rk == nullptr) {
    // rd_kafka_new fails on cross-property checks (e.g. SASL without a
    // mechanism); its message names properties, not values.
    return MakeError(ErrorKind::kInvalid, "client_create_failed",
                     "kafka cluster \"" + cluster.name + "\": " + errstr);
  }
  return RdKafkaPtr(rk);
}

Status ValidateKafkaProperties(const KafkaClusterConfig& cluster) {
  auto conf = BuildConf(cluster, ClientId(cluster, HandleRole::kData),
                        RoleSettings(HandleRole::kData));
  if (!conf.ok()) return conf.error();
  return Status::Ok();
}

void DestroyDetached(RdKafkaPtr handle,
                     std::shared_ptr<std::atomic<int>> pending,
                     RdKafkaQueuePtr queue) {
  if (!handle) return;
  ++*pending;
  std::thread([rk = handle.release(), q = queue.release(), pending] {
    if (q != nullptr) rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
    --*pending;
  }).detach();
}

Error ErrorFromKafka(rd_kafka_resp_err_t err, const std::string& what) {
  ErrorKind kind = ErrorKind::kRejected;
  switch (err) {
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
      kind = ErrorKind::kTimeout;
      break;
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__RESOLVE:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
      kind = ErrorKind::kUnavailable;
      break;
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND:
      kind = ErrorKind::kNotFound;
      break;
    default:
      break;
  }
  return MakeError(kind, rd_kafka_err2name(err),
                   what + ": " + rd_kafka_err2str(err));
}

int RemainingMs(SteadyTime deadline, int floor_ms) {
  return RemainingMs(IoClock(), deadline, floor_ms);
}

}  // namespace failwatch
