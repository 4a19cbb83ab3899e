#include <string>

#include "config/check_names.h"
#include "config/config_sections.h"

namespace failwatch::config_internal {

HealthConfig ParseHealth(ParseContext& ctx, const YAML::Node& node) {
  HealthConfig h;
  Fields f =
      Fields::Open(ctx, node, "health", {"readiness_fails_on", "checks"});
  if (!f.valid()) return h;
  std::string fails_on;
  if (f.String("readiness_fails_on", &fails_on)) {
    if (fails_on == "never") {
      h.readiness_fails_on = HealthConfig::ReadinessFailsOn::kNever;
    } else if (fails_on == "degraded") {
      h.readiness_fails_on = HealthConfig::ReadinessFailsOn::kDegraded;
    } else if (fails_on == "down") {
      h.readiness_fails_on = HealthConfig::ReadinessFailsOn::kDown;
    } else {
      ctx.Error(f.Find("readiness_fails_on")->value,
                f.PathOf("readiness_fails_on"),
                "invalid value \"" + fails_on +
                    "\" (expected never, degraded or down)");
    }
  }
  const Fields::Entry* checks_entry = f.Find("checks");
  if (checks_entry == nullptr) return h;
  Fields checks =
      Fields::OpenFreeForm(ctx, checks_entry->value, f.PathOf("checks"));
  for (const Fields::Entry& e : checks.entries()) {
    std::string path = checks.PathOf(e.key);
    if (!IsKnownCheckName(e.key)) {
      ctx.Error(e.key_node, path, "unknown check name");
      continue;
    }
    CheckOverride o;
    if (!e.value.IsNull()) {  // `no_primary:` alone keeps the defaults
      Fields c = Fields::Open(ctx, e.value, path, {"for", "clear_after"});
      Millis d{};
      if (c.Duration("for", &d)) o.for_duration = d;
      if (c.Duration("clear_after", &d)) o.clear_after = d;
    }
    h.checks[e.key] = o;
  }
  return h;
}

}  // namespace failwatch::config_internal
