// Reads --web.config.file (exporter-toolkit format) into http::WebConfig.
#pragma once

#include <string>

#include "core/result.h"
#include "http/web_config.h"

namespace failwatch {

// Supported keys: basic_auth_users (user: bcrypt hash) and
// tls_server_config.{cert_file,key_file}. Anything else is an error, so a
// setting we would silently ignore (e.g. client_auth_type) is never assumed
// to be in force.
Result<http::WebConfig> LoadWebConfigFile(const std::string& path);
Result<http::WebConfig> ParseWebConfig(const std::string& yaml_text,
                                       const std::string& source);

}  // namespace failwatch
