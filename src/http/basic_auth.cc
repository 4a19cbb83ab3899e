#include "http/basic_auth.h"

#include <crypt.h>
#include <openssl/evp.h>

#include <cctype>
#include <memory>

namespace failwatch::http {
namespace {

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

}  // namespace

std::optional<std::string> CheckBcryptHash(std::string_view hash) {
  // "$2b$" cost "$" 53 characters of salt and hash: 60 in total.
  const bool shape =
      hash.size() == 60 &&
      (hash.substr(0, 3) == "$2a" || hash.substr(0, 3) == "$2b" ||
       hash.substr(0, 3) == "$2y") &&
      hash[3] == '$' && std::isdigit(static_cast<unsigned char>(hash[4])) &&
      std::isdigit(static_cast<unsigned char>(hash[5])) && hash[6] == '$';
  if (!shape) return "is not a bcrypt hash ($2a$/$2b$/$2y$)";
  int cost = (hash[4] - '0') * 10 + (hash[5] - '0');
  if (cost < kMinBcryptCost || cost > kMaxBcryptCost) {
    return "has bcrypt cost " + std::to_string(cost) + ", allowed " +
           std::to_string(kMinBcryptCost) + "-" +
           std::to_string(kMaxBcryptCost);
  }
  return std::nullopt;
}

std::optional<std::string> Base64Decode(std::string_view in) {
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  if (in.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(in.size() * 3 / 4);
  unsigned buffer = 0;
  int bits = 0;
  for (char c : in) {
    int v = Base64Value(c);
    if (v < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

std::optional<std::pair<std::string, std::string>> ParseBasicAuthorization(
    std::string_view header) {
  constexpr std::string_view kScheme = "basic ";
  if (header.size() <= kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) {
      return std::nullopt;
    }
  }
  std::string_view token = header.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  auto decoded = Base64Decode(token);
  if (!decoded) return std::nullopt;
  if (decoded->find('\0') != std::string::npos) return std::nullopt;
  auto colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  return std::make_pair(decoded->substr(0, colon), decoded->substr(colon + 1));
}

bool VerifyBcrypt(std::string_view password, const std::string& hash) {
  if (password.find('\0') != std::string_view::npos) return false;
  const std::string pw(password);
  // crypt_data is ~32 KiB: too big for a small worker stack.
  auto data = std::make_unique<crypt_data>();
  const char* out = crypt_r(pw.c_str(), hash.c_str(), data.get());
  // libxcrypt returns a "*0"/"*1" failure token, never the hash, on error.
  if (out == nullptr || out[0] == '*') return false;
  return ConstantTimeEquals(out, hash);
}

std::string BasicAuthenticator::CacheKey(const std::string& user,
                                         const std::string& password,
                                         const std::string& hash) {
  std::string input = user;
  input.push_back('\0');
  input += password;
  input.push_back('\0');
  input += hash;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(input.data(), input.size(), digest, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), len);
}

AuthDecision BasicAuthenticator::Precheck(
    std::string_view authorization_header) const {
  if (users_.empty()) return AuthDecision::kAllowed;
  auto creds = ParseBasicAuthorization(authorization_header);
  if (!creds) return AuthDecision::kDenied;
  auto it = users_.find(creds->first);
  if (it == users_.end()) return AuthDecision::kNeedsBcrypt;
  // A set lookup by SHA-256 digest: its timing says nothing usable about
  // the password.
  std::string key = CacheKey(creds->first, creds->second, it->second);
  std::lock_guard<std::mutex> lock(mu_);
  return verified_.count(key) != 0 ? AuthDecision::kAllowed
                                   : AuthDecision::kNeedsBcrypt;
}

bool BasicAuthenticator::Verify(std::string_view authorization_header) const {
  if (users_.empty()) return true;
  auto creds = ParseBasicAuthorization(authorization_header);
  if (!creds) return false;
  auto it = users_.find(creds->first);
  if (it == users_.end()) {
    // Burn the same bcrypt cost as a known user would.
    VerifyBcrypt(creds->second, users_.begin()->second);
    return false;
  }
  if (!VerifyBcrypt(creds->second, it->second)) return false;
  std::string key = CacheKey(creds->first, creds->second, it->second);
  std::lock_guard<std::mutex> lock(mu_);
  // Scrapers use a handful of credentials; a flood of distinct valid ones
  // only costs bcrypt again after a reset.
  if (verified_.size() >= kCacheCapacity) verified_.clear();
  verified_.insert(std::move(key));
  return true;
}

bool BasicAuthenticator::Check(std::string_view authorization_header) const {
  switch (Precheck(authorization_header)) {
    case AuthDecision::kAllowed:
      return true;
    case AuthDecision::kDenied:
      return false;
    case AuthDecision::kNeedsBcrypt:
      break;
  }
  return Verify(authorization_header);
}

}  // namespace failwatch::http
