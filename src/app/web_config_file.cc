#include "app/web_config_file.h"

#include <yaml-cpp/yaml.h>

#include "core/bounded_file.h"

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

namespace {

// A mapping key as a string; anything else (`? {a: 1}`, `? [x]`) is an
// error at the key, not an uncaught YAML::TypedBadConversion.
Result<std::string> KeyOf(const std::string& source, const YAML::Node& key,
                          const std::string& where) {
  if (!key.IsScalar()) {
    return Bad(source, key.Mark(),
               where + (where.empty() ? "" : ": ") + "keys must be strings");
  }
  return key.Scalar();
}

Result<http::WebConfig> ParseWebConfigTree(const YAML::Node& root,
                                           const std::string& source) {
  http::WebConfig out;
  if (!root || root.IsNull()) return out;
  if (!root.IsMap()) return Bad(source, root.Mark(), "expected a mapping");
  for (const auto& kv : root) {
    Result<std::string> key_or = KeyOf(source, kv.first, "");
    if (!key_or.ok()) return key_or.error();
    const std::string& key = *key_or;
    const YAML::Node& value = kv.second;
    if (key == "basic_auth_users") {
      if (!value.IsMap()) {
        return Bad(source, value.Mark(), "basic_auth_users: expected a mapping");
      }
      for (const auto& user : value) {
        Result<std::string> name = KeyOf(source, user.first, key);
        if (!name.ok()) return name.error();
        if (!user.second.IsScalar()) {
          return Bad(source, user.second.Mark(),
                     "basic_auth_users: expected user: bcrypt-hash");
        }
        out.basic_auth_users[*name] = user.second.Scalar();
      }
    } else if (key == "tls_server_config") {
      if (!value.IsMap()) {
        return Bad(source, value.Mark(),
                   "tls_server_config: expected a mapping");
      }
      for (const auto& tls : value) {
        Result<std::string> tkey_or = KeyOf(source, tls.first, key);
        if (!tkey_or.ok()) return tkey_or.error();
        const std::string& tkey = *tkey_or;
        if (!tls.second.IsScalar()) {
          return Bad(source, tls.second.Mark(),
                     "tls_server_config." + tkey + ": expected a string");
        }
        if (tkey == "cert_file") {
          out.cert_file = tls.second.Scalar();
        } else if (tkey == "key_file") {
          out.key_file = tls.second.Scalar();
        } else {
          return Bad(source, tls.first.Mark(),
                     "tls_server_config." + tkey + ": not supported");
        }
      }
    } else {
      return Bad(source, kv.first.Mark(), key + ": not supported");
    }
  }
  return out;
}

}  // namespace

Result<http::WebConfig> ParseWebConfig(const std::string& yaml_text,
                                       const std::string& source) {
  Result<http::WebConfig> parsed = http::WebConfig{};
  // Every yaml-cpp call may throw (parse errors, deep nesting, a
  // conversion missed above): none of it may escape as a crash.
  try {
    parsed = ParseWebConfigTree(YAML::Load(yaml_text), source);
  } catch (const YAML::Exception& e) {
    return Bad(source, e.mark, e.msg);
  }
  if (!parsed.ok()) return parsed;
  if (Status s = http::ValidateWebConfig(*parsed); !s.ok()) {
    return MakeError(ErrorKind::kInvalid, "web_config",
                     source + ": " + s.error().message);
  }
  return parsed;
}

Result<http::WebConfig> LoadWebConfigFile(const std::string& path) {
  Result<std::string> text = ReadBoundedFile(path, kMaxConfigFileBytes);
  if (!text.ok()) {
    return MakeError(ErrorKind::kInvalid, "web_config",
                     path + ": cannot read the web config file: " +
                         text.error().message);
  }
  return ParseWebConfig(*text, path);
}

}  // namespace failwatch
