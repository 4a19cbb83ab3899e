// Helpers to walk a yaml-cpp tree while collecting errors, so one bad value
// does not hide the next. Internal to the config loader.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/config_loader.h"
#include "core/clock.h"
#include "core/host_port.h"

namespace failwatch::config_internal {

// Thrown by ParseContext::Error at the kStopAfterErrors-th error and caught
// by ParseConfig: checking the rest would only cost time (a few aliases can
// multiply one mistake a million times).
struct TooManyErrors {};
inline constexpr std::size_t kStopAfterErrors = 10'000;

// Error sink plus the injected environment and file access.
class ParseContext {
 public:
  ParseContext(std::string file, const EnvLookup& env,
               const FileReader& read_file)
      : file_(std::move(file)), env_(env), read_file_(read_file) {}

  // `path` prefixes the message ("databases[0].timeout: ..."); an empty path
  // means the document root. A null mark (empty document) gives line 0.
  void Error(const YAML::Mark& mark, const std::string& path,
             const std::string& message);
  void Error(const YAML::Node& at, const std::string& path,
             const std::string& message) {
    Error(at.Mark(), path, message);
  }
  // Not tied to a position (e.g. "nothing to monitor").
  void Error(const std::string& message);

  bool has_errors() const { return reported_ > 0; }
  // In file order (sections are validated in code order, which differs),
  // errors without a position last; at most kMaxConfigErrors of them (the
  // first in file order), then one line saying how many more there were
  // (and that checking stopped, after kStopAfterErrors).
  std::vector<ConfigError> TakeErrors();
  const EnvLookup& env() const { return env_; }
  const FileReader& read_file() const { return read_file_; }

 private:
  std::string file_;
  const EnvLookup& env_;
  const FileReader& read_file_;
  // A max-heap on (position, arrival) while more than kMaxConfigErrors
  // arrive: the latest kept error makes room for an earlier one.
  struct Kept {
    ConfigError error;
    std::size_t seq;
  };
  void Keep(ConfigError e);
  std::vector<Kept> errors_;
  std::size_t reported_ = 0;
};

// "a scalar", "a sequence", "a mapping", "null".
std::string KindName(const YAML::Node& node);

std::string JoinPath(const std::string& path, std::string_view key);
std::string IndexPath(const std::string& path, std::size_t index);

// The entries of one YAML mapping. Opening it reports a non-mapping node,
// unknown keys and duplicate keys; lookups treat a null value (`key:`) as
// absent so that defaults apply.
class Fields {
 public:
  struct Entry {
    std::string key;
    YAML::Node key_node;
    YAML::Node value;
  };

  // Only keys in `allowed` are accepted.
  static Fields Open(ParseContext& ctx, const YAML::Node& node,
                     std::string path,
                     std::initializer_list<std::string_view> allowed);
  // Any key is accepted (string maps such as kafka properties).
  static Fields OpenFreeForm(ParseContext& ctx, const YAML::Node& node,
                             std::string path);

  // False when the node was not a mapping (already reported).
  bool valid() const { return valid_; }
  const std::string& path() const { return path_; }
  const YAML::Node& node() const { return node_; }
  const std::vector<Entry>& entries() const { return entries_; }
  ParseContext& ctx() const { return *ctx_; }

  // The value, or nullptr when the key is absent or null.
  const Entry* Find(std::string_view key) const;
  bool Has(std::string_view key) const { return Find(key) != nullptr; }
  std::string PathOf(std::string_view key) const {
    return JoinPath(path_, key);
  }

  // Reports "<path>.<key>: missing required key" at this mapping; returns
  // false so callers can `if (!f.Require("x")) ...`.
  bool Require(std::string_view key) const;

  // Typed readers: when the key is present and valid they set *out and
  // return true; an invalid value is reported and *out is left untouched.
  bool String(std::string_view key, std::string* out) const;
  bool Bool(std::string_view key, bool* out) const;
  bool Duration(std::string_view key, Millis* out) const;
  bool Address(std::string_view key, std::uint16_t default_port,
               HostPort* out) const;
  // A sequence; each element is read by the caller.
  bool Sequence(std::string_view key, std::vector<YAML::Node>* out) const;
  bool StringList(std::string_view key, std::vector<std::string>* out) const;
  // `key` (inline, ${VAR} expanded) or `file_key` (read from that file);
  // setting both is an error.
  bool SecretOrFile(std::string_view key, std::string_view file_key,
                    Secret* out) const;

 private:
  Fields(ParseContext& ctx, const YAML::Node& node, std::string path)
      : ctx_(&ctx), node_(node), path_(std::move(path)) {}
  void Load(const std::initializer_list<std::string_view>* allowed);

  ParseContext* ctx_;
  YAML::Node node_;
  std::string path_;
  bool valid_ = false;
  std::vector<Entry> entries_;
};

// A scalar with ${VAR} expanded. `what` names the expected type in the
// type-mismatch message ("a string", "a duration").
std::optional<std::string> ReadScalar(ParseContext& ctx, const YAML::Node& node,
                                      const std::string& path,
                                      std::string_view what = "a string");
std::optional<Millis> ReadDuration(ParseContext& ctx, const YAML::Node& node,
                                   const std::string& path);
std::optional<HostPort> ReadAddress(ParseContext& ctx, const YAML::Node& node,
                                    const std::string& path,
                                    std::uint16_t default_port);

// Reads a *_file secret: the file's content minus one trailing newline.
std::optional<std::string> ReadSecretFile(ParseContext& ctx,
                                          const YAML::Node& path_node,
                                          const std::string& path);

}  // namespace failwatch::config_internal
