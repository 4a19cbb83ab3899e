// c-ares status codes as failwatch Errors. The code is the status name
// ("ENOTFOUND" for NXDOMAIN, "ETIMEOUT", ...), stable and safe as a label.
#pragma once

#include <string>

#include "core/result.h"

namespace failwatch {

// "ENOTFOUND", "ETIMEOUT", ...: the c-ares status name without "ARES_".
const char* AresStatusName(int status);

ErrorKind AresStatusKind(int status);

// An Error with the status name as code and "<what>: <ares_strerror>" as
// message.
Error AresError(int status, const std::string& what);

}  // namespace failwatch
