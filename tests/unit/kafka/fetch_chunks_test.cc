#include "kafka/fetch_chunks.h"

#include <gtest/gtest.h>

namespace failwatch {
namespace {

std::vector<TopicPartition> Parts(
    std::vector<std::pair<std::string, int>> topics) {
  std::vector<TopicPartition> out;
  for (const auto& [t, n] : topics) {
    for (int p = 0; p < n; ++p) out.push_back({t, p});
  }
  return out;
}

struct ChunkCase {
  const char* name;
  std::vector<std::pair<std::string, int>> topics;
  std::size_t max;
  std::vector<std::pair<std::size_t, std::size_t>> want;  // [begin, end)
};

TEST(FetchChunksTest, SplitsAtTopicBoundariesWithinTheBound) {
  const ChunkCase cases[] = {
      {"everything fits", {{"a", 2}, {"b", 3}}, 10, {{0, 5}}},
      {"whole topics per chunk",
       {{"a", 2}, {"b", 3}, {"c", 2}},
       5,
       {{0, 5}, {5, 7}}},
      {"a topic never straddles when it fits",
       {{"a", 3}, {"b", 3}},
       4,
       {{0, 3}, {3, 6}}},
      {"a topic bigger than the bound is split",
       {{"a", 2}, {"big", 7}},
       3,
       {{0, 2}, {2, 5}, {5, 8}, {8, 9}}},
      {"bound of one", {{"a", 2}}, 1, {{0, 1}, {1, 2}}},
      {"bound of zero acts as one", {{"a", 2}}, 0, {{0, 1}, {1, 2}}},
  };
  for (const auto& c : cases) {
    std::vector<CommittedRequest> reqs = {
        {"g", FetchKind::kKnown, Parts(c.topics)}};
    auto chunks = PlanFetchChunks(reqs, c.max);
    std::vector<std::pair<std::size_t, std::size_t>> got;
    for (const auto& ch : chunks) {
      EXPECT_EQ(ch.request, 0u) << c.name;
      got.emplace_back(ch.begin, ch.end);
    }
    EXPECT_EQ(got, c.want) << c.name;
  }
}

TEST(FetchChunksTest, NullListIsOneChunkAndEmptyRequestsNone) {
  std::vector<CommittedRequest> reqs = {
      {"all", FetchKind::kAll, {}},
      {"none", FetchKind::kKnown, {}},
      {"some", FetchKind::kProbe, Parts({{"a", 3}})},
  };
  auto chunks = PlanFetchChunks(reqs, 2);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].request, 0u);
  EXPECT_EQ(chunks[0].begin, chunks[0].end);
  EXPECT_EQ(chunks[1].request, 2u);
  EXPECT_EQ(chunks[2].request, 2u);
}

TEST(FetchChunksTest, ProbeAnswersKeepOnlyTopicsWithACommit) {
  CommittedOffsets offs;
  offs[{"orders", 0}].offset = 5;
  offs[{"orders", 1}] = {};  // no commit, but its topic is consumed
  offs[{"audit", 0}] = {};
  offs[{"audit", 1}].error = "UNKNOWN_TOPIC_OR_PART";
  KeepCommittedTopics(offs);
  ASSERT_EQ(offs.size(), 2u);
  EXPECT_TRUE(offs.contains({"orders", 0}));
  EXPECT_TRUE(offs.contains({"orders", 1}));
}

TEST(FetchChunksTest, SlicesPartitions) {
  auto parts = Parts({{"a", 5}});
  auto slices = SlicePartitions(parts, 2);
  ASSERT_EQ(slices.size(), 3u);
  EXPECT_EQ(slices[2].size(), 1u);
  EXPECT_EQ(slices[2][0].partition, 4);
  EXPECT_TRUE(SlicePartitions({}, 2).empty());
}

}  // namespace
}  // namespace failwatch
