#include <algorithm>

#include "config/config_sections.h"
#include "core/duration.h"

namespace failwatch::config_internal {

Schedule ReadSchedule(const Fields& f, const Schedule& parent,
                      std::string_view inherited) {
  Schedule s = parent;
  if (!f.valid()) return s;
  bool bad = false;
  bool set_interval = f.Has("interval");
  bool set_timeout = f.Has("timeout");
  if (set_interval && !f.Duration("interval", &s.interval)) bad = true;
  if (set_timeout && !f.Duration("timeout", &s.timeout)) bad = true;
  if (!bad && set_interval && s.interval.count() <= 0) {
    f.ctx().Error(f.Find("interval")->value, f.PathOf("interval"),
                  "must be greater than 0");
    bad = true;
  }
  if (!bad && set_timeout && s.timeout.count() <= 0) {
    f.ctx().Error(f.Find("timeout")->value, f.PathOf("timeout"),
                  "must be greater than 0");
    bad = true;
  }
  // A value that failed to parse would make the comparison meaningless.
  if (bad || (!set_interval && !set_timeout)) return s;
  if (s.timeout < s.interval) return s;
  if (set_timeout) {
    f.ctx().Error(
        f.Find("timeout")->value, f.PathOf("timeout"),
        "must be less than interval (" + FormatDuration(s.interval) + ")");
  } else {
    f.ctx().Error(f.Find("interval")->value, f.PathOf("interval"),
                  "must be greater than timeout (" + FormatDuration(s.timeout) +
                      ", " + std::string(inherited) + "); set " +
                      f.PathOf("timeout") + " too");
  }
  return s;
}

bool IsValidTargetName(std::string_view name) {
  auto alpha = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  };
  if (name.empty() || !alpha(name.front())) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) {
    return alpha(c) || (c >= '0' && c <= '9') || c == '.' || c == '-';
  });
}

std::string ReadTargetName(const Fields& f,
                           SeenNames* seen) {
  std::string name;
  if (!f.Require("name") || !f.String("name", &name)) return name;
  const YAML::Node& node = f.Find("name")->value;
  if (!IsValidTargetName(name)) {
    f.ctx().Error(
        node, f.PathOf("name"),
        "invalid name \"" + name + "\" (must match [a-zA-Z_][a-zA-Z0-9_.-]*)");
    return name;
  }
  auto [first, inserted] = seen->try_emplace(name, node.Mark().line + 1);
  if (!inserted) {
    f.ctx().Error(node, f.PathOf("name"),
                  "duplicate name \"" + name + "\" (first at line " +
                      std::to_string(first->second) + ")");
  }
  return name;
}

}  // namespace failwatch::config_internal
