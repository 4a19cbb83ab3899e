#include "config/config_loader.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <vector>

#include "config/config_sections.h"
#include "config/expansion_budget.h"
#include "config/yaml_reader.h"
#include "core/bounded_file.h"

namespace failwatch {

using config_internal::Fields;
using config_internal::ParseContext;

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

FileReader RealFileReader() {
  return [](const std::string& path,
            std::string* why) -> std::optional<std::string> {
    Result<std::string> content = ReadBoundedFile(path, kMaxSecretFileBytes);
    if (!content.ok()) {
      if (why != nullptr) *why = content.error().message;
      return std::nullopt;
    }
    return std::move(content).value();
  };
}

namespace {

// The top-level mapping and its sections. Throws what yaml-cpp still throws
// and TooManyErrors; ParseConfig turns both into errors.
void ReadSections(ParseContext& ctx, const YAML::Node& root, Config* config) {
  // An empty file counts as an empty mapping: it fails below as "nothing
  // to monitor" rather than as a type error.
  if (!root.IsNull() && !root.IsMap()) {
    ctx.Error(root, "",
              "the top level must be a mapping, got " +
                  config_internal::KindName(root));
  } else if (root.IsMap()) {
    Fields top = Fields::Open(
        ctx, root, "",
        {"interval", "timeout", "instance_id", "databases", "kafka", "health"});
    top.String("instance_id", &config->instance_id);
    config->defaults =
        config_internal::ReadSchedule(top, Schedule{}, "the default");
    if (const Fields::Entry* e = top.Find("databases")) {
      config->databases =
          config_internal::ParseDatabases(ctx, e->value, config->defaults);
    }
    if (const Fields::Entry* e = top.Find("kafka")) {
      config->kafka =
          config_internal::ParseKafka(ctx, e->value, config->defaults);
    }
    if (const Fields::Entry* e = top.Find("health")) {
      config->health = config_internal::ParseHealth(ctx, e->value);
    }
    // A section of the wrong type was reported already; adding "nothing to
    // monitor" on top of it would only be noise.
    auto empty_or_absent = [&](std::string_view key) {
      const Fields::Entry* e = top.Find(key);
      return e == nullptr || (e->value.IsSequence() && e->value.size() == 0);
    };
    if (empty_or_absent("databases") && empty_or_absent("kafka")) {
      ctx.Error("nothing to monitor: configure databases or kafka");
    }
  } else {
    ctx.Error("nothing to monitor: configure databases or kafka");
  }
}

}  // namespace

ConfigLoadResult ParseConfig(std::string_view yaml_text,
                             const std::string& source_name,
                             const EnvLookup& env,
                             const FileReader& read_file) {
  ConfigLoadResult result;
  ParseContext ctx(source_name, env, read_file);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    ctx.Error(e.mark, "", "invalid YAML: " + e.msg);
    result.errors = ctx.TakeErrors();
    return result;
  }

  // Counted on the text, before the readers walk the (expanded) tree.
  // Without it, 20 000 aliases of a 2 000-group list made the loader build
  // 40 million groups (> 1 GB).
  if (auto past = config_internal::FindExpansionOverrun(
          yaml_text, kMaxConfigNodes, kMaxConfigScalarBytes)) {
    ctx.Error(past->mark, "",
              "the config expands to more than " + past->what +
                  " (counting every alias as a copy of its anchor)");
    result.errors = ctx.TakeErrors();
    return result;
  }

  Config config;
  config.source = source_name;
  // The readers check every node's type before converting it; this is the
  // boundary that turns anything yaml-cpp still throws into an error.
  try {
    ReadSections(ctx, root, &config);
  } catch (const YAML::Exception& e) {
    try {
      ctx.Error(e.mark, "", "invalid config: " + e.msg);
    } catch (const config_internal::TooManyErrors&) {
      // It was the one past the limit; TakeErrors says so.
    }
  } catch (const config_internal::TooManyErrors&) {
    // TakeErrors says so.
  }

  result.errors = ctx.TakeErrors();
  if (result.errors.empty()) result.config = std::move(config);
  return result;
}

ConfigLoadResult LoadConfigFile(const std::string& path, const EnvLookup& env,
                                const FileReader& read_file) {
  Result<std::string> text = ReadBoundedFile(path, kMaxConfigFileBytes);
  if (!text.ok()) {
    ConfigLoadResult result;
    result.errors.push_back(ConfigError{
        path, 0, 0, "cannot read config file: " + text.error().message});
    return result;
  }
  return ParseConfig(*text, path, env, read_file);
}

}  // namespace failwatch
