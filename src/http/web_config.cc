#include "http/web_config.h"

#include <array>
#include <utility>

#include "http/basic_auth.h"

namespace failwatch::http {
namespace {

Error Bad(const std::string& message) {
  return MakeError(ErrorKind::kInvalid, "web_config", message);
}

constexpr std::array<std::pair<std::string_view, ClientAuth>, 5> kClientAuth{{
    {"NoClientCert", ClientAuth::kNoClientCert},
    {"RequestClientCert", ClientAuth::kRequestClientCert},
    {"RequireAnyClientCert", ClientAuth::kRequireAnyClientCert},
    {"VerifyClientCertIfGiven", ClientAuth::kVerifyClientCertIfGiven},
    {"RequireAndVerifyClientCert", ClientAuth::kRequireAndVerifyClientCert},
}};

// Go's crypto/tls names of the TLS 1.0-1.2 suites it implements.
constexpr std::array<std::pair<std::string_view, std::string_view>, 16>
    kCiphers{{
        {"TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA"},
        {"TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA"},
        {"TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256"},
        {"TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384"},
        {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA"},
        {"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA"},
        {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA"},
        {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA"},
        {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"},
        {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
         "ECDHE-ECDSA-AES128-GCM-SHA256"},
        {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384"},
        {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
         "ECDHE-ECDSA-AES256-GCM-SHA384"},
        {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
         "ECDHE-RSA-CHACHA20-POLY1305"},
        {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
         "ECDHE-ECDSA-CHACHA20-POLY1305"},
        {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "ECDHE-RSA-CHACHA20-POLY1305"},
        {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
         "ECDHE-ECDSA-CHACHA20-POLY1305"},
    }};

Status ValidateTls(const TlsServerConfig& tls) {
  if (!tls.cert_file.empty() && !tls.cert.empty()) {
    return Bad("tls_server_config: set cert_file or cert, not both");
  }
  if (!tls.key_file.empty() && !tls.key.empty()) {
    return Bad("tls_server_config: set key_file or key, not both");
  }
  if (tls.cert_file.empty() && tls.cert.empty()) {
    return Bad("tls_server_config: cert_file (or cert) is missing");
  }
  if (tls.key_file.empty() && tls.key.empty()) {
    return Bad("tls_server_config: key_file (or key) is missing");
  }
  const bool verifies = tls.client_auth == ClientAuth::kVerifyClientCertIfGiven ||
                        tls.client_auth == ClientAuth::kRequireAndVerifyClientCert;
  if (verifies && tls.client_ca_file.empty()) {
    return Bad("tls_server_config: client_auth_type " +
               std::string(ClientAuthName(tls.client_auth)) +
               " needs client_ca_file");
  }
  if (tls.max_version != 0 && tls.max_version < tls.min_version) {
    return Bad("tls_server_config: max_version is older than min_version");
  }
  for (const std::string& c : tls.cipher_suites) {
    if (!OpenSslCipherName(c)) {
      return Bad("tls_server_config: cipher_suites: unknown suite \"" + c +
                 "\"");
    }
  }
  for (const std::string& c : tls.curve_preferences) {
    if (c != "X25519" && c != "CurveP256" && c != "CurveP384" &&
        c != "CurveP521") {
      return Bad("tls_server_config: curve_preferences: unknown curve \"" + c +
                 "\"");
    }
  }
  return Status::Ok();
}

}  // namespace

std::optional<ClientAuth> ClientAuthFromName(std::string_view name) {
  for (const auto& [n, mode] : kClientAuth) {
    if (n == name) return mode;
  }
  // exporter-toolkit treats an empty value as the default.
  if (name.empty()) return ClientAuth::kNoClientCert;
  return std::nullopt;
}

std::string_view ClientAuthName(ClientAuth mode) {
  for (const auto& [n, m] : kClientAuth) {
    if (m == mode) return n;
  }
  return "?";
}

std::optional<int> TlsVersionFromName(std::string_view name) {
  if (name == "TLS10") return 0x0301;
  if (name == "TLS11") return 0x0302;
  if (name == "TLS12") return 0x0303;
  if (name == "TLS13") return 0x0304;
  return std::nullopt;
}

std::optional<std::string> OpenSslCipherName(std::string_view go_name) {
  for (const auto& [go, ossl] : kCiphers) {
    if (go == go_name) return std::string(ossl);
  }
  return std::nullopt;
}

Status ValidateWebConfig(const WebConfig& config) {
  for (const auto& [user, hash] : config.basic_auth_users) {
    if (user.empty()) return Bad("basic_auth_users: empty user name");
    if (user.find(':') != std::string::npos) {
      return Bad("basic_auth_users: user name \"" + user + "\" contains ':'");
    }
    // The hash itself is not echoed: it is a secret of sorts.
    if (auto why = CheckBcryptHash(hash)) {
      return Bad("basic_auth_users: the password of \"" + user + "\" " + *why);
    }
  }
  if (config.tls_enabled()) return ValidateTls(config.tls);
  return Status::Ok();
}

}  // namespace failwatch::http
