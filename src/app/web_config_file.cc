#include "app/web_config_file.h"

#include <yaml-cpp/yaml.h>

#include <vector>

#include "core/bounded_file.h"
#include "http/basic_auth.h"

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

Result<std::vector<std::string>> StringList(const std::string& source,
                                            const YAML::Node& value,
                                            const std::string& key) {
  if (!value.IsSequence()) {
    return Bad(source, value.Mark(), key + ": expected a list of strings");
  }
  std::vector<std::string> out;
  for (const auto& item : value) {
    if (!item.IsScalar()) {
      return Bad(source, item.Mark(), key + ": expected a string");
    }
    out.push_back(item.Scalar());
  }
  return out;
}

// cipher_suites or curve_preferences: every name must be one failwatch can
// hand to OpenSSL, so a typo fails at load instead of weakening TLS.
Status ParseTlsNameList(const std::string& source, const std::string& tkey,
                        const std::string& where, const YAML::Node& value,
                        http::TlsServerConfig& tls) {
  auto list = StringList(source, value, where);
  if (!list.ok()) return list.error();
  for (const std::string& item : *list) {
    bool known = tkey == "cipher_suites"
                     ? http::OpenSslCipherName(item).has_value()
                     : (item == "X25519" || item == "CurveP256" ||
                        item == "CurveP384" || item == "CurveP521");
    if (!known) {
      return Bad(source, value.Mark(), where + ": unknown \"" + item + "\"");
    }
  }
  (tkey == "cipher_suites" ? tls.cipher_suites : tls.curve_preferences) = *list;
  return Status::Ok();
}

// One tls_server_config key; an unknown key is an error at `key_mark`.
Status ParseTlsKey(const std::string& source, const std::string& tkey,
                   const YAML::Mark& key_mark, const YAML::Node& value,
                   http::TlsServerConfig& tls) {
  const std::string where = "tls_server_config." + tkey;
  if (tkey == "cipher_suites" || tkey == "curve_preferences") {
    return ParseTlsNameList(source, tkey, where, value, tls);
  }
  if (!value.IsScalar()) {
    return Bad(source, value.Mark(), where + ": expected a string");
  }
  const std::string& v = value.Scalar();
  if (tkey == "cert_file") {
    tls.cert_file = v;
  } else if (tkey == "key_file") {
    tls.key_file = v;
  } else if (tkey == "cert") {
    tls.cert = v;
  } else if (tkey == "key") {
    tls.key = v;
  } else if (tkey == "client_ca_file") {
    tls.client_ca_file = v;
  } else if (tkey == "client_auth_type") {
    auto mode = http::ClientAuthFromName(v);
    if (!mode) {
      return Bad(source, value.Mark(),
                 where + ": \"" + v +
                     "\" is not one of NoClientCert, RequestClientCert, "
                     "RequireAnyClientCert, VerifyClientCertIfGiven, "
                     "RequireAndVerifyClientCert");
    }
    tls.client_auth = *mode;
  } else if (tkey == "min_version" || tkey == "max_version") {
    auto version = http::TlsVersionFromName(v);
    if (!version) {
      return Bad(source, value.Mark(),
                 where + ": \"" + v + "\" is not TLS10, TLS11, TLS12 or TLS13");
    }
    (tkey == "min_version" ? tls.min_version : tls.max_version) = *version;
  } else if (tkey == "prefer_server_cipher_suites") {
    if (v != "true" && v != "false") {
      return Bad(source, value.Mark(), where + ": expected true or false");
    }
    tls.prefer_server_cipher_suites = v == "true";
  } else {
    return Bad(source, key_mark, where + ": not supported");
  }
  return Status::Ok();
}

Status ParseTls(const std::string& source, const YAML::Node& value,
                http::TlsServerConfig& tls) {
  if (value.IsNull()) return Status::Ok();
  if (!value.IsMap()) {
    return Bad(source, value.Mark(), "tls_server_config: expected a mapping");
  }
  for (const auto& kv : value) {
    Result<std::string> tkey = KeyOf(source, kv.first, "tls_server_config");
    if (!tkey.ok()) return tkey.error();
    Status st = ParseTlsKey(source, *tkey, kv.first.Mark(), kv.second, tls);
    if (!st.ok()) return st;
  }
  return Status::Ok();
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
        return Bad(source, value.Mark(),
                   "basic_auth_users: expected a mapping");
      }
      for (const auto& user : value) {
        Result<std::string> name = KeyOf(source, user.first, key);
        if (!name.ok()) return name.error();
        if (!user.second.IsScalar()) {
          return Bad(source, user.second.Mark(),
                     "basic_auth_users: expected user: bcrypt-hash");
        }
        // The cost is checked here, where the position is known: a cost
        // of 31 would cost minutes of CPU per request.
        if (auto why = http::CheckBcryptHash(user.second.Scalar())) {
          return Bad(
              source, user.second.Mark(),
              "basic_auth_users: the password of \"" + *name + "\" " + *why);
        }
        out.basic_auth_users[*name] = user.second.Scalar();
      }
    } else if (key == "tls_server_config") {
      if (Status st = ParseTls(source, value, out.tls); !st.ok()) {
        return st.error();
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
    return MakeError(
        ErrorKind::kInvalid, "web_config",
        path + ": cannot read the web config file: " + text.error().message);
  }
  return ParseWebConfig(*text, path);
}

}  // namespace failwatch
