#include "config/config_loader.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <vector>

#include "config/config_sections.h"
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

// Counts the nodes of the tree as the readers will walk it (an alias
// counts its anchor's whole subtree again) and stops at the first node past
// `budget`, which it returns; nullptr when the tree fits. Without it,
// 20 000 aliases of a 2 000-group list made the loader build 40 million
// groups (> 1 GB). Iterative: deep nesting cannot overflow the stack.
const YAML::Node* FirstNodePastBudget(const YAML::Node& root,
                                      std::size_t budget,
                                      YAML::Node* storage) {
  std::vector<YAML::Node> stack{root};
  std::size_t count = 0;
  while (!stack.empty()) {
    YAML::Node n = stack.back();
    stack.pop_back();
    if (++count > budget) {
      *storage = n;
      return storage;
    }
    if (n.IsSequence()) {
      for (const YAML::Node& item : n) stack.push_back(item);
    } else if (n.IsMap()) {
      for (const auto& kv : n) {
        stack.push_back(kv.first);
        stack.push_back(kv.second);
      }
    }
  }
  return nullptr;
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

  YAML::Node past;
  if (FirstNodePastBudget(root, kMaxConfigNodes, &past) != nullptr) {
    ctx.Error(past, "",
              "the config expands to more than " +
                  std::to_string(kMaxConfigNodes) +
                  " YAML nodes (counting every alias as a copy of its anchor)");
    result.errors = ctx.TakeErrors();
    return result;
  }

  Config config;
  // The readers check every node's type before converting it; this is the
  // boundary that turns anything yaml-cpp still throws into an error.
  try {
    config.source = source_name;
    // An empty file counts as an empty mapping: it fails below as "nothing
    // to monitor" rather than as a type error.
    if (!root.IsNull() && !root.IsMap()) {
      ctx.Error(root, "",
                "the top level must be a mapping, got " +
                    config_internal::KindName(root));
    } else if (root.IsMap()) {
      Fields top = Fields::Open(
          ctx, root, "", {"interval", "timeout", "instance_id", "databases", "kafka", "health"});
      top.String("instance_id", &config.instance_id);
      config.defaults =
          config_internal::ReadSchedule(top, Schedule{}, "the default");
      if (const Fields::Entry* e = top.Find("databases")) {
        config.databases =
            config_internal::ParseDatabases(ctx, e->value, config.defaults);
      }
      if (const Fields::Entry* e = top.Find("kafka")) {
        config.kafka =
            config_internal::ParseKafka(ctx, e->value, config.defaults);
      }
      if (const Fields::Entry* e = top.Find("health")) {
        config.health = config_internal::ParseHealth(ctx, e->value);
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
  } catch (const YAML::Exception& e) {
    ctx.Error(e.mark, "", "invalid config: " + e.msg);
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
