#include "http/web_config.h"

#include <civetweb.h>
#include <dlfcn.h>

#include <cctype>

namespace failwatch::http {
namespace {

Error Bad(const std::string& message) {
  return MakeError(ErrorKind::kInvalid, "web_config", message);
}

bool LooksLikeBcrypt(const std::string& hash) {
  // "$2b$" cost "$" 53 characters of salt and hash: 60 in total.
  if (hash.size() != 60) return false;
  if (hash.compare(0, 3, "$2a") != 0 && hash.compare(0, 3, "$2b") != 0 &&
      hash.compare(0, 3, "$2y") != 0) {
    return false;
  }
  return hash[3] == '$' && std::isdigit(static_cast<unsigned char>(hash[4])) &&
         std::isdigit(static_cast<unsigned char>(hash[5])) && hash[6] == '$';
}

}  // namespace

Status TlsAvailable() {
  constexpr unsigned kTlsFeature = 2;
  if (mg_check_feature(kTlsFeature) == 0) {
    return MakeError(ErrorKind::kInvalid, "tls_unavailable",
                     "tls_server_config: this civetweb build has no TLS "
                     "support; terminate TLS in a proxy in front of "
                     "failwatch");
  }
  // civetweb dlopen()s "libssl.so" and resolves its functions by name.
  // Debian's civetweb 1.15 uses SSL_get_peer_certificate, which OpenSSL 3
  // removed: the null function pointer crashes the worker on the first TLS
  // connection. Refuse instead of crashing.
  void* ssl = dlopen("libssl.so", RTLD_LAZY | RTLD_LOCAL);
  if (ssl == nullptr) {
    return MakeError(ErrorKind::kInvalid, "tls_unavailable",
                     "tls_server_config: civetweb cannot load libssl.so "
                     "(install the OpenSSL development package)");
  }
  bool usable = dlsym(ssl, "SSL_get_peer_certificate") != nullptr;
  dlclose(ssl);
  if (!usable) {
    return MakeError(ErrorKind::kInvalid, "tls_unavailable",
                     "tls_server_config: this civetweb build is not "
                     "compatible with the installed OpenSSL 3 (it would crash "
                     "on the first TLS connection); terminate TLS in a proxy "
                     "in front of failwatch");
  }
  return Status::Ok();
}

Status ValidateWebConfig(const WebConfig& config) {
  for (const auto& [user, hash] : config.basic_auth_users) {
    if (user.empty()) return Bad("basic_auth_users: empty user name");
    if (user.find(':') != std::string::npos) {
      return Bad("basic_auth_users: user name \"" + user + "\" contains ':'");
    }
    // The hash itself is not echoed: it is a secret of sorts.
    if (!LooksLikeBcrypt(hash)) {
      return Bad("basic_auth_users: the password of \"" + user +
                 "\" is not a bcrypt hash ($2a$/$2b$/$2y$)");
    }
  }
  if (config.tls_enabled()) {
    if (config.cert_file.empty())
      return Bad("tls_server_config: cert_file is missing");
    if (config.key_file.empty())
      return Bad("tls_server_config: key_file is missing");
    if (Status tls = TlsAvailable(); !tls.ok()) return tls;
  }
  return Status::Ok();
}

}  // namespace failwatch::http
