// Loads and validates the YAML config. Collects every error (not just the
// first), each naming file, line and column, like
//   failwatch.yml:12:5: databases[0].timeout: must be less than interval (1s)
// Never throws; the caller decides (exit 2, or keep the running config on a
// failed reload).
#pragma once

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace failwatch {

struct ConfigError {
  std::string file;
  int line = 0;    // 1-based; 0 when not tied to a position
  int column = 0;  // 1-based
  std::string message;
  std::string ToString() const;  // "file:line:column: message"
};

struct ConfigLoadResult {
  std::optional<Config> config;  // set iff errors is empty
  std::vector<ConfigError> errors;
};

// Environment lookup for ${VAR}; returns nullopt for unset variables.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
// Reads a *_file secret; returns nullopt (and sets *why) on failure.
using FileReader =
    std::function<std::optional<std::string>(const std::string&, std::string*)>;

EnvLookup ProcessEnv();
FileReader RealFileReader();

// A config may hold at most this many YAML nodes once aliases are expanded
// (an alias counts as a copy of its anchor): 100 000 groups take 300 000.
inline constexpr std::size_t kMaxConfigNodes = 2'000'000;
// ... and at most this many bytes of scalars (keys and values) once aliases
// are expanded: 4x the file size limit. Without it one long scalar aliased a
// million times stayed under the node budget but was copied a million times.
inline constexpr std::size_t kMaxConfigScalarBytes = 64u << 20;
// Errors reported per load: the first ones in file order, then a count.
inline constexpr std::size_t kMaxConfigErrors = 100;

ConfigLoadResult ParseConfig(std::string_view yaml_text,
                             const std::string& source_name,
                             const EnvLookup& env = ProcessEnv(),
                             const FileReader& read_file = RealFileReader());

ConfigLoadResult LoadConfigFile(const std::string& path,
                                const EnvLookup& env = ProcessEnv(),
                                const FileReader& read_file = RealFileReader());

// For /status and logs: the shape and values, every secret replaced by
// "<secret>" (passwords and every kafka property value).
nlohmann::json ConfigSummary(const Config& config);

}  // namespace failwatch
