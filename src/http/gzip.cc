#include "http/gzip.h"

#include <algorithm>
#include <cctype>
#include <optional>

namespace failwatch::http {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// "q=0", "q=0.0", "q=0.000" all refuse the coding (RFC 9110 12.4.2).
bool IsZeroQ(std::string_view params) {
  while (!params.empty()) {
    auto semi = params.find(';');
    std::string_view p = Trim(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view()
                                            : params.substr(semi + 1);
    if (p.size() < 2 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=') continue;
    std::string_view v = p.substr(2);
    return !v.empty() && v.find_first_not_of("0.") == std::string_view::npos;
  }
  return false;
}

}  // namespace

bool AcceptsGzip(std::string_view accept_encoding) {
  // RFC 9110 12.5.3: a coding named explicitly wins over "*", whatever
  // their order ("*, gzip;q=0" means identity).
  std::optional<bool> explicit_gzip;
  std::optional<bool> wildcard;
  while (!accept_encoding.empty()) {
    auto comma = accept_encoding.find(',');
    std::string_view item = accept_encoding.substr(0, comma);
    accept_encoding = comma == std::string_view::npos
                          ? std::string_view()
                          : accept_encoding.substr(comma + 1);
    auto semi = item.find(';');
    std::string_view coding = Trim(item.substr(0, semi));
    std::string_view params = semi == std::string_view::npos
                                  ? std::string_view()
                                  : item.substr(semi + 1);
    const bool allowed = !IsZeroQ(params);
    if (EqualsIgnoreCase(coding, "gzip") || EqualsIgnoreCase(coding, "x-gzip")) {
      explicit_gzip = explicit_gzip.value_or(false) || allowed;
    } else if (coding == "*") {
      wildcard = wildcard.value_or(false) || allowed;
    }
  }
  if (explicit_gzip) return *explicit_gzip;
  return wildcard.value_or(false);
}

}  // namespace failwatch::http
