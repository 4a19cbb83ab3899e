#include "app/instance_identity.h"

#include <unistd.h>

#include <climits>

namespace failwatch {

std::string ResolveInstanceId(const Config& config,
                              std::string_view host_name) {
  if (!config.instance_id.empty()) return config.instance_id;
  if (!host_name.empty()) return std::string(host_name);
  return "failwatch";
}

std::string HostName() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "";
  return buf;
}

void AssignWriteProbeRows(Config& config, std::string_view instance_id) {
  for (DatabaseConfig& db : config.databases) {
    db.write_probe.row_id =
        "failwatch/" + std::string(instance_id) + "/" + db.name;
  }
  for (KafkaClusterConfig& k : config.kafka) {
    k.canary.instance_id = std::string(instance_id);
  }
}

}  // namespace failwatch
