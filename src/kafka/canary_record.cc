#include "kafka/canary_record.h"

#include <charconv>

namespace failwatch {
namespace {

constexpr std::string_view kTag = "failwatch-canary/1 ";
// Records are a few dozen bytes; anything much longer is not ours.
constexpr std::size_t kMaxSize = 1024;

std::optional<std::string_view> Word(std::string_view& rest) {
  const std::size_t sp = rest.find(' ');
  if (sp == std::string_view::npos || sp == 0) return std::nullopt;
  std::string_view w = rest.substr(0, sp);
  rest.remove_prefix(sp + 1);
  return w;
}

template <typename T>
bool Number(std::string_view w, T* out) {
  auto [p, ec] = std::from_chars(w.data(), w.data() + w.size(), *out);
  return ec == std::errc() && p == w.data() + w.size();
}

}  // namespace

std::string EncodeCanaryRecord(const CanaryRecord& r) {
  return std::string(kTag) + r.run + " " + std::to_string(r.seq) + " " +
         std::to_string(r.sent_unix_ms) + " " + r.instance_id;
}

std::optional<CanaryRecord> DecodeCanaryRecord(std::string_view value) {
  if (value.size() > kMaxSize || !value.starts_with(kTag)) return std::nullopt;
  std::string_view rest = value.substr(kTag.size());
  CanaryRecord r;
  auto run = Word(rest);
  auto seq = Word(rest);
  auto sent = Word(rest);
  if (!run || !seq || !sent || rest.empty()) return std::nullopt;
  if (!Number(*seq, &r.seq) || !Number(*sent, &r.sent_unix_ms)) {
    return std::nullopt;
  }
  r.run = std::string(*run);
  r.instance_id = std::string(rest);
  return r;
}

}  // namespace failwatch
