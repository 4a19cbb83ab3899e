#include "app/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

namespace failwatch {
namespace {

bool IsKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

// Renders the logfmt message as JSON; the timestamp and level come from
// spdlog so they are identical in both formats.
class JsonFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const auto secs = std::chrono::time_point_cast<std::chrono::milliseconds>(
        msg.time);
    const std::time_t t = std::chrono::system_clock::to_time_t(msg.time);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
    char ts[48];
    std::snprintf(ts, sizeof(ts), "%s.%03dZ", buf,
                  static_cast<int>(secs.time_since_epoch().count() % 1000));
    const auto level = spdlog::level::to_string_view(msg.level);
    std::string line = FormatJsonLogLine(
        ts, std::string_view(level.data(), level.size()),
        std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonFlag>();
  }
};

}  // namespace

std::vector<std::pair<std::string, std::string>> ParseLogfmt(
    std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string loose;  // words that are not key=value
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    if (i >= text.size()) break;
    std::size_t k = i;
    while (k < text.size() && IsKeyChar(text[k])) ++k;
    if (k > i && k < text.size() && text[k] == '=') {
      std::string key(text.substr(i, k - i));
      std::string value;
      std::size_t v = k + 1;
      if (v < text.size() && text[v] == '"') {
        ++v;
        while (v < text.size() && text[v] != '"') {
          if (text[v] == '\\' && v + 1 < text.size()) ++v;
          value += text[v++];
        }
        if (v < text.size()) ++v;  // closing quote
      } else {
        while (v < text.size() && text[v] != ' ') value += text[v++];
      }
      out.emplace_back(std::move(key), std::move(value));
      i = v;
    } else {
      std::size_t end = text.find(' ', i);
      if (end == std::string_view::npos) end = text.size();
      if (!loose.empty()) loose += ' ';
      loose += text.substr(i, end - i);
      i = end;
    }
  }
  if (!loose.empty()) {
    bool has_msg = false;
    for (auto& [k, v] : out) {
      if (k == "msg") {
        v = v + " " + loose;
        has_msg = true;
      }
    }
    if (!has_msg) out.insert(out.begin(), {"msg", loose});
  }
  return out;
}

std::string FormatJsonLogLine(std::string_view ts, std::string_view level,
                              std::string_view message) {
  nlohmann::ordered_json j;
  j["ts"] = ts;
  j["level"] = level;
  for (auto& [k, v] : ParseLogfmt(message)) {
    if (k == "ts" || k == "level") continue;
    j[k] = v;
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Status ConfigureLogging(const std::string& level, const std::string& format) {
  spdlog::level::level_enum lvl;
  if (level == "debug") {
    lvl = spdlog::level::debug;
  } else if (level == "info") {
    lvl = spdlog::level::info;
  } else if (level == "warn") {
    lvl = spdlog::level::warn;
  } else if (level == "error") {
    lvl = spdlog::level::err;
  } else {
    return MakeError(ErrorKind::kInvalid, "bad_flag",
                     "--log.level must be debug, info, warn or error");
  }
  std::unique_ptr<spdlog::formatter> formatter;
  if (format == "logfmt") {
    formatter = std::make_unique<spdlog::pattern_formatter>(
        "ts=%Y-%m-%dT%H:%M:%S.%eZ level=%l %v", spdlog::pattern_time_type::utc);
  } else if (format == "json") {
    auto f = std::make_unique<spdlog::pattern_formatter>();
    f->add_flag<JsonFlag>('*').set_pattern("%*");
    formatter = std::move(f);
  } else {
    return MakeError(ErrorKind::kInvalid, "bad_flag",
                     "--log.format must be logfmt or json");
  }
  // Logs go to stderr so --once can print the exposition on stdout.
  auto logger = std::make_shared<spdlog::logger>(
      "failwatch", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_formatter(std::move(formatter));
  logger->set_level(lvl);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  return Status::Ok();
}

}  // namespace failwatch
