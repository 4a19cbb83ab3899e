#include "core/gzip_segments.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>

#include "../gunzip.h"

namespace failwatch {
namespace {

using failwatch::test_support::Gunzip;

std::string MetricLines(const std::string& name, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    s += name + "{cluster=\"main\",partition=\"" + std::to_string(i) + "\"} " +
         std::to_string(i * 7919 % 5000) + "\n";
  }
  return s;
}

CompressedText Compressed(std::string text) {
  SegmentCompressor c;
  CompressedText out;
  EXPECT_TRUE(c.Compress(std::move(text), out));
  return out;
}

struct SpliceCase {
  const char* name;
  std::vector<std::string> pieces;
  std::string tail;
  friend void PrintTo(const SpliceCase& c, std::ostream* os) { *os << c.name; }
};

class SpliceTest : public ::testing::TestWithParam<SpliceCase> {};

TEST_P(SpliceTest, GunzipGivesThePlainBody) {
  std::vector<CompressedText> pieces;
  for (const auto& p : GetParam().pieces) pieces.push_back(Compressed(p));
  SegmentRun run;
  std::string expected;
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    run.Append(pieces[i]);
    expected += GetParam().pieces[i];
  }
  expected += GetParam().tail;
  EXPECT_EQ(run.Plain(GetParam().tail).value(), expected);
  EXPECT_EQ(run.text_size() + GetParam().tail.size(), expected.size());
  auto gz = run.Gzip(GetParam().tail);
  ASSERT_TRUE(gz.ok()) << gz.error().ToString();
  ASSERT_GE(gz->size(), 18u);
  EXPECT_EQ(static_cast<unsigned char>((*gz)[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>((*gz)[1]), 0x8b);
  EXPECT_EQ(Gunzip(*gz), expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SpliceTest,
    ::testing::Values(SpliceCase{"AllEmpty", {}, ""},
                      SpliceCase{"OnlyTail", {}, "fresh 1\n"},
                      SpliceCase{
                          "OnlyPieces", {"a 1\n", MetricLines("b", 3000)}, ""},
                      SpliceCase{"EmptyPiecesAmongOthers",
                                 {"", "# TYPE a gauge\n", "", "a 1\n", ""},
                                 "# TYPE fresh gauge\nfresh 2\n"},
                      // The same text in many pieces: each must not refer back
                      // into the one before it (deflate would love to).
                      SpliceCase{"RepeatedText",
                                 {MetricLines("x", 500), MetricLines("x", 500),
                                  MetricLines("x", 500), "# HELP x X.\n"},
                                 MetricLines("x", 500)},
                      SpliceCase{"LargerThanTheWindow",
                                 {MetricLines("big", 40000), "small 1\n"},
                                 MetricLines("tail", 2000)}),
    [](const auto& test) { return test.param.name; });

TEST(SpliceTest, PiecesSpliceInAnyOrder) {
  std::vector<CompressedText> pieces;
  for (int i = 0; i < 20; ++i) {
    pieces.push_back(Compressed(MetricLines("m" + std::to_string(i), 50 + i)));
  }
  std::mt19937 rng(7);
  for (int round = 0; round < 5; ++round) {
    std::vector<int> order(pieces.size());
    for (std::size_t i = 0; i < order.size(); ++i)
      order[i] = static_cast<int>(i);
    std::shuffle(order.begin(), order.end(), rng);
    SegmentRun run;
    std::string expected;
    for (int i : order) {
      run.Append(pieces[i]);
      expected += pieces[i].text;
    }
    auto gz = run.Gzip("");
    ASSERT_TRUE(gz.ok());
    EXPECT_EQ(Gunzip(*gz), expected);
  }
}

TEST(SpliceTest, APieceThatFailedToCompressFailsGzipNotPlain) {
  CompressedText broken;
  broken.text = "a 1\n";  // no deflated bytes
  broken.size = broken.text.size();
  SegmentRun run;
  run.Append(broken);
  EXPECT_EQ(run.Plain("b 2\n").value(), "a 1\nb 2\n");
  EXPECT_FALSE(run.Gzip("b 2\n").ok());
}

TEST(SpliceTest, LongTextsAreKeptDeflatedOnlyAndPlainInflatesThem) {
  const std::string long_text = MetricLines("lag", 5000);
  ASSERT_GE(long_text.size(), kKeepTextBelow);
  const CompressedText big = Compressed(long_text);
  const CompressedText small = Compressed("# TYPE lag gauge\n");
  EXPECT_TRUE(big.text.empty());
  EXPECT_EQ(big.size, long_text.size());
  EXPECT_FALSE(big.deflated.empty());
  EXPECT_EQ(small.text, "# TYPE lag gauge\n");
  SegmentRun run;
  run.Append(small);
  run.Append(big);
  run.Append(big);
  const std::string want =
      "# TYPE lag gauge\n" + long_text + long_text + "fresh 1\n";
  EXPECT_EQ(run.Plain("fresh 1\n").value(), want);
  EXPECT_EQ(run.text_size() + 8, want.size());
  auto gz = run.Gzip("fresh 1\n");
  ASSERT_TRUE(gz.ok());
  EXPECT_EQ(Gunzip(*gz), want);
}

TEST(SpliceTest, ThresholdZeroKeepsNoTextAndSmallPiecesStillInflate) {
  SegmentCompressor c;
  CompressedText piece;
  ASSERT_TRUE(c.Compress("a 1\n", piece, /*keep_text_below=*/0));
  EXPECT_TRUE(piece.text.empty());
  SegmentRun run;
  run.Append(piece);
  EXPECT_EQ(run.Plain("b 2\n").value(), "a 1\nb 2\n");
}

TEST(SpliceTest, ACorruptKeptPieceFailsPlainWithAnErrorNotGarbage) {
  CompressedText piece = Compressed(MetricLines("lag", 5000));
  ASSERT_TRUE(piece.text.empty());
  piece.deflated[piece.deflated.size() / 2] ^= 0x55;
  SegmentRun run;
  run.Append(piece);
  EXPECT_FALSE(run.Plain("").ok());
  CompressedText truncated = Compressed(MetricLines("lag", 5000));
  truncated.deflated.resize(truncated.deflated.size() / 2);
  SegmentRun run2;
  run2.Append(truncated);
  EXPECT_FALSE(run2.Plain("").ok());
}

// The gzip(1) a user would pipe a scrape into agrees.
TEST(SpliceTest, GzipToolDecodesIt) {
  if (std::system("command -v gzip >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "gzip not installed";
  }
  std::vector<CompressedText> pieces = {Compressed(MetricLines("a", 2000)),
                                        Compressed("# TYPE b gauge\n")};
  SegmentRun run;
  for (const auto& p : pieces) run.Append(p);
  const std::string tail = MetricLines("fresh", 10);
  auto gz = run.Gzip(tail);
  ASSERT_TRUE(gz.ok());
  const std::string path = ::testing::TempDir() + "/failwatch_splice.gz";
  {
    std::ofstream out(path, std::ios::binary);
    out << *gz;
  }
  const std::string cmd = "gzip -t " + path + " && gzip -dc " + path;
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string decoded;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0)
    decoded.append(buf, n);
  EXPECT_EQ(pclose(pipe), 0);
  EXPECT_EQ(decoded, run.Plain(tail).value());
  std::remove(path.c_str());
}

TEST(SegmentCompressorTest, APieceIsByteAlignedAndNotFinal) {
  SegmentCompressor c;
  auto piece = c.Deflate("hello hello hello\n");
  ASSERT_TRUE(piece.ok());
  // Z_SYNC_FLUSH ends with an empty stored block: 00 00 ff ff.
  ASSERT_GE(piece->size(), 4u);
  EXPECT_EQ(piece->substr(piece->size() - 4), std::string("\0\0\xff\xff", 4));
  auto last = c.Deflate("", /*last=*/true);
  ASSERT_TRUE(last.ok());
  EXPECT_FALSE(last->empty());
}

}  // namespace
}  // namespace failwatch
