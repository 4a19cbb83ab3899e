// `failwatch --probe URL`: a dependency-free HTTP GET so a container image
// needs no curl for its HEALTHCHECK.
#pragma once

#include <string>

#include "core/clock.h"
#include "core/result.h"

namespace failwatch {

struct ProbeUrl {
  std::string host;
  int port = 80;
  std::string path = "/";
};

Result<ProbeUrl> ParseProbeUrl(const std::string& url);

// Returns the HTTP status code, or an error (connect, timeout, bad reply).
Result<int> HttpGetStatus(const ProbeUrl& url, Millis timeout);

// Exit code: 0 on 2xx, 1 otherwise (message on stderr).
int RunProbe(const std::string& url);

}  // namespace failwatch
