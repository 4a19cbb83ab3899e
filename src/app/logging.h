// Structured logs. Code logs one style through spdlog: free text, then
// key=value pairs (`sample failed collector=dns error="..."`; ParseLogfmt
// makes the free text the msg field); the sink renders them as logfmt or
// JSON lines (--log.format), so every line is machine-parseable either way.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace failwatch {

enum class LogFormat { kLogfmt, kJson };

// Parses "msg=\"a b\" k=v k2=\"x\"" into pairs. Words that are not key=value
// are joined into the "msg" field, so free text still renders sensibly.
std::vector<std::pair<std::string, std::string>> ParseLogfmt(
    std::string_view text);

// One JSON object: {"ts":..,"level":..,<fields>}.
std::string FormatJsonLogLine(std::string_view ts, std::string_view level,
                              std::string_view message);

Status ConfigureLogging(const std::string& level, const std::string& format);

}  // namespace failwatch
