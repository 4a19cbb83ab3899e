// HTTP basic auth against bcrypt hashes, as the exporter-toolkit does it:
// every path is protected, a verified credential is cached so bcrypt runs
// once per (user, password) and not per scrape.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace failwatch::http {

// bcrypt costs outside this range are refused when the web config loads:
// below 4 libxcrypt refuses them anyway, above 16 one check costs seconds
// of CPU (cost 31: minutes), a denial of service by config.
inline constexpr int kMinBcryptCost = 4;
inline constexpr int kMaxBcryptCost = 16;

// Why `hash` is not usable ("is not a bcrypt hash ($2a$/$2b$/$2y$)", "has
// bcrypt cost 31, allowed 4-16"); nullopt when it is. Never echoes the hash.
std::optional<std::string> CheckBcryptHash(std::string_view hash);

// Decodes standard base64 (with or without padding); nullopt when invalid.
std::optional<std::string> Base64Decode(std::string_view in);

// "Basic <base64(user:password)>" -> {user, password}. nullopt when
// malformed or when user or password holds a NUL byte (crypt() would stop
// there: "pw\0x" must not pass for "pw").
std::optional<std::pair<std::string, std::string>> ParseBasicAuthorization(
    std::string_view header);

// crypt_r(password, hash) == hash, compared in constant time. False for a
// password with a NUL byte.
bool VerifyBcrypt(std::string_view password, const std::string& hash);

enum class AuthDecision {
  kAllowed,      // auth disabled, or a cached verified credential
  kDenied,       // malformed header, NUL byte, no header
  kNeedsBcrypt,  // well-formed, not cached: Verify() it (costly)
};

class BasicAuthenticator {
 public:
  // user -> bcrypt hash; empty = authentication disabled.
  explicit BasicAuthenticator(std::map<std::string, std::string> users)
      : users_(std::move(users)) {}

  bool enabled() const { return !users_.empty(); }

  // Cheap (no bcrypt): may run on the I/O thread.
  AuthDecision Precheck(std::string_view authorization_header) const;

  // The full check, bcrypt included (milliseconds to seconds): keep it off
  // the I/O thread. An unknown user costs one bcrypt too, so the response
  // time does not reveal which users exist. Caches a success.
  bool Verify(std::string_view authorization_header) const;

  // Precheck, then Verify when needed; for callers without an I/O thread.
  bool Check(std::string_view authorization_header) const;

 private:
  // SHA-256 of user, password and hash: the cache never holds a password.
  static std::string CacheKey(const std::string& user,
                              const std::string& password,
                              const std::string& hash);

  static constexpr std::size_t kCacheCapacity = 256;

  std::map<std::string, std::string> users_;
  mutable std::mutex mu_;
  mutable std::set<std::string> verified_;  // CacheKey()s
};

}  // namespace failwatch::http
