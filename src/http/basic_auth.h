// HTTP basic auth against bcrypt hashes, as the exporter-toolkit does it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace failwatch::http {

// Decodes standard base64 (with or without padding); nullopt when invalid.
std::optional<std::string> Base64Decode(std::string_view in);

// "Basic <base64(user:password)>" -> {user, password}.
std::optional<std::pair<std::string, std::string>> ParseBasicAuthorization(
    std::string_view header);

// crypt_r(password, hash) == hash, compared in constant time.
bool VerifyBcrypt(const std::string& password, const std::string& hash);

class BasicAuthenticator {
 public:
  // user -> bcrypt hash; empty = authentication disabled.
  explicit BasicAuthenticator(std::map<std::string, std::string> users)
      : users_(std::move(users)) {}

  bool enabled() const { return !users_.empty(); }

  // True when disabled or when the Authorization header names a known user
  // with the right password. An unknown user costs one bcrypt too, so the
  // response time does not reveal which users exist.
  bool Check(std::string_view authorization_header) const;

 private:
  std::map<std::string, std::string> users_;
};

}  // namespace failwatch::http
