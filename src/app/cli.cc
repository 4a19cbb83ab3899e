#include "app/cli.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "app/app.h"
#include "app/logging.h"
#include "app/probe_client.h"
#include "core/version.h"
#include "http/listen_address.h"
#include "http/router.h"

namespace failwatch {

Status ValidateServeFlags(const CliOptions& opts) {
  for (const std::string& address : opts.listen_addresses) {
    if (auto ep = http::ParseListenAddress(address); !ep.ok()) {
      return MakeError(ErrorKind::kInvalid, "bad_flag",
                       "--web.listen-address: " + ep.error().message);
    }
  }
  if (Status s = http::ValidateTelemetryPath(opts.telemetry_path); !s.ok()) {
    return MakeError(ErrorKind::kInvalid, "bad_flag",
                     "--web.telemetry-path: " + s.error().message);
  }
  return Status::Ok();
}

namespace {

void AddFlags(CLI::App& cli, CliOptions& opts) {
  cli.set_version_flag("--version", std::string("failwatch ") + kVersion);
  cli.add_option("--config", opts.config_file, "Path to the YAML config file");
  cli.add_option("--web.listen-address", opts.listen_addresses,
                 "Address to listen on for HTTP, HOST:PORT, :PORT or "
                 "[IPV6]:PORT; repeat the flag to listen on several")
      ->capture_default_str();
  cli.add_flag("--web.systemd-socket", opts.systemd_socket,
               "Listen on the sockets passed by systemd socket activation "
               "instead of --web.listen-address");
  cli.add_option("--web.telemetry-path", opts.telemetry_path,
                 "Path under which to expose metrics")
      ->capture_default_str();
  cli.add_option("--web.config.file", opts.web_config_file,
                 "Path to a web config file (basic auth, TLS), "
                 "exporter-toolkit format");
  cli.add_option("--log.level", opts.log_level, "debug, info, warn or error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  cli.add_option("--log.format", opts.log_format, "logfmt or json")
      ->check(CLI::IsMember({"logfmt", "json"}))
      ->capture_default_str();
  cli.add_flag("--check-config", opts.check_config,
               "Validate the config, print every error, exit 0 (valid) or 2");
  cli.add_flag("--once", opts.once,
               "Run one collection cycle, print the exposition to stdout, "
               "exit");
  cli.add_option("--probe", opts.probe_url,
                 "Client mode: GET this http://host:port/path URL, exit 0 on "
                 "2xx (for container HEALTHCHECKs)");
  cli.add_option("--shard", opts.shard,
                 "This instance's shard, 0 to --total-shards - 1 (default: "
                 "the ordinal of --pod, else 0)");
  cli.add_option("--total-shards", opts.total_shards,
                 "Number of shards the databases and Kafka groups are split "
                 "into (FNV-1a of their names)")
      ->capture_default_str();
  cli.add_option("--pod", opts.pod,
                 "StatefulSet pod name (e.g. failwatch-2): its ordinal is the "
                 "shard when --shard is not given");
}

// After parsing: client mode, or the flags checked, then the daemon.
int RunParsed(CliOptions& opts) {
  if (!opts.probe_url.empty()) return RunProbe(opts.probe_url);
  if (opts.config_file.empty()) {
    std::cerr << "failwatch: --config FILE is required\n";
    return 2;
  }
  // Bad flag values are usage errors (exit 2), found before anything
  // starts; whether this build can listen on IPv6 is a runtime matter
  // (exit 1 from the HTTP server).
  if (Status s = ValidateServeFlags(opts); !s.ok()) {
    std::cerr << "failwatch: " << s.error().message << "\n";
    return 2;
  }
  if (auto spec = ResolveShard(opts.shard, opts.total_shards, opts.pod);
      spec.ok()) {
    opts.shard_spec = *spec;
  } else {
    std::cerr << "failwatch: " << spec.error().message << "\n";
    return 2;
  }
  if (Status s = ConfigureLogging(opts.log_level, opts.log_format); !s.ok()) {
    std::cerr << "failwatch: " << s.error().message << "\n";
    return 2;
  }
  return RunApp(opts);
}

}  // namespace

int RunCli(int argc, char** argv) {
  CliOptions opts;
  CLI::App cli{
      "failwatch: sees what breaks an application after a database failover "
      "(DNS answers, node roles, pools, Kafka lag, dead-letter topics) and "
      "exports it for Prometheus."};
  AddFlags(cli, opts);
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e) == 0 ? 0 : 2;
  }
  return RunParsed(opts);
}

}  // namespace failwatch
