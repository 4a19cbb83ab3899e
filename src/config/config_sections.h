// One parser per top-level section; each reports into the shared context
// and returns what it could read. Internal to the config loader.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/config.h"
#include "config/yaml_reader.h"

namespace failwatch::config_internal {

// interval/timeout of `f`, each falling back to `parent`. Checks that the
// effective timeout is below the effective interval whenever this level
// sets either one (an untouched level was checked at its parent).
// `inherited` describes where the parent's values come from in messages
// ("the default", "inherited").
Schedule ReadSchedule(const Fields& f, const Schedule& parent,
                      std::string_view inherited);

// Names seen so far in one list -> the line of their first use. A hash map:
// a vector scan made 100k names take seconds.
using SeenNames = std::unordered_map<std::string, int>;

// Names that become label values: [a-zA-Z_][a-zA-Z0-9_.-]*.
bool IsValidTargetName(std::string_view name);

// Reads `name` (required) and reports an invalid or repeated one; `seen`
// maps names to the line of their first use.
std::string ReadTargetName(const Fields& f, SeenNames* seen);

std::vector<DatabaseConfig> ParseDatabases(ParseContext& ctx,
                                           const YAML::Node& node,
                                           const Schedule& defaults);
std::vector<KafkaClusterConfig> ParseKafka(ParseContext& ctx,
                                           const YAML::Node& node,
                                           const Schedule& defaults);
HealthConfig ParseHealth(ParseContext& ctx, const YAML::Node& node);

}  // namespace failwatch::config_internal
