// The config loader on arbitrary YAML: it must never throw, crash or hang,
// and must return either a config or at least one error, each with a
// message, and at most kMaxConfigErrors + 1 of them. ${VAR} references
// resolve to a fixed value (or unset for names starting with U) and *_file
// secrets read a fixed string, so no input touches the environment or the
// file system. The summary must not depend on what the secrets hold.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/config_loader.h"
#include "fuzz_check.h"

namespace {

// Every *_file secret reads `content` (paths with "missing" fail).
failwatch::FileReader SecretFiles(std::string content) {
  return [content = std::move(content)](
             const std::string& path,
             std::string* why) -> std::optional<std::string> {
    if (path.find("missing") != std::string::npos) {
      *why = "no such file";
      return std::nullopt;
    }
    return content;
  };
}

std::string Summary(const failwatch::Config& config) {
  return failwatch::ConfigSummary(config).dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const failwatch::EnvLookup env =
      [](const std::string& name) -> std::optional<std::string> {
    if (!name.empty() && name[0] == 'U') return std::nullopt;
    return "value-of-" + name;
  };
  const failwatch::ConfigLoadResult r =
      failwatch::ParseConfig(text, "fuzz.yml", env, SecretFiles("secret\n"));
  FUZZ_CHECK(r.config.has_value() == r.errors.empty());
  // Capped: the first kMaxConfigErrors, then one "N more" line.
  FUZZ_CHECK(r.errors.size() <= failwatch::kMaxConfigErrors + 1);
  for (const auto& e : r.errors) {
    FUZZ_CHECK(!e.message.empty());
    FUZZ_CHECK(e.line >= 0 && e.column >= 0);
  }
  if (r.config) {
    // The summary replaces every secret: the file's content never shows.
    // The input may spell the same text itself (a quoted value with "\n"),
    // so when it shows, loading again with another secret must give the
    // same summary: the secret has no part in it.
    const std::string summary = Summary(*r.config);
    if (summary.find("secret\\n") != std::string::npos) {
      const failwatch::ConfigLoadResult other =
          failwatch::ParseConfig(text, "fuzz.yml", env, SecretFiles("other\n"));
      FUZZ_CHECK(other.config.has_value());
      FUZZ_CHECK(Summary(*other.config) == summary);
    }
  }
  return 0;
}
