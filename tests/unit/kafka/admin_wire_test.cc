#include "kafka/admin_wire.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace failwatch {
namespace {

std::string Frames(const std::vector<std::string>& payloads) {
  std::string out;
  for (const auto& p : payloads) out += EncodeFrame(p);
  return out;
}

TEST(AdminFrameTest, SplitsAStreamFedInAnyChunks) {
  const std::string stream = Frames({"a", std::string(70000, 'b'), "ccc"});
  for (std::size_t chunk : {1u, 3u, 4u, 5u, 4096u, 1u << 20}) {
    FrameDecoder d(1 << 20);
    std::vector<std::string> got;
    for (std::size_t i = 0; i < stream.size(); i += chunk) {
      ASSERT_TRUE(d.Feed(std::string_view(stream).substr(i, chunk)).ok());
      while (auto f = d.Next()) got.push_back(*f);
    }
    ASSERT_EQ(got.size(), 3u) << "chunk " << chunk;
    EXPECT_EQ(got[0], "a");
    EXPECT_EQ(got[1].size(), 70000u);
    EXPECT_EQ(got[2], "ccc");
    EXPECT_EQ(d.buffered(), 0u);
  }
}

TEST(AdminFrameTest, RefusesHostileLengths) {
  struct Case {
    const char* name;
    std::string bytes;
    bool feed_fails;
  };
  const std::vector<Case> cases = {
      {"zero length", std::string("\0\0\0\0", 4), true},
      {"over the limit", std::string("\0\x01\0\x01", 4), true},
      {"4 GiB", std::string("\xff\xff\xff\xff", 4), true},
      {"over the limit after a good frame",
       EncodeFrame("ok") + std::string("\x7f\0\0\0", 4), true},
      {"truncated header", std::string("\0\0", 2), false},
      {"truncated payload", EncodeFrame("hello").substr(0, 7), false},
  };
  for (const auto& c : cases) {
    FrameDecoder d(65536);
    const bool failed = !d.Feed(c.bytes).ok();
    std::vector<std::string> got;
    while (auto f = d.Next()) got.push_back(*f);
    if (c.feed_fails) {
      // The good frame before a bad header may still come out; nothing
      // after, and the decoder stays failed.
      EXPECT_TRUE(failed || !d.Feed("x").ok()) << c.name;
      EXPECT_FALSE(d.Feed(EncodeFrame("later")).ok()) << c.name;
      EXPECT_FALSE(d.Next().has_value()) << c.name;
    } else {
      EXPECT_FALSE(failed) << c.name;
      EXPECT_TRUE(got.empty()) << c.name;
      EXPECT_GT(d.buffered(), 0u) << c.name;
    }
  }
}

TEST(AdminWireTest, HelloCarriesPropertiesUnchanged) {
  AdminHello h;
  h.cluster.name = "main";
  h.cluster.brokers = {{"b1", 9092}, {"b2", 19092}};
  h.cluster.properties.emplace("sasl.password", Secret("p\xff\xfe\0x"));
  h.options.group_discovery = false;
  h.options.discovery_interval = Millis(1234);
  h.log_level = "debug";
  auto got = DecodeHello(EncodeHello(h));
  ASSERT_TRUE(got.ok()) << got.error().ToString();
  EXPECT_EQ(got.value().cluster.name, "main");
  EXPECT_EQ(got.value().cluster.brokers, h.cluster.brokers);
  EXPECT_EQ(got.value().cluster.properties, h.cluster.properties);
  EXPECT_FALSE(got.value().options.group_discovery);
  EXPECT_EQ(got.value().options.discovery_interval, Millis(1234));
  EXPECT_EQ(got.value().log_level, "debug");
}

TEST(AdminWireTest, RequestsAndResponsesRoundTrip) {
  AdminRequest r;
  r.id = 7;
  r.timeout_ms = 900;
  r.requests = {{"g\xff", FetchKind::kProbe, {{"orders", 2}, {"t", 0}}},
                {"g2", FetchKind::kAll, {}}};
  r.limits = {3, 50};
  auto got = DecodeRequest(EncodeRequest(r));
  ASSERT_TRUE(got.ok()) << got.error().ToString();
  EXPECT_EQ(got.value().id, 7u);
  EXPECT_EQ(got.value().timeout_ms, 900);
  ASSERT_EQ(got.value().requests.size(), 2u);
  EXPECT_EQ(got.value().requests[0].group, "g\xff");
  EXPECT_EQ(got.value().requests[0].kind, FetchKind::kProbe);
  EXPECT_EQ(got.value().requests[0].partitions, r.requests[0].partitions);
  EXPECT_EQ(got.value().limits.max_in_flight, 3);

  AdminResponse resp;
  resp.id = 7;
  CommittedOffsets offsets;
  offsets[{"orders", 2}].offset = 41;
  offsets[{"orders", 3}].error = "UNKNOWN";
  resp.committed = CommittedAnswer{};
  resp.committed->emplace("g1", offsets);
  resp.committed->emplace(
      "g2", MakeError(ErrorKind::kTimeout, "timeout", "committed: late"));
  DiscoveryAnswer d;
  d.view = DiscoveryView{};
  d.view->listed = std::set<std::string>{"a", "b"};
  d.view->described["a"] = {"Stable", 2, {{"orders", 0}}};
  d.handles_replaced = 3;
  resp.discovery = d;
  auto back = DecodeResponse(EncodeResponse(resp));
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  const auto& c = *back.value().committed;
  ASSERT_TRUE(c.at("g1").ok());
  EXPECT_EQ(c.at("g1").value().at({"orders", 2}).offset, 41);
  EXPECT_FALSE(c.at("g1").value().at({"orders", 3}).offset.has_value());
  EXPECT_EQ(c.at("g1").value().at({"orders", 3}).error, "UNKNOWN");
  ASSERT_FALSE(c.at("g2").ok());
  EXPECT_EQ(c.at("g2").error().kind, ErrorKind::kTimeout);
  EXPECT_EQ(c.at("g2").error().message, "committed: late");
  const auto& v = *back.value().discovery->view;
  EXPECT_EQ(*v.listed, (std::set<std::string>{"a", "b"}));
  EXPECT_EQ(v.described.at("a").members, 2);
  EXPECT_EQ(v.described.at("a").assigned[0].topic, "orders");
  EXPECT_EQ(back.value().discovery->handles_replaced, 3u);
}

TEST(AdminWireTest, HostilePayloadsAreErrorsNotCrashes) {
  const std::string good = EncodeRequest(AdminRequest{});
  std::vector<std::pair<std::string, std::string>> cases = {
      {"empty", ""},
      {"text", "{\"id\": 1}"},
      {"truncated", good.substr(0, good.size() / 2)},
      {"array not map", std::string("\x91\x01", 2)},
      {"nested 100000 deep", std::string(100000, '\x91') + '\x01'},
      {"huge declared array", std::string("\xdd\xff\xff\xff\xff", 5)},
      {"huge declared string", std::string("\x81\xdb\xff\xff\xff\xff", 6)},
  };
  // A response whose fields have the wrong types or ranges.
  cases.push_back({"wrong types", std::string("\x82\xa2id\xa1x\xa3"
                                              "err\x01",
                                              10)});
  std::mt19937 rng(42);
  for (int i = 0; i < 200; ++i) {
    std::string s = good;
    for (int k = 0; k < 3; ++k) {
      s[rng() % s.size()] = static_cast<char>(rng());
    }
    cases.push_back({"mutated " + std::to_string(i), s});
  }
  for (const auto& [name, bytes] : cases) {
    EXPECT_NO_THROW({
      (void)DecodeRequest(bytes);
      (void)DecodeResponse(bytes);
      (void)DecodeHello(bytes);
    }) << name;
    EXPECT_FALSE(DecodeResponse(bytes).ok()) << name;
  }
  EXPECT_FALSE(DecodeHello(good).ok());
}

TEST(AdminWireTest, OutOfRangeNumbersAreRefused) {
  AdminRequest r;
  r.requests = {{"g", FetchKind::kKnown, {{"t", 0}}}};
  std::string bytes = EncodeRequest(r);
  // Fetch kind 0 -> 9 (positive fixint): unknown kind.
  const auto pos = bytes.find(std::string("\xa1g\x00", 3));
  ASSERT_NE(pos, std::string::npos);
  bytes[pos + 2] = 9;
  EXPECT_FALSE(DecodeRequest(bytes).ok());
}

}  // namespace
}  // namespace failwatch
