#include "core/host_port.h"

#include <charconv>

namespace failwatch {
namespace {

Error Bad(std::string_view text, const std::string& why) {
  return MakeError(ErrorKind::kInvalid, "bad_address",
                   "invalid address \"" + std::string(text) + "\": " + why);
}

}  // namespace

std::string HostPort::ToString() const {
  if (host.find(':') != std::string::npos) {
    return "[" + host + "]:" + std::to_string(port);
  }
  return host + ":" + std::to_string(port);
}

Result<HostPort> ParseHostPort(std::string_view text,
                               std::uint16_t default_port) {
  if (text.empty()) return Bad(text, "empty");
  HostPort out;
  std::string_view rest;
  if (text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return Bad(text, "missing ']'");
    out.host = std::string(text.substr(1, close - 1));
    rest = text.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') {
      return Bad(text, "expected ':' after ']'");
    }
  } else {
    auto colon = text.rfind(':');
    if (colon != std::string_view::npos &&
        text.find(':') != colon) {  // bare IPv6 without brackets
      return Bad(text, "IPv6 addresses need brackets: [addr]:port");
    }
    out.host = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) rest = text.substr(colon);
  }
  if (out.host.empty()) return Bad(text, "empty host");
  for (char c : out.host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' ||
              c == ':';
    if (!ok) return Bad(text, "unexpected character in host");
  }
  if (rest.empty()) {
    if (default_port == 0) return Bad(text, "missing port");
    out.port = default_port;
    return out;
  }
  std::string_view port_text = rest.substr(1);
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(),
                                   port_text.data() + port_text.size(), value);
  if (port_text.empty() || ec != std::errc() ||
      ptr != port_text.data() + port_text.size() || value == 0 ||
      value > 65535) {
    return Bad(text, "port must be 1-65535");
  }
  out.port = static_cast<std::uint16_t>(value);
  return out;
}

}  // namespace failwatch
