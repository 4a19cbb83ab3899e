// --web.listen-address ("host:port", ":port", "[ipv6]:port") parsed into a
// numeric address to bind. No name resolution except "localhost".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace failwatch::http {

struct ListenEndpoint {
  // Numeric IPv4 or IPv6 address; empty = every interface (dual stack
  // where the host has IPv6, as Go's ":port" does).
  std::string host;
  std::uint16_t port = 0;  // 0 = ephemeral
  bool operator==(const ListenEndpoint&) const = default;
};

// Error code "bad_listen_address", the message names the address.
Result<ListenEndpoint> ParseListenAddress(std::string_view listen_address);

}  // namespace failwatch::http
