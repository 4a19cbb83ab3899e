#include "http/listen_address.h"

#include <arpa/inet.h>

#include <charconv>

namespace failwatch::http {
namespace {

Error Bad(std::string_view text, const std::string& why) {
  return MakeError(ErrorKind::kInvalid, "bad_listen_address",
                   "listen address \"" + std::string(text) + "\": " + why);
}

}  // namespace

Result<ListenEndpoint> ParseListenAddress(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return Bad(text, "expected host:port, :port or [ipv6]:port");
  }
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(),
                                   port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() ||
      ptr != port_text.data() + port_text.size() || port > 65535) {
    return Bad(text, "port must be 0-65535");
  }
  ListenEndpoint out;
  out.port = static_cast<std::uint16_t>(port);
  if (host.empty()) return out;
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') {
      return Bad(text, "unbalanced brackets");
    }
    std::string addr(host.substr(1, host.size() - 2));
    in6_addr a6{};
    if (inet_pton(AF_INET6, addr.c_str(), &a6) != 1) {
      return Bad(text, "not an IPv6 address");
    }
    out.host = addr;
    return out;
  }
  std::string addr(host);
  if (addr == "localhost") addr = "127.0.0.1";
  in_addr a4{};
  if (inet_pton(AF_INET, addr.c_str(), &a4) != 1) {
    if (addr.find(':') != std::string::npos) {
      return Bad(text, "IPv6 addresses need brackets: [addr]:port");
    }
    return Bad(text, "host must be an IP address, localhost or empty");
  }
  out.host = addr;
  return out;
}

}  // namespace failwatch::http
