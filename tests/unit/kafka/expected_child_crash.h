// For tests that deliberately crash a child process (the Kafka admin
// worker, through librdkafka's use-after-free): while one of these is in
// scope, children started by the test get sanitizer options whose reports
// go to "expected-<name>" files beside the configured log_path, so
// scripts/test.sh, which fails its sanitizer phase on any report file,
// can tell the child's expected death from a report of the process under
// test. Outside a sanitizer build (no log_path set) it changes nothing.
#pragma once

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

namespace failwatch::testing {

// `options` with its last log_path=DIR/NAME turned into
// log_path=DIR/expected-NAME; nullopt without a log_path. The
// sanitizers read options left to right: the last log_path wins.
inline std::optional<std::string> ExpectedCrashOptions(
    const std::string& options) {
  const std::string key = "log_path=";
  std::size_t at = std::string::npos;
  for (std::size_t p = options.find(key); p != std::string::npos;
       p = options.find(key, p + 1)) {
    if (p == 0 || options[p - 1] == ':' || options[p - 1] == ' ') at = p;
  }
  if (at == std::string::npos) return std::nullopt;
  const std::size_t begin = at + key.size();
  std::size_t end = options.find_first_of(": ", begin);
  if (end == std::string::npos) end = options.size();
  const std::string path = options.substr(begin, end - begin);
  const std::size_t slash = path.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "" : path.substr(0, slash + 1);
  const std::string name =
      slash == std::string::npos ? path : path.substr(slash + 1);
  return options.substr(0, begin) + dir + "expected-" + name +
         options.substr(end);
}

class ExpectedChildCrash {
 public:
  ExpectedChildCrash() {
    for (const char* var : {"ASAN_OPTIONS", "UBSAN_OPTIONS"}) {
      const char* value = std::getenv(var);
      if (value == nullptr) continue;
      auto changed = ExpectedCrashOptions(value);
      if (!changed) continue;
      saved_.push_back({var, value});
      ::setenv(var, changed->c_str(), 1);
    }
  }
  ~ExpectedChildCrash() {
    for (const auto& [var, value] : saved_) {
      ::setenv(var.c_str(), value.c_str(), 1);
    }
  }
  ExpectedChildCrash(const ExpectedChildCrash&) = delete;
  ExpectedChildCrash& operator=(const ExpectedChildCrash&) = delete;

 private:
  std::vector<std::pair<std::string, std::string>> saved_;
};

}  // namespace failwatch::testing
