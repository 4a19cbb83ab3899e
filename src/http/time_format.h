#pragma once

#include <string>

#include "core/clock.h"

namespace failwatch::http {

// RFC 3339 in UTC with milliseconds: "2023-11-14T22:13:20.123Z".
std::string FormatRfc3339(WallTime t);

}  // namespace failwatch::http
