// librdkafka handles for one configured cluster: creation from the config
// (properties passed through, never echoed), ownership, and the detached
// destroy that wedged handles need.
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "kafka/kafka_cluster_config.h"

namespace failwatch {

struct RdKafkaDestroy {
  void operator()(rd_kafka_t* rk) const;
};
using RdKafkaPtr = std::unique_ptr<rd_kafka_t, RdKafkaDestroy>;

struct RdKafkaQueueDestroy {
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
};
using RdKafkaQueuePtr = std::unique_ptr<rd_kafka_queue_t, RdKafkaQueueDestroy>;

// librdkafka's log text for a client with every property value the user
// configured for it replaced by "<redacted>" (CONFWARN lines can quote
// what they were given). Registered when a handle's config is built.
inline constexpr std::string_view kRedacted = "<redacted>";
std::string RedactKafkaLog(std::string_view client_name, std::string_view text);

enum class HandleRole {
  kData,       // metadata, watermarks, committed offsets
  kDiscovery,  // group listing and description (may wedge; replaceable)
};

// Builds the librdkafka configuration: bootstrap.servers from `brokers`
// (unless a property sets it), then every property. A rejected property is
// reported by name only: librdkafka's own message repeats the value, which
// may be a password.
Result<RdKafkaPtr> CreateHandle(const KafkaClusterConfig& cluster,
                                HandleRole role);

// Any other client of the cluster (the canary's producer and consumer):
// client.id, bootstrap.servers from `brokers`, `settings`, then the user's
// properties, log redaction; `customize` may add callbacks.
Result<RdKafkaPtr> CreateClient(
    const KafkaClusterConfig& cluster, const std::string& client_id,
    rd_kafka_type_t type,
    const std::vector<std::pair<std::string, std::string>>& settings,
    const std::function<void(rd_kafka_conf_t*)>& customize = {});

// The same checks CreateHandle does, without creating a client.
Status ValidateKafkaProperties(const KafkaClusterConfig& cluster);

// rd_kafka_destroy on a detached thread: a wedged handle's destroy never
// returns, and must not block the caller. `pending` counts destroys that
// have not returned.
// The queue, if any, is destroyed first on the same thread.
void DestroyDetached(RdKafkaPtr handle,
                     std::shared_ptr<std::atomic<int>> pending,
                     RdKafkaQueuePtr queue = nullptr);

Error ErrorFromKafka(rd_kafka_resp_err_t err, const std::string& what);

// Milliseconds left until `deadline` (at least `floor_ms`), for librdkafka
// calls that take an int timeout.
int RemainingMs(SteadyTime deadline, int floor_ms = 1);

}  // namespace failwatch
