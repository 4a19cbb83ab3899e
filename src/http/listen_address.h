// --web.listen-address ("host:port", ":port", "[::]:port") to civetweb's
// listening_ports syntax.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace failwatch::http {

// `ipv6_supported` is whether civetweb was built with IPv6 (Debian's 1.15
// is not). Port 0 asks for an ephemeral port. `tls` appends civetweb's "s".
Result<std::string> ToCivetwebPorts(std::string_view listen_address,
                                    bool ipv6_supported, bool tls);

}  // namespace failwatch::http
