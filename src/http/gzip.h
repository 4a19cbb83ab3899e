// Content negotiation for /metrics, whose gzip body is spliced from
// pre-compressed pieces (core/gzip_segments.h).
#pragma once

#include <string_view>

namespace failwatch::http {

// True when an Accept-Encoding header value allows gzip ("gzip", "x-gzip"
// or "*", with a q-value other than 0).
bool AcceptsGzip(std::string_view accept_encoding);

}  // namespace failwatch::http
