#include "config/yaml_reader.h"

#include <algorithm>
#include <climits>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "config/env_expand.h"
#include "core/duration.h"

namespace failwatch::config_internal {

void ParseContext::Error(const YAML::Mark& mark, const std::string& path,
                         const std::string& message) {
  ConfigError e;
  e.file = file_;
  if (!mark.is_null()) {
    // yaml-cpp counts from 0; editors count from 1.
    e.line = mark.line + 1;
    e.column = mark.column + 1;
  }
  e.message = path.empty() ? message : path + ": " + message;
  Keep(std::move(e));
}

void ParseContext::Error(const std::string& message) {
  Keep(ConfigError{file_, 0, 0, message});
}

namespace {

// File order, errors without a position last; ties in arrival order (what
// a stable sort of everything would give).
bool Before(const ConfigError& a, std::size_t a_seq, const ConfigError& b,
            std::size_t b_seq) {
  auto key = [](const ConfigError& e, std::size_t seq) {
    return std::make_tuple(e.line == 0 ? INT_MAX : e.line, e.column, seq);
  };
  return key(a, a_seq) < key(b, b_seq);
}

}  // namespace

// Without a cap, a 3 KB file of nested aliases (1 000 000 invalid topic
// names, each echoed) made --check-config take 1.2 GB and 27 s and print
// 1.1 GB of errors.
void ParseContext::Keep(ConfigError e) {
  const std::size_t seq = reported_++;
  if (reported_ > kStopAfterErrors) throw TooManyErrors{};
  auto later = [](const Kept& a, const Kept& b) {
    return Before(a.error, a.seq, b.error, b.seq);
  };
  if (errors_.size() < kMaxConfigErrors) {
    errors_.push_back(Kept{std::move(e), seq});
    if (errors_.size() == kMaxConfigErrors) {
      std::make_heap(errors_.begin(), errors_.end(), later);
    }
    return;
  }
  if (!Before(e, seq, errors_.front().error, errors_.front().seq)) return;
  std::pop_heap(errors_.begin(), errors_.end(), later);
  errors_.back() = Kept{std::move(e), seq};
  std::push_heap(errors_.begin(), errors_.end(), later);
}

std::vector<ConfigError> ParseContext::TakeErrors() {
  std::sort(errors_.begin(), errors_.end(), [](const Kept& a, const Kept& b) {
    return Before(a.error, a.seq, b.error, b.seq);
  });
  std::vector<ConfigError> out;
  out.reserve(errors_.size() + 1);
  for (Kept& k : errors_) out.push_back(std::move(k.error));
  if (reported_ > kStopAfterErrors) {
    out.push_back(ConfigError{file_, 0, 0,
                              "more than " + std::to_string(kStopAfterErrors) +
                                  " errors: checking stopped (" +
                                  std::to_string(out.size()) +
                                  " shown, the first in file order)"});
  } else if (reported_ > out.size()) {
    out.push_back(ConfigError{
        file_, 0, 0,
        std::to_string(reported_ - out.size()) + " more errors not shown (" +
            std::to_string(out.size()) + " shown, the first in file order)"});
  }
  errors_.clear();
  reported_ = 0;
  return out;
}

std::string KindName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Sequence:
      return "a sequence";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      break;
  }
  return "null";
}

std::string JoinPath(const std::string& path, std::string_view key) {
  if (path.empty()) return std::string(key);
  return path + "." + std::string(key);
}

std::string IndexPath(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

Fields Fields::Open(ParseContext& ctx, const YAML::Node& node, std::string path,
                    std::initializer_list<std::string_view> allowed) {
  Fields f(ctx, node, std::move(path));
  f.Load(&allowed);
  return f;
}

Fields Fields::OpenFreeForm(ParseContext& ctx, const YAML::Node& node,
                            std::string path) {
  Fields f(ctx, node, std::move(path));
  f.Load(nullptr);
  return f;
}

void Fields::Load(const std::initializer_list<std::string_view>* allowed) {
  if (!node_.IsMap()) {
    ctx_->Error(node_, path_, "expected a mapping, got " + KindName(node_));
    return;
  }
  valid_ = true;
  // Key -> index in entries_: a free-form mapping (kafka properties) can
  // hold a million keys, and a linear search per key made that quadratic.
  std::unordered_map<std::string, std::size_t> seen;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    // Copies: `it->` yields a proxy, so references into it would dangle.
    YAML::Node key_node = it->first;
    YAML::Node value = it->second;
    if (!key_node.IsScalar()) {
      ctx_->Error(key_node, path_,
                  "keys must be strings, got " + KindName(key_node));
      continue;
    }
    const std::string& key = key_node.Scalar();
    std::string key_path = JoinPath(path_, key);
    if (allowed != nullptr &&
        std::find(allowed->begin(), allowed->end(), key) == allowed->end()) {
      ctx_->Error(key_node, key_path, "unknown key");
      continue;
    }
    const auto [dup, fresh] = seen.emplace(key, entries_.size());
    if (!fresh) {
      // yaml-cpp keeps both entries; silently taking one would hide a typo.
      const Entry& first = entries_[dup->second];
      ctx_->Error(key_node, key_path,
                  "duplicate key (first at line " +
                      std::to_string(first.key_node.Mark().line + 1) + ")");
      continue;
    }
    entries_.push_back(Entry{key, key_node, value});
  }
}

const Fields::Entry* Fields::Find(std::string_view key) const {
  for (const Entry& e : entries_) {
    if (e.key == key) return e.value.IsNull() ? nullptr : &e;
  }
  return nullptr;
}

bool Fields::Require(std::string_view key) const {
  if (!valid_ || Has(key)) return true;
  ctx_->Error(node_, PathOf(key), "missing required key");
  return false;
}

std::optional<std::string> ReadScalar(ParseContext& ctx, const YAML::Node& node,
                                      const std::string& path,
                                      std::string_view what) {
  if (!node.IsScalar()) {
    ctx.Error(node, path,
              "expected " + std::string(what) + ", got " + KindName(node));
    return std::nullopt;
  }
  Result<std::string> expanded = ExpandEnv(node.Scalar(), ctx.env());
  if (!expanded.ok()) {
    ctx.Error(node, path, expanded.error().message);
    return std::nullopt;
  }
  return std::move(expanded).value();
}

std::optional<Millis> ReadDuration(ParseContext& ctx, const YAML::Node& node,
                                   const std::string& path) {
  std::optional<std::string> text = ReadScalar(ctx, node, path, "a duration");
  if (!text) return std::nullopt;
  Result<Millis> d = ParseDuration(*text);
  if (!d.ok()) {
    ctx.Error(node, path, d.error().message);
    return std::nullopt;
  }
  return *d;
}

std::optional<HostPort> ReadAddress(ParseContext& ctx, const YAML::Node& node,
                                    const std::string& path,
                                    std::uint16_t default_port) {
  std::optional<std::string> text =
      ReadScalar(ctx, node, path, "an address (host:port)");
  if (!text) return std::nullopt;
  Result<HostPort> hp = ParseHostPort(*text, default_port);
  if (!hp.ok()) {
    ctx.Error(node, path, hp.error().message);
    return std::nullopt;
  }
  return *hp;
}

std::optional<std::string> ReadSecretFile(ParseContext& ctx,
                                          const YAML::Node& path_node,
                                          const std::string& path) {
  std::optional<std::string> file = ReadScalar(ctx, path_node, path);
  if (!file) return std::nullopt;
  if (file->empty()) {
    ctx.Error(path_node, path, "must not be empty");
    return std::nullopt;
  }
  std::string why;
  std::optional<std::string> content;
  if (ctx.read_file()) content = ctx.read_file()(*file, &why);
  if (!content) {
    // Names the path and the reason, never any content.
    ctx.Error(
        path_node, path,
        "cannot read \"" + *file + "\"" + (why.empty() ? "" : ": " + why));
    return std::nullopt;
  }
  // Files written by `echo` or editors end in a newline that is not part of
  // the secret.
  if (!content->empty() && content->back() == '\n') {
    content->pop_back();
    if (!content->empty() && content->back() == '\r') content->pop_back();
  }
  return content;
}

bool Fields::String(std::string_view key, std::string* out) const {
  const Entry* e = Find(key);
  if (e == nullptr) return false;
  std::optional<std::string> v = ReadScalar(*ctx_, e->value, PathOf(key));
  if (!v) return false;
  *out = std::move(*v);
  return true;
}

bool Fields::Bool(std::string_view key, bool* out) const {
  const Entry* e = Find(key);
  if (e == nullptr) return false;
  std::optional<std::string> v =
      ReadScalar(*ctx_, e->value, PathOf(key), "a boolean");
  if (!v) return false;
  // YAML 1.2 core schema booleans only: "yes"/"on" are too easy to misread.
  if (*v == "true" || *v == "True" || *v == "TRUE") {
    *out = true;
  } else if (*v == "false" || *v == "False" || *v == "FALSE") {
    *out = false;
  } else {
    ctx_->Error(e->value, PathOf(key),
                "expected true or false, got \"" + *v + "\"");
    return false;
  }
  return true;
}

bool Fields::Duration(std::string_view key, Millis* out) const {
  const Entry* e = Find(key);
  if (e == nullptr) return false;
  std::optional<Millis> v = ReadDuration(*ctx_, e->value, PathOf(key));
  if (!v) return false;
  *out = *v;
  return true;
}

bool Fields::Address(std::string_view key, std::uint16_t default_port,
                     HostPort* out) const {
  const Entry* e = Find(key);
  if (e == nullptr) return false;
  std::optional<HostPort> v =
      ReadAddress(*ctx_, e->value, PathOf(key), default_port);
  if (!v) return false;
  *out = std::move(*v);
  return true;
}

bool Fields::Sequence(std::string_view key,
                      std::vector<YAML::Node>* out) const {
  const Entry* e = Find(key);
  if (e == nullptr) return false;
  if (!e->value.IsSequence()) {
    ctx_->Error(e->value, PathOf(key),
                "expected a sequence, got " + KindName(e->value));
    return false;
  }
  out->clear();
  for (YAML::Node item : e->value) out->push_back(item);
  return true;
}

bool Fields::StringList(std::string_view key,
                        std::vector<std::string>* out) const {
  std::vector<YAML::Node> items;
  if (!Sequence(key, &items)) return false;
  bool ok = true;
  std::vector<std::string> values;
  for (std::size_t i = 0; i < items.size(); ++i) {
    std::string item_path = IndexPath(PathOf(key), i);
    std::optional<std::string> v = ReadScalar(*ctx_, items[i], item_path);
    if (!v) {
      ok = false;
    } else if (v->empty()) {
      ctx_->Error(items[i], item_path, "must not be empty");
      ok = false;
    } else {
      values.push_back(std::move(*v));
    }
  }
  if (ok) *out = std::move(values);
  return ok;
}

bool Fields::SecretOrFile(std::string_view key, std::string_view file_key,
                          Secret* out) const {
  const Entry* inline_entry = Find(key);
  const Entry* file_entry = Find(file_key);
  if (inline_entry != nullptr && file_entry != nullptr) {
    ctx_->Error(file_entry->key_node, PathOf(file_key),
                "cannot be set together with " + std::string(key));
    return false;
  }
  std::optional<std::string> value;
  if (inline_entry != nullptr) {
    value = ReadScalar(*ctx_, inline_entry->value, PathOf(key));
  } else if (file_entry != nullptr) {
    value = ReadSecretFile(*ctx_, file_entry->value, PathOf(file_key));
  }
  if (!value) return false;
  *out = Secret(std::move(*value));
  return true;
}

}  // namespace failwatch::config_internal
