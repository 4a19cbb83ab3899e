// Command-line flags, named like other Prometheus exporters'.
#pragma once

#include <string>
#include <vector>

#include "app/sharding.h"
#include "core/result.h"

namespace failwatch {

// Not in the 9100-9999 range: that range of the Prometheus default-port
// allocation list has been fully allocated since 2023.
inline constexpr int kDefaultPort = 19921;

struct CliOptions {
  std::string config_file;
  // --web.listen-address, repeatable (every address is bound).
  std::vector<std::string> listen_addresses = {":" +
                                               std::to_string(kDefaultPort)};
  bool systemd_socket = false;  // --web.systemd-socket
  std::string telemetry_path = "/metrics";
  std::string web_config_file;
  std::string log_level = "info";
  std::string log_format = "logfmt";
  bool check_config = false;
  bool once = false;
  std::string probe_url;  // --probe: HTTP GET client mode for HEALTHCHECK
  // --shard / --total-shards / --pod, resolved (app/sharding.h).
  int shard = -1;  // unset
  int total_shards = 1;
  std::string pod;
  ShardSpec shard_spec;
};

// --web.listen-address and --web.telemetry-path: syntax only. An error
// here is a bad flag (exit 2).
Status ValidateServeFlags(const CliOptions& opts);

int RunCli(int argc, char** argv);

}  // namespace failwatch
