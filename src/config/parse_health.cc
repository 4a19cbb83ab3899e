#include <charconv>
#include <string>

#include "config/config_sections.h"
#include "health/check_table.h"

namespace failwatch::config_internal {
namespace {

void ReadFailsOn(const Fields& f, HealthConfig& h) {
  std::string fails_on;
  if (!f.String("readiness_fails_on", &fails_on)) return;
  if (fails_on == "never") {
    h.readiness_fails_on = HealthConfig::ReadinessFailsOn::kNever;
  } else if (fails_on == "degraded") {
    h.readiness_fails_on = HealthConfig::ReadinessFailsOn::kDegraded;
  } else if (fails_on == "down") {
    h.readiness_fails_on = HealthConfig::ReadinessFailsOn::kDown;
  } else {
    f.ctx().Error(f.Find("readiness_fails_on")->value,
                  f.PathOf("readiness_fails_on"),
                  "invalid value \"" + fails_on +
                      "\" (expected never, degraded or down)");
  }
}

// A non-negative whole number (counts, bytes); at most 2^53 so it is exact
// as a double.
std::optional<double> ReadCount(ParseContext& ctx, const YAML::Node& node,
                                const std::string& path) {
  auto text = ReadScalar(ctx, node, path, "a non-negative integer");
  if (!text) return std::nullopt;
  std::uint64_t v = 0;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, v);
  if (ec != std::errc() || ptr != end || text->empty() ||
      v > (std::uint64_t{1} << 53)) {
    ctx.Error(node, path,
              "invalid value \"" + *text +
                  "\" (expected a non-negative integer up to 2^53)");
    return std::nullopt;
  }
  return static_cast<double>(v);
}

void ReadThreshold(const Fields& c, const Fields::Entry& e,
                   const ThresholdKey& key, CheckOverride& o) {
  const std::string path = c.PathOf(e.key);
  if (key.kind == ThresholdKind::kDuration) {
    auto d = ReadDuration(c.ctx(), e.value, path);
    if (!d) return;
    if (d->count() <= 0) {
      c.ctx().Error(e.value, path, "must be greater than 0");
      return;
    }
    o.thresholds[e.key] = ToSeconds(*d);
    return;
  }
  if (auto n = ReadCount(c.ctx(), e.value, path)) o.thresholds[e.key] = *n;
}

CheckOverride ReadCheck(ParseContext& ctx, const Fields::Entry& e,
                        const std::string& path, const std::string& check) {
  CheckOverride o;
  if (e.value.IsNull()) return o;  // `no_primary:` alone keeps the defaults
  Fields c = Fields::OpenFreeForm(ctx, e.value, path);
  if (!c.valid()) return o;
  for (const Fields::Entry& k : c.entries()) {
    if (k.key == "for" || k.key == "clear_after") continue;
    if (const ThresholdKey* t = FindThresholdKey(check, k.key)) {
      ReadThreshold(c, k, *t, o);
      continue;
    }
    std::string known = "for, clear_after";
    for (const ThresholdKey& t : FindCheck(check)->thresholds) {
      known += ", " + std::string(t.key);
    }
    ctx.Error(k.key_node, c.PathOf(k.key),
              "unknown key (expected one of: " + known + ")");
  }
  Millis d{};
  if (c.Duration("for", &d)) o.for_duration = d;
  if (c.Duration("clear_after", &d)) o.clear_after = d;
  return o;
}

}  // namespace

HealthConfig ParseHealth(ParseContext& ctx, const YAML::Node& node) {
  HealthConfig h;
  Fields f = Fields::Open(ctx, node, "health",
                          {"readiness_fails_on", "failover_timeout", "checks"});
  if (!f.valid()) return h;
  ReadFailsOn(f, h);
  Millis timeout{};
  if (f.Duration("failover_timeout", &timeout)) {
    if (timeout.count() <= 0) {
      ctx.Error(f.Find("failover_timeout")->value, f.PathOf("failover_timeout"),
                "must be greater than 0");
    } else {
      h.failover_timeout = timeout;
    }
  }
  const Fields::Entry* checks_entry = f.Find("checks");
  if (checks_entry == nullptr) return h;
  Fields checks =
      Fields::OpenFreeForm(ctx, checks_entry->value, f.PathOf("checks"));
  for (const Fields::Entry& e : checks.entries()) {
    std::string path = checks.PathOf(e.key);
    if (FindCheck(e.key) == nullptr) {
      ctx.Error(e.key_node, path, "unknown check name");
      continue;
    }
    h.checks[e.key] = ReadCheck(ctx, e, path, e.key);
  }
  return h;
}

}  // namespace failwatch::config_internal
