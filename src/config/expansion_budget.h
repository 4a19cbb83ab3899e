// How big a YAML document is once every alias is expanded (an alias counts
// its anchor's whole subtree again), measured on the parser's events in one
// pass over the text: linear in the text however far aliases multiply it.
// Internal to the config loader.
#pragma once

#include <yaml-cpp/mark.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace failwatch::config_internal {

struct ExpansionOverrun {
  YAML::Mark mark;   // where the running total first went past a budget
  std::string what;  // "2000000 YAML nodes", "67108864 bytes of ..."
};

// nullopt when the first document fits both budgets. `yaml_text` must
// parse (YAML::Load accepted it); a parse error here counts as fitting.
std::optional<ExpansionOverrun> FindExpansionOverrun(std::string_view yaml_text,
                                                     std::size_t max_nodes,
                                                     std::size_t max_bytes);

}  // namespace failwatch::config_internal
