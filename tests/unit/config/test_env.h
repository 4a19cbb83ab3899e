// Fake environment and secret files shared by the config tests.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "config/config_loader.h"

namespace failwatch::config_test {

inline EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](
             const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// Files not in `files` fail like a missing file would.
inline FileReader FakeFiles(std::map<std::string, std::string> files) {
  return [files = std::move(files)](
             const std::string& path,
             std::string* why) -> std::optional<std::string> {
    auto it = files.find(path);
    if (it == files.end()) {
      *why = "No such file or directory";
      return std::nullopt;
    }
    return it->second;
  };
}

inline std::string TestdataPath(const std::string& name) {
  return std::string(FAILWATCH_TESTDATA_DIR) + "/config/" + name;
}

}  // namespace failwatch::config_test
