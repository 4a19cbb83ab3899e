#include "kafka/admin_wire.h"

#include <limits>
#include <nlohmann/json.hpp>

namespace failwatch {
namespace {

using json = nlohmann::json;

// MessagePack (nlohmann's binary format) rather than JSON text: strings are
// bytes, so group names and property values that are not UTF-8 travel
// unchanged (JSON text would have to reject or rewrite them), and it is
// smaller and faster to parse.
constexpr int kMaxDepth = 16;

// The DOM parser plus a nesting limit: nlohmann's binary reader recurses per
// level, so a frame of nested arrays would otherwise overflow the stack.
class BoundedSax : public nlohmann::json_sax<json> {
 public:
  explicit BoundedSax(json& out) : dom_(out, /*allow_exceptions=*/false) {}
  bool null() override { return dom_.null(); }
  bool boolean(bool v) override { return dom_.boolean(v); }
  bool number_integer(number_integer_t v) override {
    return dom_.number_integer(v);
  }
  bool number_unsigned(number_unsigned_t v) override {
    return dom_.number_unsigned(v);
  }
  bool number_float(number_float_t v, const string_t& s) override {
    return dom_.number_float(v, s);
  }
  bool string(string_t& v) override { return dom_.string(v); }
  bool binary(binary_t& v) override { return dom_.binary(v); }
  bool start_object(std::size_t n) override {
    return ++depth_ <= kMaxDepth && dom_.start_object(n);
  }
  bool key(string_t& v) override { return dom_.key(v); }
  bool end_object() override {
    --depth_;
    return dom_.end_object();
  }
  bool start_array(std::size_t n) override {
    return ++depth_ <= kMaxDepth && dom_.start_array(n);
  }
  bool end_array() override {
    --depth_;
    return dom_.end_array();
  }
  bool parse_error(std::size_t pos, const std::string& tok,
                   const nlohmann::detail::exception& e) override {
    return dom_.parse_error(pos, tok, e);
  }
  bool ok() const { return !dom_.is_errored(); }

 private:
  nlohmann::detail::json_sax_dom_parser<json> dom_;
  int depth_ = 0;
};

Error Bad(const std::string& what) {
  return MakeError(ErrorKind::kInvalid, "bad_admin_message",
                   "kafka admin worker message: " + what);
}

Result<json> Parse(std::string_view payload) {
  json out;
  BoundedSax sax(out);
  const bool ok = json::sax_parse(payload.begin(), payload.end(), &sax,
                                  nlohmann::json::input_format_t::msgpack,
                                  /*strict=*/true);
  if (!ok || !sax.ok() || !out.is_object()) return Bad("not a message");
  return out;
}

std::string Dump(const json& j) {
  std::vector<std::uint8_t> bytes = json::to_msgpack(j);
  return std::string(bytes.begin(), bytes.end());
}

// Typed reads that throw nlohmann exceptions; each Decode* catches them
// at its top and returns an error value (exceptions never leave here).
std::int64_t Int(const json& j, std::int64_t lo, std::int64_t hi) {
  const auto v = j.get<std::int64_t>();
  if (!j.is_number_integer() || v < lo || v > hi) {
    throw json::other_error::create(501, "integer out of range", &j);
  }
  return v;
}
int Int32(const json& j) {
  return static_cast<int>(
      Int(j, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
}
std::int64_t Int64(const json& j) {
  return Int(j, std::numeric_limits<std::int64_t>::min(),
             std::numeric_limits<std::int64_t>::max());
}

json EncodeTps(const std::vector<TopicPartition>& tps) {
  json a = json::array();
  for (const auto& tp : tps) a.push_back({tp.topic, tp.partition});
  return a;
}
std::vector<TopicPartition> DecodeTps(const json& a) {
  std::vector<TopicPartition> out;
  out.reserve(a.size());
  for (const auto& e : a) {
    out.push_back({e.at(0).get<std::string>(), Int32(e.at(1))});
  }
  return out;
}

json EncodeError(const Error& e) {
  return {static_cast<int>(e.kind), e.code, e.message};
}
Error DecodeError(const json& j) {
  const int kind = Int32(j.at(0));
  if (kind < 0 || kind > static_cast<int>(ErrorKind::kInternal)) {
    throw json::other_error::create(501, "bad error kind", &j);
  }
  return MakeError(static_cast<ErrorKind>(kind), j.at(1).get<std::string>(),
                   j.at(2).get<std::string>());
}

json ViewJson(const DiscoveryView& v) {
  json j;
  j["listed"] = nullptr;
  if (v.listed) j["listed"] = json(*v.listed);
  json desc = json::object();
  for (const auto& [group, d] : v.described) {
    desc[group] = {d.state, d.members, EncodeTps(d.assigned)};
  }
  j["desc"] = std::move(desc);
  j["ls"] = v.listing_supported;
  j["ds"] = v.describe_supported;
  return j;
}
DiscoveryView DecodeView(const json& j) {
  DiscoveryView v;
  if (!j.at("listed").is_null()) {
    v.listed.emplace();
    for (const auto& g : j.at("listed")) v.listed->insert(g.get<std::string>());
  }
  for (const auto& [group, d] : j.at("desc").items()) {
    GroupDescription gd;
    gd.state = d.at(0).get<std::string>();
    gd.members = Int32(d.at(1));
    gd.assigned = DecodeTps(d.at(2));
    v.described.emplace(group, std::move(gd));
  }
  v.listing_supported = j.at("ls").get<bool>();
  v.describe_supported = j.at("ds").get<bool>();
  return v;
}

json CommittedJson(const CommittedAnswer& answer) {
  json out = json::object();
  for (const auto& [group, res] : answer) {
    if (!res.ok()) {
      out[group] = {1, EncodeError(res.error())};
      continue;
    }
    json rows = json::array();
    for (const auto& [tp, c] : res.value()) {
      rows.push_back({tp.topic, tp.partition,
                      c.offset ? json(*c.offset) : json(nullptr), c.error});
    }
    out[group] = {0, std::move(rows)};
  }
  return out;
}
CommittedAnswer DecodeCommitted(const json& j) {
  CommittedAnswer out;
  for (const auto& [group, r] : j.items()) {
    if (Int32(r.at(0)) != 0) {
      out.emplace(group, DecodeError(r.at(1)));
      continue;
    }
    CommittedOffsets offsets;
    for (const auto& row : r.at(1)) {
      CommittedOffset c;
      if (!row.at(2).is_null()) c.offset = Int64(row.at(2));
      c.error = row.at(3).get<std::string>();
      offsets[{row.at(0).get<std::string>(), Int32(row.at(1))}] = std::move(c);
    }
    out.emplace(group, std::move(offsets));
  }
  return out;
}

template <typename T, typename F>
Result<T> Decode(std::string_view payload, F&& f) {
  auto j = Parse(payload);
  if (!j.ok()) return j.error();
  try {
    return f(j.value());
  } catch (const json::exception& e) {
    return Bad(e.what());
  }
}

}  // namespace

std::string EncodeFrame(std::string_view payload) {
  const auto n = static_cast<std::uint32_t>(payload.size());
  std::string out;
  out.reserve(4 + payload.size());
  for (int shift : {24, 16, 8, 0}) {
    out.push_back(static_cast<char>((n >> shift) & 0xff));
  }
  out.append(payload);
  return out;
}

Status FrameDecoder::Feed(std::string_view bytes) {
  if (error_) return *error_;
  // Drop consumed bytes before growing, so the buffer stays one frame big.
  if (pos_ > 0 && pos_ == buffer_.size()) {
    buffer_.clear();
    pos_ = 0;
  } else if (pos_ > (1u << 20)) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  buffer_.append(bytes);
  if (buffered() >= 4) {
    std::uint32_t n = 0;
    for (int i = 0; i < 4; ++i) {
      n = (n << 8) | static_cast<unsigned char>(buffer_[pos_ + i]);
    }
    if (n == 0 || n > max_frame_) {
      error_ =
          MakeError(ErrorKind::kInvalid, "bad_admin_frame",
                    "kafka admin worker frame of " + std::to_string(n) +
                        " bytes (limit " + std::to_string(max_frame_) + ")");
      buffer_.clear();
      pos_ = 0;
      return *error_;
    }
  }
  return Status::Ok();
}

std::optional<std::string> FrameDecoder::Next() {
  if (error_ || buffered() < 4) return std::nullopt;
  std::uint32_t n = 0;
  for (int i = 0; i < 4; ++i) {
    n = (n << 8) | static_cast<unsigned char>(buffer_[pos_ + i]);
  }
  if (buffered() < 4 + static_cast<std::size_t>(n)) return std::nullopt;
  std::string out = buffer_.substr(pos_ + 4, n);
  pos_ += 4 + n;
  // The next frame's header may already be here: check its length now.
  if (Status s = Feed({}); !s.ok()) return out;
  return out;
}

std::string EncodeHello(const AdminHello& h) {
  json j;
  j["v"] = 1;
  j["name"] = h.cluster.name;
  json brokers = json::array();
  for (const auto& b : h.cluster.brokers) brokers.push_back({b.host, b.port});
  j["brokers"] = std::move(brokers);
  json props = json::object();
  for (const auto& [k, v] : h.cluster.properties) props[k] = v.Reveal();
  j["props"] = std::move(props);
  j["disc"] = h.options.group_discovery;
  j["disc_ms"] = h.options.discovery_interval.count();
  j["db_init_ms"] = h.options.describe_backoff_initial.count();
  j["db_max_ms"] = h.options.describe_backoff_max.count();
  j["max_ab"] = h.options.max_abandoned_handles;
  j["log"] = h.log_level;
  return Dump(j);
}

Result<AdminHello> DecodeHello(std::string_view payload) {
  return Decode<AdminHello>(payload, [](const json& j) {
    if (Int32(j.at("v")) != 1) {
      throw json::other_error::create(501, "unknown version", &j);
    }
    AdminHello h;
    h.cluster.name = j.at("name").get<std::string>();
    for (const auto& b : j.at("brokers")) {
      h.cluster.brokers.push_back(
          {b.at(0).get<std::string>(),
           static_cast<std::uint16_t>(Int(b.at(1), 0, 65535))});
    }
    for (const auto& [k, v] : j.at("props").items()) {
      h.cluster.properties.emplace(k, Secret(v.get<std::string>()));
    }
    const std::int64_t day_ms = 400LL * 24 * 3600 * 1000;
    h.options.group_discovery = j.at("disc").get<bool>();
    h.options.discovery_interval = Millis(Int(j.at("disc_ms"), 0, day_ms));
    h.options.describe_backoff_initial =
        Millis(Int(j.at("db_init_ms"), 0, day_ms));
    h.options.describe_backoff_max = Millis(Int(j.at("db_max_ms"), 0, day_ms));
    h.options.max_abandoned_handles = Int32(j.at("max_ab"));
    h.log_level = j.at("log").get<std::string>();
    return h;
  });
}

std::string EncodeRequest(const AdminRequest& r) {
  json j;
  j["id"] = r.id;
  j["t_ms"] = r.timeout_ms;
  if (r.op == AdminRequest::Op::kCommitted) {
    j["op"] = "committed";
    json reqs = json::array();
    for (const auto& c : r.requests) {
      reqs.push_back(
          {c.group, static_cast<int>(c.kind), EncodeTps(c.partitions)});
    }
    j["reqs"] = std::move(reqs);
    j["mif"] = r.limits.max_in_flight;
    j["mpr"] = r.limits.max_partitions_per_request;
  } else {
    j["op"] = "discover";
    j["groups"] = r.groups;
    j["data_ok"] = r.data_ok;
  }
  return Dump(j);
}

Result<AdminRequest> DecodeRequest(std::string_view payload) {
  return Decode<AdminRequest>(payload, [](const json& j) {
    AdminRequest r;
    r.id = static_cast<std::uint64_t>(
        Int(j.at("id"), 0, std::numeric_limits<std::int64_t>::max()));
    r.timeout_ms = static_cast<int>(Int(j.at("t_ms"), 0, 24LL * 3600 * 1000));
    const auto op = j.at("op").get<std::string>();
    if (op == "committed") {
      r.op = AdminRequest::Op::kCommitted;
      for (const auto& c : j.at("reqs")) {
        const int kind = Int32(c.at(1));
        if (kind < 0 || kind > static_cast<int>(FetchKind::kProbe)) {
          throw json::other_error::create(501, "bad fetch kind", &c);
        }
        r.requests.push_back({c.at(0).get<std::string>(),
                              static_cast<FetchKind>(kind),
                              DecodeTps(c.at(2))});
      }
      r.limits.max_in_flight = static_cast<int>(Int(j.at("mif"), 1, 100000));
      r.limits.max_partitions_per_request =
          static_cast<std::size_t>(Int(j.at("mpr"), 1, 1 << 30));
    } else if (op == "discover") {
      r.op = AdminRequest::Op::kDiscover;
      r.groups = j.at("groups").get<std::vector<std::string>>();
      r.data_ok = j.at("data_ok").get<bool>();
    } else {
      throw json::other_error::create(501, "unknown op", &j);
    }
    return r;
  });
}

std::string EncodeDiscoveryView(const DiscoveryView& view) {
  return Dump(ViewJson(view));
}

std::string EncodeResponse(const AdminResponse& r) {
  json j;
  j["id"] = r.id;
  if (r.error) j["err"] = EncodeError(*r.error);
  if (r.committed) j["committed"] = CommittedJson(*r.committed);
  if (r.discovery) {
    const DiscoveryAnswer& d = *r.discovery;
    j["disc"] = {{"view", d.view ? ViewJson(*d.view) : json(nullptr)},
                 {"hr", d.handles_replaced},
                 {"ap", d.abandoned_pending},
                 {"dis", d.disabled}};
  }
  return Dump(j);
}

Result<AdminResponse> DecodeResponse(std::string_view payload) {
  return Decode<AdminResponse>(payload, [](const json& j) {
    AdminResponse r;
    r.id = static_cast<std::uint64_t>(
        Int(j.at("id"), 0, std::numeric_limits<std::int64_t>::max()));
    if (j.contains("err")) r.error = DecodeError(j.at("err"));
    if (j.contains("committed"))
      r.committed = DecodeCommitted(j.at("committed"));
    if (j.contains("disc")) {
      const json& d = j.at("disc");
      DiscoveryAnswer a;
      if (!d.at("view").is_null()) a.view = DecodeView(d.at("view"));
      a.handles_replaced = static_cast<std::uint64_t>(
          Int(d.at("hr"), 0, std::numeric_limits<std::int64_t>::max()));
      a.abandoned_pending = Int32(d.at("ap"));
      a.disabled = d.at("dis").get<bool>();
      r.discovery = std::move(a);
    }
    if (!r.error && !r.committed && !r.discovery) {
      throw json::other_error::create(501, "empty response", &j);
    }
    return r;
  });
}

}  // namespace failwatch
