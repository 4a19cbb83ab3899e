// The subset of the Prometheus exporter-toolkit web config
// (--web.config.file) that failwatch supports. The app module parses the
// YAML into this struct; this module validates and applies it.
#pragma once

#include <map>
#include <string>

#include "core/result.h"

namespace failwatch::http {

struct WebConfig {
  // user -> bcrypt hash ("$2a$", "$2b$" or "$2y$"). Empty = no auth.
  std::map<std::string, std::string> basic_auth_users;
  // tls_server_config. Both or neither.
  std::string cert_file;
  std::string key_file;

  bool tls_enabled() const { return !cert_file.empty() || !key_file.empty(); }
  bool operator==(const WebConfig&) const = default;
};

// Checks the shape (bcrypt hashes, user names, both TLS files) and, when
// TLS is asked for, that this build can serve it. Error code "web_config".
Status ValidateWebConfig(const WebConfig& config);

// Whether civetweb can terminate TLS in this process; the error says why
// not. Checked at runtime because the library loads OpenSSL itself.
Status TlsAvailable();

}  // namespace failwatch::http
