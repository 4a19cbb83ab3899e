// Reads --web.config.file (exporter-toolkit format) into http::WebConfig.
#pragma once

#include <string>

#include "core/result.h"
#include "http/web_config.h"

namespace failwatch {

// Supported keys: basic_auth_users (user: bcrypt hash, cost 4-16) and
// tls_server_config.{cert_file,key_file,cert,key,client_ca_file,
// client_auth_type,min_version,max_version,cipher_suites,curve_preferences,
// prefer_server_cipher_suites}. Anything else (http_server_config,
// client_allowed_sans) is an error, so a setting we would silently ignore is
// never assumed to be in force. A path that is not a readable regular file
// is an error too, never "no auth".
Result<http::WebConfig> LoadWebConfigFile(const std::string& path);
Result<http::WebConfig> ParseWebConfig(const std::string& yaml_text,
                                       const std::string& source);

}  // namespace failwatch
