// gzip for /metrics: a scrape of many targets compresses about 10x.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace failwatch::http {

// True when an Accept-Encoding header value allows gzip ("gzip", "x-gzip"
// or "*", with a q-value other than 0).
bool AcceptsGzip(std::string_view accept_encoding);

Result<std::string> GzipCompress(std::string_view data);

}  // namespace failwatch::http
