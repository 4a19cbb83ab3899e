// "/": a small self-contained HTML overview for a human with a browser.
#pragma once

#include <string>
#include <string_view>

#include "core/snapshot.h"

namespace failwatch::http {

// Escapes &, <, >, " and ' for element text and quoted attributes.
std::string HtmlEscape(std::string_view text);

// `metrics_path` is the configured telemetry path (linked from the page).
std::string RenderStatusPage(const Snapshot& snapshot,
                             std::string_view metrics_path);

}  // namespace failwatch::http
