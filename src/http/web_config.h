// The Prometheus exporter-toolkit web config (--web.config.file) that
// failwatch supports. The app module parses the YAML into these structs;
// this module validates and applies them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace failwatch::http {

// exporter-toolkit's client_auth_type values (Go's tls.ClientAuthType).
enum class ClientAuth {
  kNoClientCert,
  kRequestClientCert,           // asked for, not required, not verified
  kRequireAnyClientCert,        // required, not verified
  kVerifyClientCertIfGiven,     // verified against client_ca_file if sent
  kRequireAndVerifyClientCert,  // required and verified
};

std::optional<ClientAuth> ClientAuthFromName(std::string_view name);
std::string_view ClientAuthName(ClientAuth mode);

// "TLS10".."TLS13" -> 0x0301..0x0304 (OpenSSL's TLS1_x_VERSION values).
std::optional<int> TlsVersionFromName(std::string_view name);

// A Go cipher suite name (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256) -> the
// OpenSSL name (ECDHE-RSA-AES128-GCM-SHA256); nullopt when unknown. As in
// Go, the list applies to TLS 1.2 and below; TLS 1.3 suites are fixed.
std::optional<std::string> OpenSslCipherName(std::string_view go_name);

struct TlsServerConfig {
  std::string cert_file;
  std::string key_file;
  std::string cert;  // inline PEM, instead of cert_file
  std::string key;   // inline PEM, instead of key_file (a secret)
  std::string client_ca_file;
  ClientAuth client_auth = ClientAuth::kNoClientCert;
  int min_version = 0x0303;                // TLS12, exporter-toolkit's default
  int max_version = 0;                     // 0 = the library's newest
  std::vector<std::string> cipher_suites;  // Go names
  std::vector<std::string> curve_preferences;  // Go names (X25519, CurveP256)
  bool prefer_server_cipher_suites = true;

  bool enabled() const {
    return !cert_file.empty() || !key_file.empty() || !cert.empty() ||
           !key.empty();
  }
  bool operator==(const TlsServerConfig&) const = default;
};

struct WebConfig {
  // user -> bcrypt hash ("$2a$", "$2b$" or "$2y$", cost 4-16). Empty = no
  // auth.
  std::map<std::string, std::string> basic_auth_users;
  TlsServerConfig tls;

  bool tls_enabled() const { return tls.enabled(); }
  bool operator==(const WebConfig&) const = default;
};

// Checks the shape (bcrypt hashes and costs, user names, cert and key,
// client CA for the verifying modes, versions, cipher names). Error code
// "web_config"; the message names the key, never a secret.
Status ValidateWebConfig(const WebConfig& config);

}  // namespace failwatch::http
