// "host:port" as written in the config ("db.lab.test:5432",
// "127.0.0.2:5432", "[::1]:5432").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace failwatch {

struct HostPort {
  std::string host;
  std::uint16_t port = 0;

  std::string ToString() const;
  bool operator==(const HostPort&) const = default;
  auto operator<=>(const HostPort&) const = default;
};

// default_port is used when the text has no ":port"; 0 means a port is
// required.
Result<HostPort> ParseHostPort(std::string_view text,
                               std::uint16_t default_port = 0);

}  // namespace failwatch
