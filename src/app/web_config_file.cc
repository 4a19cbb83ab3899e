#include "app/web_config_file.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

namespace failwatch {
namespace {

Error Bad(const std::string& source, const YAML::Mark& mark,
          const std::string& msg) {
  std::string where = source;
  if (mark.line >= 0) {
    where += ":" + std::to_string(mark.line + 1) + ":" +
             std::to_string(mark.column + 1);
  }
  return MakeError(ErrorKind::kInvalid, "web_config", where + ": " + msg);
}

}  // namespace

Result<http::WebConfig> ParseWebConfig(const std::string& yaml_text,
                                       const std::string& source) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    return Bad(source, e.mark, e.msg);
  }
  http::WebConfig out;
  if (!root || root.IsNull()) return out;
  if (!root.IsMap()) return Bad(source, root.Mark(), "expected a mapping");
  for (const auto& kv : root) {
    const std::string key = kv.first.as<std::string>();
    const YAML::Node& value = kv.second;
    if (key == "basic_auth_users") {
      if (!value.IsMap()) {
        return Bad(source, value.Mark(), "basic_auth_users: expected a mapping");
      }
      for (const auto& user : value) {
        if (!user.second.IsScalar()) {
          return Bad(source, user.second.Mark(),
                     "basic_auth_users: expected user: bcrypt-hash");
        }
        out.basic_auth_users[user.first.as<std::string>()] =
            user.second.as<std::string>();
      }
    } else if (key == "tls_server_config") {
      if (!value.IsMap()) {
        return Bad(source, value.Mark(),
                   "tls_server_config: expected a mapping");
      }
      for (const auto& tls : value) {
        const std::string tkey = tls.first.as<std::string>();
        if (!tls.second.IsScalar()) {
          return Bad(source, tls.second.Mark(),
                     "tls_server_config." + tkey + ": expected a string");
        }
        if (tkey == "cert_file") {
          out.cert_file = tls.second.as<std::string>();
        } else if (tkey == "key_file") {
          out.key_file = tls.second.as<std::string>();
        } else {
          return Bad(source, tls.first.Mark(),
                     "tls_server_config." + tkey + ": not supported");
        }
      }
    } else {
      return Bad(source, kv.first.Mark(), key + ": not supported");
    }
  }
  if (Status s = http::ValidateWebConfig(out); !s.ok()) {
    return MakeError(ErrorKind::kInvalid, "web_config",
                     source + ": " + s.error().message);
  }
  return out;
}

Result<http::WebConfig> LoadWebConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return MakeError(ErrorKind::kInvalid, "web_config",
                     path + ": cannot read the web config file");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseWebConfig(ss.str(), path);
}

}  // namespace failwatch
